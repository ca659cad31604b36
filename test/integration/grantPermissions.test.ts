import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { CommandIo, runGrantPermissions } from '../../cli/commands/grantPermissions';
import { UsageError } from '../../cli/usageError';
import { createTenant, GraphSimulator, startGraphSimulator } from '../../dev/graph-simulator';
import { microsoftGraphAppRoles, servicePrincipalsOf } from '../../dev/graph-simulator/servicePrincipalStore';
import { hasErrorCode } from '../../shared/errors';
import { microsoftGraphAppId } from '../../shared/graph/appRoles';

/** What the five always-needed permissions and the revocation one are, by name. */
const basePermissions = [
    'GroupMember.Read.All',
    'IdentityRiskEvent.Read.All',
    'IdentityRiskyUser.ReadWrite.All',
    'Mail.Send',
    'User.Read.All',
];
const withRevocation = [...basePermissions, 'User.RevokeSessions.All'].sort();

const rulesDir = mkdtempSync(join(tmpdir(), 'rr-grant-'));
/** The documented sample: its leaked-credentials rule revokes sessions; its webhook placeholder is left unset. */
const sampleRules = join(__dirname, '..', '..', 'rules.sample.yaml');
const rulesWithoutRevocation = join(rulesDir, 'no-revoke.yaml');
writeFileSync(
    rulesWithoutRevocation,
    `version: 1
rules:
  - id: leaked-credentials
    when: { riskEventType: [leakedCredentials], riskLevel: [high] }
    then: { action: confirmCompromised }
  - id: old-revoking-rule
    enabled: false
    when: { riskEventType: [passwordSpray] }
    then: { action: confirmCompromised, revokeSessions: true }
`,
);

/** A command run's output and exit code, as `risk-responder` reports them (cli/main.ts maps thrown errors). */
interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function captureIo(stdin: CommandIo['stdin'] = Object.assign(new PassThrough(), { isTTY: false })): {
    io: CommandIo;
    out: { stdout: string; stderr: string };
} {
    const out = { stdout: '', stderr: '' };
    return {
        out,
        io: {
            stdin,
            stdout: { write: (text: string) => (out.stdout += text) },
            stderr: { write: (text: string) => (out.stderr += text) },
        },
    };
}

async function run(argv: string[], io = captureIo()): Promise<Run> {
    let code: number;
    try {
        code = await runGrantPermissions(argv, { GRAPH_CALLS_PER_SECOND: '100' }, io.io);
    } catch (error) {
        io.out.stderr += `error: ${error instanceof Error ? error.message : String(error)}\n`;
        code =
            error instanceof UsageError || hasErrorCode(error, 'args.invalid') || hasErrorCode(error, 'rules.invalid')
                ? 2
                : 1;
    }
    return { code, ...io.out };
}

/** A terminal on stdin that types `answer` once the prompt is up. */
function terminalAnswering(answer: string): CommandIo['stdin'] {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    setImmediate(() => stdin.write(`${answer}\n`));
    return stdin;
}

