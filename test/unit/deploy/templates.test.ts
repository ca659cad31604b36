/**
 * The deployment templates (infra/, azure.yaml) against the code, read as text (the Bicep compiler is not
 * available here): every setting the settings schemas require is set, in its identity-based form; every queue,
 * container and table the code uses is created under the name the code expects; every binding connection and
 * `%SETTING%` of the function registrations resolves; the queues fit host.json; nothing grants or stores a
 * secret it should not. Issue #7.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import {
    notifySettingKeys,
    notifySettingsSchema,
    optionalNotifySettingKeys,
} from '../../../shared/settings/notifySettings';
import {
    alternativeSettingKeys,
    consumerSettingKeys,
    consumerSettingsSchema,
    pollerSettingKeys,
    pollerSettingsSchema,
} from '../../../shared/settings/settings';
import {
    bracketsBalance,
    declarationBody,
    entriesOf,
    isoDurationSeconds,
    objectAfter,
    paramsOf,
    readBicepFiles,
    repoRoot,
    stringLiteral,
    withoutComments,
} from './bicepText';

const bicep = readBicepFiles();
function file(path: string): string {
    const text = bicep.get(path);
    if (text === undefined) {
        throw new Error(`${path} is missing; templates: ${[...bicep.keys()].join(', ')}`);
    }
    return text;
}
const main = file('infra/main.bicep');

/** A `var <name> = {...}` object of main.bicep, entries by key. */
function mainObject(name: string): Map<string, string> {
    const text = objectAfter(main, new RegExp(`^var\\s+${name}\\s*=\\s*`, 'm'));
    if (text === undefined) {
        throw new Error(`main.bicep declares no object var ${name}`);
    }
    return entriesOf(text);
}

/** Every app setting main.bicep can set: the fixed ones and the optional ones, keys to value expressions. */
function appSettings(): Map<string, string> {
    const all = new Map(mainObject('appSettings'));
    const optionalPrefix = String.raw`\s*=\s*empty\([^)]*\)\s*\?\s*\{\}\s*:\s*`;
    const code = withoutComments(main);
    for (const [, name] of code.matchAll(new RegExp(String.raw`^var\s+(\w+Setting)` + optionalPrefix, 'gm'))) {
        const text = objectAfter(main, new RegExp(String.raw`^var\s+${name}` + optionalPrefix, 'm'));
        for (const [key, value] of entriesOf(text ?? '{}')) {
            all.set(key, value);
        }
    }
    return all;
}
const settings = appSettings();
const names = mainObject('names');

/** A `names.x` expression of main.bicep as its string literal. */
function resolveName(expression: string | undefined): string | undefined {
    const match = /^names\.(\w+)$/.exec(expression ?? '');
    return match ? stringLiteral(names.get(match[1] as string)) : stringLiteral(expression);
}

/** Connection-string keys and the identity-based key that replaces each in Azure. */
const identityForms: Record<string, string> = {
    AzureWebJobsStorage: 'AzureWebJobsStorage__accountName',
    ServiceBusConnection: 'ServiceBusConnection__fullyQualifiedNamespace',
};

/** The schemas' defaults, from the smallest valid input. */
const minimal = { TENANT_ID: 't', ServiceBusConnection: 'x', AzureWebJobsStorage: 'x' };
const pollerDefaults = pollerSettingsSchema.parse(minimal);
const consumerDefaults = consumerSettingsSchema.parse(minimal);
const notifyDefaults = notifySettingsSchema.parse(minimal);