describe('risk-responder grant-permissions against the Graph simulator (issue #7)', () => {
    let simulator: GraphSimulator;
    let identityId: string;
    let granted: () => string[];

    beforeEach(async () => {
        const tenant = createTenant('5d0b8c3e-2f4a-4b6c-9d8e-0a1b2c3d4e5f');
        simulator = await startGraphSimulator({ tenant, limitPerSecond: 100 });
        const store = servicePrincipalsOf(tenant);
        identityId = store.appIdentity.id;
        granted = () => store.grantedValues(identityId);
    });
    afterEach(async () => {
        await simulator.stop();
    });

    const base = () => ['--graph-endpoint', simulator.url, '--principal-id', identityId];
    const posts = () => simulator.requests.filter((request) => request.method === 'POST');

    it('grants the five permissions and User.RevokeSessions.All when a rule revokes sessions, printing the plan', async () => {
        const result = await run([...base(), '--rules', sampleRules, '--yes']);

        expect(result.code).toBe(0);
        expect(granted()).toEqual(withRevocation);
        for (const permission of withRevocation) {
            expect(result.stdout).toMatch(new RegExp(`assign\\s+${permission.replace(/\./g, '\\.')}\\s`));
        }
        expect(result.stdout).toContain('id-risk-responder');
        expect(result.stdout).toContain('6 to assign, 0 already granted, 0 not needed.');
        expect(result.stdout).toMatch(
            /User\.RevokeSessions\.All .*rule\(s\) leaked-credentials of .*rules\.sample\.yaml/,
        );
        expect(result.stdout).toContain('Assigned 6');
    });

    it('is idempotent: a second run assigns nothing and needs no confirmation', async () => {
        await run([...base(), '--rules', sampleRules, '--yes']);
        simulator.resetStats();

        const second = await run([...base(), '--rules', sampleRules]);

        expect(second.code).toBe(0);
        expect(posts()).toHaveLength(0);
        expect(second.stdout).toContain('0 to assign, 6 already granted');
        expect(second.stdout).toContain('Nothing to assign');
        expect(granted()).toEqual(withRevocation);
    });

    it('leaves User.RevokeSessions.All out when no enabled rule revokes sessions, and says why', async () => {
        const result = await run([...base(), '--rules', rulesWithoutRevocation, '--yes']);

        expect(result.code).toBe(0);
        expect(granted()).toEqual(basePermissions);
        expect(result.stdout).toMatch(
            /skip\s+User\.RevokeSessions\.All\s+no enabled rule in .*no-revoke\.yaml uses revokeSessions/,
        );
        expect(result.stderr).toContain('old-revoking-rule');
    });

    it('leaves User.RevokeSessions.All out without --rules', async () => {
        const result = await run([...base(), '--yes']);

        expect(result.code).toBe(0);
        expect(granted()).toEqual(basePermissions);
        expect(result.stdout).toMatch(/skip\s+User\.RevokeSessions\.All\s+no --rules FILE given/);
    });

    it('exits 2 with the reason, after printing the plan, when stdin is not a terminal and --yes is missing', async () => {
        const result = await run([...base(), '--rules', sampleRules]);

        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/standard input is not a terminal.*--yes/);
        expect(result.stdout).toContain('6 to assign');
        expect(posts()).toHaveLength(0);
        expect(granted()).toEqual([]);
    });

    it('asks on a terminal and assigns on "y"', async () => {
        const io = captureIo(terminalAnswering('y'));

        const result = await run([...base(), '--rules', rulesWithoutRevocation], io);

        expect(result.code).toBe(0);
        expect(result.stderr).toContain('Assign 5 application permission(s) to id-risk-responder');
        expect(granted()).toEqual(basePermissions);
    });

    it('assigns nothing and exits 1 when the answer is not yes', async () => {
        const result = await run([...base()], captureIo(terminalAnswering('n')));

        expect(result.code).toBe(1);
        expect(result.stderr).toContain('cancelled');
        expect(granted()).toEqual([]);
    });

    it('finds the identity by its client id', async () => {
        const appId = servicePrincipalsOf(simulator.tenant).appIdentity.appId;

        const result = await run(['--graph-endpoint', simulator.url, '--client-id', appId, '--yes', '--json']);

        expect(result.code).toBe(0);
        const summary = JSON.parse(result.stdout) as { principal: { id: string }; assigned: string[] };
        expect(summary.principal.id).toBe(identityId);
        expect([...summary.assigned].sort()).toEqual(basePermissions);
    });

    it('--no-mail-send leaves Mail.Send out and warns when it is still granted tenant-wide', async () => {
        await run([...base(), '--yes']);

        const result = await run([...base(), '--no-mail-send', '--yes']);

        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/skip\s+Mail\.Send\s+--no-mail-send/);
        expect(result.stdout).toContain(
            'not needed by risk-responder (left as they are; remove them for least privilege): Mail.Send',
        );
        expect(result.stderr).toContain('Mail.Send is granted tenant-wide');
    });

    it('reports permissions risk-responder does not need without removing them', async () => {
        const store = servicePrincipalsOf(simulator.tenant);
        const directoryRead = microsoftGraphAppRoles.find((role) => role.value === 'Directory.Read.All')!;
        store.assign(store.appIdentity, store.microsoftGraph, directoryRead.id, new Date());

        const result = await run([...base(), '--yes']);

        expect(result.code).toBe(0);
        expect(result.stdout).toContain('remove them for least privilege): Directory.Read.All');
        expect(granted()).toEqual([...basePermissions, 'Directory.Read.All'].sort());
    });

    it.each([
        [['--yes'], /exactly one of --principal-id or --client-id/],
        [['--principal-id', 'not-a-guid', '--yes'], /--principal-id: must be a GUID/],
        [['--principal-id', '0a1b2c3d-0000-4000-8000-00000000abcd', '--yes'], /no service principal has the object id/],
    ])('exits 2 for bad input %p', async (argv, reason) => {
        const result = await run(['--graph-endpoint', simulator.url, ...argv]);

        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(reason);
    });
});