describe('deployment templates: app settings (issue #7)', () => {
    it('sets every key the poller, consumer and notification schemas require, connections in their identity-based form', () => {
        const optional = new Set([...alternativeSettingKeys, ...optionalNotifySettingKeys]);
        const required = [...new Set([...pollerSettingKeys, ...consumerSettingKeys, ...notifySettingKeys])]
            .filter((key) => !optional.has(key))
            .map((key) => identityForms[key] ?? key);

        const missing = required.filter((key) => !settings.has(key));

        expect(missing).toEqual([]);
    });

    it('sets no connection string: storage and Service Bus are reached with the managed identity', () => {
        for (const [connection, identityKey] of Object.entries(identityForms)) {
            expect(settings.has(connection)).toBe(false);
            expect(settings.has(identityKey)).toBe(true);
            const prefix = identityKey.split('__')[0] as string;
            expect(settings.get(`${prefix}__credential`)).toBe("'managedidentity'");
            expect(settings.get(`${prefix}__clientId`)).toBe('identity.outputs.clientId');
        }
        expect(settings.get('AZURE_CLIENT_ID')).toBe('identity.outputs.clientId');
    });

    it('sets only keys the code or the platform reads (no misspelt setting goes unnoticed)', () => {
        const known = new Set([
            ...pollerSettingKeys,
            ...consumerSettingKeys,
            ...notifySettingKeys,
            'AzureWebJobsStorage__credential',
            'AzureWebJobsStorage__clientId',
            'ServiceBusConnection__credential',
            'APPLICATIONINSIGHTS_CONNECTION_STRING',
            'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
            ...rulesSamplePlaceholders(),
        ]);

        expect([...settings.keys()].filter((key) => !known.has(key))).toEqual([]);
    });

    it('sets TENANT_ID to the deployment tenant and FORCE_DRY_RUN to true unless the operator says otherwise', () => {
        expect(settings.get('TENANT_ID')).toBe('tenant().tenantId');
        expect(settings.get('FORCE_DRY_RUN')).toBe("forceDryRun ? 'true' : 'false'");
        expect(paramsOf(main).get('forceDryRun')).toMatchObject({ type: 'bool', defaultValue: 'true' });
        expect(parametersFile().forceDryRun).toBe('${FORCE_DRY_RUN=true}');
        expect(settings.get('CHECKPOINT_STORE')).toBe("'blob'");
        expect(settings.get('AUDIT_STORE')).toBe("'table'");
        expect(settings.get('DELIVERY_LOG_STORE')).toBe("'table'");
        expect(settings.get('RULES_FILE')).toBe('rulesFile');
        expect(stringLiteral(paramsOf(main).get('rulesFile')?.defaultValue)).toBe(consumerDefaults.RULES_FILE);
    });

    it('keeps webhook URLs in Key Vault: each placeholder of the sample rules file and ALERT_TEAMS_WEBHOOK is a Key Vault reference', () => {
        const secretSettings = [...rulesSamplePlaceholders(), 'ALERT_TEAMS_WEBHOOK'];
        expect(secretSettings).toContain('TEAMS_SECOPS_WEBHOOK');
        for (const key of secretSettings) {
            expect(settings.get(key)).toMatch(
                /^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVaultSecrets\}\$\{secretNames\.\w+\}\/\)'$/,
            );
        }
        expect(main).toMatch(/var keyVaultSecrets = '\$\{keyVault\.outputs\.uri\}secrets\/'/);
        // The references resolve with the user-assigned identity, not a system-assigned one.
        expect(declarationBody(file('infra/modules/functionApp.bicep'), 'resource', 'app')).toMatch(
            /keyVaultReferenceIdentity: identityId/,
        );
        for (const param of ['teamsSecopsWebhookUrl', 'alertTeamsWebhookUrl']) {
            expect(paramsOf(main).get(param)).toMatchObject({ secure: true, defaultValue: "''" });
        }
    });

    it('sets values that the schemas accept', () => {
        const literals = Object.fromEntries(
            [...settings].flatMap(([key, value]) => {
                const literal = stringLiteral(value);
                return literal === undefined || literal.includes('${') ? [] : [[key, literal]];
            }),
        );
        const env = { ...literals, ...minimal, RULES_FILE: 'rules.yaml', MIN_RISK_LEVEL: 'high' };

        expect(() => pollerSettingsSchema.parse(env)).not.toThrow();
        expect(() => consumerSettingsSchema.parse(env)).not.toThrow();
        expect(() => notifySettingsSchema.parse(env)).not.toThrow();
        expect(paramsOf(main).get('pollSchedule')?.defaultValue).toBe(`'${pollerDefaults.POLL_SCHEDULE}'`);
    });
});

describe('deployment templates: queues, containers and tables (issue #7)', () => {
    it.each([
        ['RISK_QUEUE_NAME', pollerDefaults.RISK_QUEUE_NAME],
        ['NOTIFY_QUEUE_NAME', notifyDefaults.NOTIFY_QUEUE_NAME],
        ['CHECKPOINT_CONTAINER', pollerDefaults.CHECKPOINT_CONTAINER],
        ['AUDIT_TABLE', consumerDefaults.AUDIT_TABLE],
        ['DELIVERY_LOG_TABLE', notifyDefaults.DELIVERY_LOG_TABLE],
    ])('%s is the schema default %p, set in the app settings', (key, expected) => {
        expect(resolveName(settings.get(key))).toBe(expected);
    });

    it('creates the queues, containers and tables the settings name', () => {
        const serviceBus = entriesOf(
            objectAfter(declarationBody(main, 'module', 'serviceBus') ?? '', /params:\s*/) ?? '{}',
        );
        expect(resolveName(serviceBus.get('riskQueueName'))).toBe(pollerDefaults.RISK_QUEUE_NAME);
        expect(resolveName(serviceBus.get('notifyQueueName'))).toBe(notifyDefaults.NOTIFY_QUEUE_NAME);

        const storage = entriesOf(objectAfter(declarationBody(main, 'module', 'storage') ?? '', /params:\s*/) ?? '{}');
        const listed = (key: string) =>
            (storage.get(key) ?? '')
                .slice(1, -1)
                .split('\n')
                .map((line) => line.trim())
                .filter(Boolean)
                .map(resolveName);
        expect(listed('containerNames')).toEqual(
            expect.arrayContaining([pollerDefaults.CHECKPOINT_CONTAINER, resolveName('names.deploymentContainer')]),
        );
        expect(listed('tableNames')).toEqual(
            expect.arrayContaining([consumerDefaults.AUDIT_TABLE, notifyDefaults.DELIVERY_LOG_TABLE]),
        );

        const serviceBusModule = file('infra/modules/serviceBus.bicep');
        expect(declarationBody(serviceBusModule, 'resource', 'riskQueue')).toMatch(/name: riskQueueName/);
        expect(declarationBody(serviceBusModule, 'resource', 'notifyQueue')).toMatch(/name: notifyQueueName/);
        const storageModule = file('infra/modules/storage.bicep');
        expect(storageModule).toMatch(/for containerName in containerNames/);
        expect(storageModule).toMatch(/for tableName in tableNames/);
    });

    it('deploys the package to its own container, with the identity', () => {
        const app = declarationBody(file('infra/modules/functionApp.bicep'), 'resource', 'app') ?? '';
        expect(app).toMatch(/value: '\$\{storageBlobEndpoint\}\$\{deploymentContainerName\}'/);
        expect(app).toMatch(/type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId/);
        const functionApp = entriesOf(
            objectAfter(declarationBody(main, 'module', 'functionApp') ?? '', /params:\s*/) ?? '{}',
        );
        expect(functionApp.get('deploymentContainerName')).toBe('names.deploymentContainer');
    });
});