describe('Graph simulator: service principals and app role assignments (issue #7)', () => {
    let simulator: GraphSimulator;

    beforeAll(async () => {
        simulator = await startGraphSimulator({ tenant: createTenant('7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b') });
    });
    afterAll(async () => {
        await simulator.stop();
    });

    /** The parts of Graph's answers these tests read. */
    interface GraphJson {
        value: Array<Record<string, unknown>>;
        error: { message: string };
        '@odata.nextLink'?: string;
        [key: string]: unknown;
    }

    async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: GraphJson }> {
        const response = await fetch(`${simulator.url}/v1.0/${path}`, {
            method,
            headers: { Authorization: 'Bearer test', 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.status, json: (await response.json()) as GraphJson };
    }

    it('finds Microsoft Graph by appId with its application roles, real ids included', async () => {
        const { status, json } = await call(
            'GET',
            `servicePrincipals?$filter=${encodeURIComponent(`appId eq '${microsoftGraphAppId}'`)}&$select=id,appRoles`,
        );

        expect(status).toBe(200);
        expect(json.value).toHaveLength(1);
        const graph = json.value[0]!;
        const roles = graph.appRoles as Array<{ id: string; value: string }>;
        expect(roles.find((role) => role.value === 'User.Read.All')?.id).toBe('df021288-bdef-4463-88db-98f22de89214');
        expect(Object.keys(graph)).toEqual(['id', 'appRoles']);
    });

    it('validates assignments as Graph does: principal, role, duplicates', async () => {
        const store = servicePrincipalsOf(simulator.tenant);
        const principalId = store.appIdentity.id;
        const resourceId = store.microsoftGraph.id;
        const appRoleId = 'df021288-bdef-4463-88db-98f22de89214';
        const path = `servicePrincipals/${principalId}/appRoleAssignments`;

        const created = await call('POST', path, { principalId, resourceId, appRoleId });
        expect(created.status).toBe(201);
        expect(created.json).toMatchObject({
            principalId,
            resourceId,
            appRoleId,
            resourceDisplayName: 'Microsoft Graph',
        });

        const duplicate = await call('POST', path, { principalId, resourceId, appRoleId });
        expect(duplicate.status).toBe(400);
        expect(duplicate.json.error.message).toBe('Permission being assigned already exists on the object.');

        const unknownRole = await call('POST', path, {
            principalId,
            resourceId,
            appRoleId: '0a1b2c3d-0000-4000-8000-000000000001',
        });
        expect(unknownRole.status).toBe(400);
        expect(unknownRole.json.error.message).toContain('Permission being assigned was not found');

        const otherPrincipal = await call('POST', path, { principalId: resourceId, resourceId, appRoleId });
        expect(otherPrincipal.status).toBe(400);

        const missingField = await call('POST', path, { principalId, resourceId });
        expect(missingField.status).toBe(400);

        const unknownPrincipal = await call(
            'POST',
            'servicePrincipals/0a1b2c3d-0000-4000-8000-000000000002/appRoleAssignments',
            {
                principalId: '0a1b2c3d-0000-4000-8000-000000000002',
                resourceId,
                appRoleId,
            },
        );
        expect(unknownPrincipal.status).toBe(404);

        const listed = await call('GET', `${path}?$select=appRoleId,resourceId`);
        expect(listed.json.value).toEqual([{ appRoleId, resourceId }]);
    });

    it('pages assignments with @odata.nextLink', async () => {
        const store = servicePrincipalsOf(simulator.tenant);
        const principal = store.add({ displayName: 'paging-check', servicePrincipalType: 'ManagedIdentity' });
        for (const role of microsoftGraphAppRoles.slice(0, 3)) {
            store.assign(principal, store.microsoftGraph, role.id, new Date());
        }

        const first = await call('GET', `servicePrincipals/${principal.id}/appRoleAssignments?$top=2`);
        expect(first.json.value).toHaveLength(2);
        const next = await fetch(first.json['@odata.nextLink']!, { headers: { Authorization: 'Bearer test' } });
        expect(((await next.json()) as { value: unknown[] }).value).toHaveLength(1);
    });
});