describe('deployment templates: function registrations (issue #7)', () => {
    interface Registered {
        name: string;
        bindings: Record<string, Record<string, unknown>>;
    }
    const registered: Registered[] = [];

    beforeAll(() => {
        jest.isolateModules(() => {
            jest.doMock(
                '@azure/functions-core',
                () => ({
                    setProgrammingModel: () => undefined,
                    registerFunction: (metadata: Registered) => {
                        registered.push(metadata);
                        return { dispose: () => undefined };
                    },
                    registerHook: () => ({ dispose: () => undefined }),
                    getProgrammingModel: () => undefined,
                }),
                { virtual: true },
            );
            // Every module of functions/ that registers a function, as the host loads them (package.json main).
            const functionsDir = join(repoRoot, 'functions');
            for (const name of readdirSync(functionsDir).filter((entry) => entry.endsWith('.ts'))) {
                if (/\bapp\.\w+\(/.test(readFileSync(join(functionsDir, name), 'utf8'))) {
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    require(join(functionsDir, name));
                }
            }
        });
    });

    const triggers = () =>
        registered.flatMap((fn) =>
            Object.values(fn.bindings)
                .filter((binding) => String(binding.type).endsWith('Trigger'))
                .map((binding) => ({ name: fn.name, binding })),
        );

    it('loads the registrations (the check below is not vacuous)', () => {
        const names = registered.map((fn) => fn.name);
        expect(names).toEqual(expect.arrayContaining(['pollRiskDetections', 'deliverNotifications']));
        if (existsSync(join(repoRoot, 'functions', 'remediateRisk.ts'))) {
            expect(names).toContain('remediateRisk');
        }
    });

    it('every binding connection is set in its identity-based form', () => {
        const connections = triggers()
            .map(({ binding }) => binding.connection)
            .filter((connection): connection is string => typeof connection === 'string');
        expect(connections.length).toBeGreaterThan(0);
        for (const connection of new Set(connections)) {
            expect(
                settings.has(`${connection}__fullyQualifiedNamespace`) || settings.has(`${connection}__accountName`),
            ).toBe(true);
            expect(settings.get(`${connection}__credential`)).toBe("'managedidentity'");
            expect(settings.has(`${connection}__clientId`)).toBe(true);
            expect(settings.has(connection)).toBe(false);
        }
    });

    it('every %SETTING% in a binding is an app setting', () => {
        const referenced = triggers().flatMap(({ binding }) =>
            Object.values(binding)
                .filter((value): value is string => typeof value === 'string')
                .flatMap((value) =>
                    [...value.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((match) => match[1] as string),
                ),
        );
        expect(referenced).toEqual(expect.arrayContaining(['POLL_SCHEDULE', 'NOTIFY_QUEUE_NAME']));
        expect(referenced.filter((key) => !settings.has(key))).toEqual([]);
    });
});

describe('deployment templates: queues fit host.json and the docs (issue #7)', () => {
    const serviceBusModule = file('infra/modules/serviceBus.bicep');
    const queue = (symbol: string) =>
        entriesOf(objectAfter(declarationBody(serviceBusModule, 'resource', symbol) ?? '', /properties:\s*/) ?? '{}');
    const risk = queue('riskQueue');
    const notify = queue('notifyQueue');
    const hostJson = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as {
        extensions: { serviceBus: Record<string, unknown> };
        concurrency?: { dynamicConcurrencyEnabled?: boolean };
    };

    it('the detections queue holds a whole batch in one lock: PT5M, the Service Bus maximum (batch functions get no lock renewal)', () => {
        expect(stringLiteral(risk.get('lockDuration'))).toBe('PT5M');
        const waitTime = hostJson.extensions.serviceBus.maxBatchWaitTime;
        if (typeof waitTime === 'string') {
            const [h, m, s] = waitTime.split(':').map(Number);
            expect((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)).toBeLessThanOrEqual(isoDurationSeconds('PT5M') / 2);
        }
        expect(hostJson.extensions.serviceBus.prefetchCount).toBe(0);
    });

    it('drops re-sent detection versions: duplicate detection over at least the poll overlap', () => {
        expect(risk.get('requiresDuplicateDetection')).toBe('true');
        const window = isoDurationSeconds(stringLiteral(risk.get('duplicateDetectionHistoryTimeWindow')) ?? '');
        expect(window).toBeGreaterThanOrEqual(pollerDefaults.POLL_OVERLAP_MINUTES * 60);
        expect(window).toBeGreaterThanOrEqual(Number(stringLiteral(settings.get('POLL_OVERLAP_MINUTES'))) * 60);
        expect(notify.get('requiresDuplicateDetection')).toBe('true');
    });

    it('retries ten times, then dead-letters, expired messages included', () => {
        for (const properties of [risk, notify]) {
            expect(properties.get('maxDeliveryCount')).toBe('10');
            expect(properties.get('deadLetteringOnMessageExpiration')).toBe('true');
            expect(properties.get('requiresSession')).toBe('false');
        }
    });

    it("caps scale-out at one instance by default, as host.json assumes (one stream paced to Graph's tenant limit)", () => {
        expect(paramsOf(main).get('maximumInstanceCount')?.defaultValue).toBe('1');
        expect(parametersFile().maximumInstanceCount).toBe('${MAXIMUM_INSTANCE_COUNT=1}');
        expect(hostJson.concurrency?.dynamicConcurrencyEnabled).toBe(false);
        expect(stringLiteral(settings.get('GRAPH_CALLS_PER_SECOND'))).toBe('1');
    });

    it('the README states the queue settings the templates use', () => {
        const docs = readFileSync(join(repoRoot, 'README.md'), 'utf8');
        for (const value of ['PT5M', 'PT1H', 'maxDeliveryCount', 'FORCE_DRY_RUN']) {
            expect(docs).toContain(value);
        }
    });
});

describe('deployment templates: identity and least privilege (issue #7)', () => {
    const roleModule = file('infra/modules/roleAssignments.bicep');
    const builtInRoles: Record<string, string> = {
        '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
        '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
        'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
        '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
        '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
        '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
    };

    it('assigns exactly the six data-plane roles, each on one resource, to the managed identity only', () => {
        const code = withoutComments(roleModule);
        const guids = [...code.matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g)].map(
            (m) => m[1],
        );
        expect(new Set(guids)).toEqual(new Set(Object.keys(builtInRoles)));

        const assignments = [
            ...code.matchAll(/^resource\s+(\w+)\s+'Microsoft\.Authorization\/roleAssignments@2022-04-01'/gm),
        ];
        expect(assignments).toHaveLength(6);
        for (const [, symbol] of assignments) {
            const body = declarationBody(roleModule, 'resource', symbol as string) ?? '';
            expect(body).toMatch(/scope: (namespace|storage|vault|applicationInsights)\n/);
            expect(body).toMatch(/principalId: principalId\n/);
            expect(body).toMatch(/principalType: 'ServicePrincipal'/);
        }
        // No Owner, Contributor, User Access Administrator, Storage Queue Data Contributor or account-key roles.
        for (const broad of [
            '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
            'b24988ac-6180-42a0-ab88-20f7382dd24c',
            '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
            '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
            '17d1049b-9a84-46fb-8f53-869881c3d3ab',
        ]) {
            expect([...bicep.values()].some((text) => text.includes(broad))).toBe(false);
        }
    });

    it('runs the app as one user-assigned identity, for the host, the bindings, the SDK clients and Key Vault', () => {
        const app = declarationBody(file('infra/modules/functionApp.bicep'), 'resource', 'app') ?? '';
        expect(app).toMatch(/type: 'UserAssigned'/);
        expect(app).not.toMatch(/SystemAssigned/);
    });

    it('turns off shared keys and local authentication everywhere', () => {
        expect(file('infra/modules/storage.bicep')).toMatch(/allowSharedKeyAccess: false/);
        expect(file('infra/modules/storage.bicep')).toMatch(/allowBlobPublicAccess: false/);
        expect(file('infra/modules/serviceBus.bicep')).toMatch(/disableLocalAuth: true/);
        expect(file('infra/modules/monitoring.bicep')).toMatch(/DisableLocalAuth: true/);
        expect(file('infra/modules/keyVault.bicep')).toMatch(/enableRbacAuthorization: true/);
        expect(file('infra/modules/functionApp.bicep')).toMatch(/name: 'scm'\s+properties: \{\s+allow: false/);
    });

    it('holds no secret-looking literal in any template, parameter file or azure.yaml', () => {
        const texts = new Map([
            ...bicep,
            ['infra/main.parameters.json', readFileSync(join(repoRoot, 'infra', 'main.parameters.json'), 'utf8')],
            ['azure.yaml', readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')],
        ]);
        const secretLooking = [
            /AccountKey=/i,
            /SharedAccessKey/i,
            /SharedAccessSignature|[?&]sig=/i,
            /InstrumentationKey=/i,
            /listKeys\(|listSecrets\(|listConnectionStrings\(/,
            /https:\/\/[^\s'"]*(logic\.azure\.com|powerplatform\.com|webhook\.office\.com)\/[^\s'"]+/i,
            /(password|client_?secret)\w*['"]?\s*[:=]\s*['"][^'"]+['"]/i,
        ];
        /** Long runs of base64 with digits and both cases: keys and tokens, not resource type names. */
        const keyLike = (text: string) =>
            [...text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)]
                .map((match) => match[0])
                .filter((run) => /\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run));
        for (const [path, text] of texts) {
            for (const pattern of secretLooking) {
                expect({ path, match: pattern.exec(text)?.[0] }).toEqual({ path, match: undefined });
            }
            expect({ path, keyLike: keyLike(text) }).toEqual({ path, keyLike: [] });
        }
    });

    it('on Flex Consumption with Node 22, none of the settings Flex replaced by functionAppConfig', () => {
        const functionApp = file('infra/modules/functionApp.bicep');
        expect(functionApp).toMatch(/tier: 'FlexConsumption'/);
        expect(functionApp).toMatch(/name: 'FC1'/);
        expect(functionApp).toMatch(/kind: 'functionapp,linux'/);
        expect(functionApp).toMatch(/runtime: \{\s+name: 'node'\s+version: nodeVersion/);
        expect(paramsOf(main).get('nodeVersion')?.defaultValue).toBe("'22'");
        for (const retired of [
            'FUNCTIONS_WORKER_RUNTIME',
            'FUNCTIONS_EXTENSION_VERSION',
            'WEBSITE_RUN_FROM_PACKAGE',
            'WEBSITE_CONTENTSHARE',
            'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
            'WEBSITE_NODE_DEFAULT_VERSION',
        ]) {
            expect(settings.has(retired)).toBe(false);
        }
    });
});

describe('deployment templates: well-formed (issue #7)', () => {
    it.each([...bicep.keys()])('%s balances its brackets and uses known API versions', (path) => {
        const text = file(path);
        expect(bracketsBalance(text)).toBe(true);
        const knownApiVersions = new Set([
            'Microsoft.Resources/resourceGroups@2022-09-01',
            'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31',
            'Microsoft.OperationalInsights/workspaces@2022-10-01',
            'Microsoft.Insights/components@2020-02-02',
            'Microsoft.Storage/storageAccounts@2023-05-01',
            'Microsoft.Storage/storageAccounts/blobServices@2023-05-01',
            'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01',
            'Microsoft.Storage/storageAccounts/tableServices@2023-05-01',
            'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01',
            'Microsoft.ServiceBus/namespaces@2022-10-01-preview',
            'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview',
            'Microsoft.KeyVault/vaults@2023-07-01',
            'Microsoft.KeyVault/vaults/secrets@2023-07-01',
            'Microsoft.Authorization/roleAssignments@2022-04-01',
            'Microsoft.Web/serverfarms@2024-04-01',
            'Microsoft.Web/sites@2024-04-01',
            'Microsoft.Web/sites/config@2024-04-01',
            'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01',
        ]);
        for (const [, type] of withoutComments(text).matchAll(/^resource\s+\w+\s+'([^']+)'/gm)) {
            expect(knownApiVersions).toContain(type);
        }
        for (const [, modulePath] of withoutComments(text).matchAll(/^module\s+\w+\s+'([^']+)'/gm)) {
            expect(existsSync(join(repoRoot, 'infra', modulePath as string))).toBe(true);
        }
    });

    it('main.parameters.json passes only parameters main.bicep declares, and every one without a default', () => {
        const declared = paramsOf(main);
        const passed = parametersFile();
        expect(Object.keys(passed).filter((name) => !declared.has(name))).toEqual([]);
        const required = [...declared].filter(([, param]) => param.defaultValue === undefined).map(([name]) => name);
        expect(required.filter((name) => !(name in passed))).toEqual([]);
    });

    it('azure.yaml deploys service api as a TypeScript function app from the staged package, built by npm ci && npm run build', () => {
        const azureYaml = parseYaml(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as {
            services: Record<
                string,
                {
                    host: string;
                    language: string;
                    project: string;
                    dist: string;
                    remoteBuild: boolean;
                    hooks: { prepackage: { posix: { run: string }; windows: { run: string } } };
                }
            >;
        };
        const api = azureYaml.services.api!;
        expect(api).toMatchObject({
            host: 'function',
            language: 'ts',
            project: '.',
            dist: 'dist/azure-package',
            remoteBuild: false,
        });
        for (const hook of [api.hooks.prepackage.posix.run, api.hooks.prepackage.windows.run]) {
            expect(hook).toMatch(
                /npm ci .*npm run build.*node dist\/dev\/deploy\/stageFunctionPackage\.js --out dist\/azure-package/,
            );
        }
        // The Function App carries the tag azd finds service "api" by.
        expect(file('infra/modules/functionApp.bicep')).toMatch(/'azd-service-name': 'api'/);
    });
});

function parametersFile(): Record<string, string> {
    const json = JSON.parse(readFileSync(join(repoRoot, 'infra', 'main.parameters.json'), 'utf8')) as {
        parameters: Record<string, { value: string }>;
    };
    return Object.fromEntries(Object.entries(json.parameters).map(([name, { value }]) => [name, value]));
}

/** `${NAME}` placeholders of the documented sample rules file: settings the rules read, all secrets. */
function rulesSamplePlaceholders(): string[] {
    const sample = readFileSync(join(repoRoot, 'rules.sample.yaml'), 'utf8')
        .split('\n')
        .map((line) => line.replace(/(^|\s)#.*$/, ''))
        .join('\n');
    return [...new Set([...sample.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1] as string))];
}
