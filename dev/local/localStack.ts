import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ServiceBusClient, type ServiceBusReceiver } from '@azure/service-bus';

import { startAzurite, type LocalAzurite } from '../azurite/startAzurite';
import {
    createSyntheticTenant,
    scheduleDetections,
    startGraphSimulator,
    type DetectionScheduleSummary,
    type GraphSimulator,
    type SyntheticTenant,
} from '../graph-simulator';
import {
    findAppRoot,
    indexFunctionApp,
    readHostJson,
    spawnHostProcess,
    type HostEvent,
    type HostLogEntry,
    type HostProcess,
} from '../host';
import { outboxFileIn } from '../outboxFile';
import { startServiceBusEmulator, type EmulatorQueueOptions, type ServiceBusEmulator } from '../service-bus-emulator';
import { startWebhookSink, type WebhookSink } from '../webhook-sink';
import { createGraphFromSettings } from '../../shared/graph/createGraphFromSettings';
import { discoverTenantId } from '../../shared/graph/directory';
import { silentLogger } from '../../shared/logger';
import type { AuditStore } from '../../shared/remediation/auditStore';
import { createAuditStore } from '../../shared/remediation/createAuditStore';
import { parseSettings } from '../../shared/settings/parseSettings';
import { graphSettingsSchema, remediationSettingsSchema } from '../../shared/settings/settings';
import { checkRulesFile, writeLocalRules } from './localRules';
import { type DeadLetterInfo, StackMonitor } from './stackMonitor';
import { type StatusPage, type StatusSnapshot, startStatusPage } from './statusPage';

/**
 * The whole system on one machine: Azurite (checkpoint blob, audit table, delivery log), the Service Bus
 * emulator (detections and notification queues, persisted in the state folder), the Graph simulator with a
 * synthetic tenant whose detections arrive over time (a burst included), the webhook sink for Teams, the local
 * rules file, and the local Functions host running the app's registered functions in child processes with the
 * app settings below. A monitor turns what happens into a live log and counts; a status page shows it.
 * `risk-responder start` and the stack tests both run on this.
 */

/** When detections happen, relative to the start of the stack. */
export interface TimelineOptions {
    /** Detections recorded before the start (a backlog the first poll finds). Default 10 minutes. */
    backlogMs?: number;
    /** Detections keep arriving this long after the start. Default 15 minutes. */
    durationMs?: number;
    /** A password-spray wave this long after the start, over `windowMs`; false for none. Default after 20 s, over 20 s. */
    burst?: { afterMs: number; users: number; windowMs: number } | false;
    /** Delay between a detection's record time and its visibility in Graph. Default 3 to 20 seconds. */
    visibilityLagMs?: { min: number; max: number };
}

export interface LocalStackOptions {
    /** Folder of the local state: rules file, emulator and Azurite data, outbox, schedule status. */
    stateDir: string;
    /** The function app root. Default: found above this file. */
    appRoot?: string;
    /** Seed of the synthetic tenant and its timeline. Default 'contoso'. */
    seed?: string;
    /** Regular users of the synthetic tenant. Default 200. */
    users?: number;
    /** Detections over the timeline, the burst included. Default 120. */
    detections?: number;
    timeline?: TimelineOptions;
    /** Identity-protection requests per second the simulated tenant allows, and the app's pacing. Default 2. */
    graphLimitPerSecond?: number;
    /** POLL_SCHEDULE. Default every 10 seconds. */
    pollSchedule?: string;
    /** Rules mode against the simulator. Default enforce. */
    mode?: 'enforce' | 'dryRun';
    /** Against a real tenant: real Graph with Azure credentials from `env`; dry-run unless `enforce`. */
    realTenant?: { enforce: boolean; env: NodeJS.ProcessEnv };
    /** One host process for all functions (as one Azure instance), or one per function (fault tests). */
    layout?: 'single' | 'perFunction';
    /** Start no host: the services only, for `func start` with `<state>/local.settings.json`. Default false. */
    servicesOnly?: boolean;
    /** Keep the emulator's queues and Azurite's data in the state folder across runs. Default true. */
    persist?: boolean;
    /** Use this storage account (e.g. the tests' Azurite) instead of starting Azurite. */
    storageConnectionString?: string;
    /** Appended to table and container names, so stacks can share a storage account. Default none. */
    nameSuffix?: string;
    /** Options of the detections queue; lock duration sized for a full batch by default. */
    riskQueue?: Omit<EmulatorQueueOptions, 'name'>;
    /** Extra or changed app settings for every host process. */
    appSettings?: Readonly<Record<string, string>>;
    /** Settings for one host process only (perFunction layout), by function name. */
    hostSettings?: (processName: string) => Readonly<Record<string, string>>;
    /** Serve the status page. Default true. */
    statusPage?: boolean;
    /** Receives the live log lines. Default: nothing. */
    print?: (line: string) => void;
    /** Print the functions' information lines too, not only warnings and errors. */
    verbose?: boolean;
    /** How often the monitor reads its sources, ms. Default 1000. */
    monitorIntervalMs?: number;
    /** How often a progress line may appear during long work, ms. Default 5000. */
    progressIntervalMs?: number;
    /** How long a host waits for a running invocation at stop. Default 10 s. */
    stopGraceMs?: number;
}

export interface LocalStack {
    readonly appRoot: string;
    readonly stateDir: string;
    readonly tenantId: string;
    readonly settings: Readonly<Record<string, string>>;
    readonly rulesFile: string;
    readonly graphUrl: string;
    readonly simulator: GraphSimulator | undefined;
    readonly tenant: SyntheticTenant | undefined;
    readonly plan: DetectionScheduleSummary | undefined;
    readonly emulator: ServiceBusEmulator;
    readonly sink: WebhookSink;
    readonly statusUrl: string | undefined;
    readonly audit: AuditStore;
    readonly monitor: StackMonitor;
    /** Host processes by name: `all` in the single layout, the function name in the perFunction layout. */
    readonly hosts: ReadonlyMap<string, HostProcess>;
    /** Lines describing where each part listens. */
    describe(): string[];
    /** Starts (or restarts) a host process after it stopped or was killed. */
    startHost(name: string): Promise<HostProcess>;
    /** Stops the emulator (its state is saved) and starts it again on the same port. */
    restartEmulator(): Promise<void>;
    /** Reads every source once more (the monitor also does it on its own every second). */
    refresh(): Promise<void>;
    snapshot(): Promise<StatusSnapshot>;
    /** Stops every part cleanly: hosts first (running invocations finish or give their messages back). */
    stop(): Promise<void>;
}

export const riskQueueName = 'risk-detections';
export const notifyQueueName = 'risk-notifications';
/** Overlap the poller re-reads; the detections queue's duplicate detection window must cover it. */
const pollOverlapMinutes = 15;

/**
 * A lock long enough for a full batch: the time the trigger may spend filling it (host.json maxBatchWaitTime),
 * plus about two paced Graph calls per message at the tenant's rate, plus a minute of slack; between one minute
 * and Service Bus's maximum of five.
 */
export function batchLockDurationMs(batch: { maxMessageBatchSize: number; maxBatchWaitTime: number }, callsPerSecond: number): number {
    const needed = 60_000 + batch.maxBatchWaitTime + Math.ceil(((batch.maxMessageBatchSize * 2) / callsPerSecond) * 1000);
    return Math.min(5 * 60_000, Math.max(60_000, needed));
}

const secopsMailbox = 'secops@contoso.example';

/** Environment variables a real-tenant run passes on for DefaultAzureCredential (never shown). */
function credentialEnv(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(
        Object.entries(env).filter(
            (entry): entry is [string, string] =>
                entry[1] !== undefined && /^(AZURE_|IDENTITY_|MSI_|AZURE_CONFIG_DIR$)/.test(entry[0]),
        ),
    );
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
    const appRoot = options.appRoot ?? findAppRoot(__dirname);
    const stateDir = resolve(options.stateDir);
    await mkdir(stateDir, { recursive: true });
    const print = options.print ?? (() => undefined);
    const persist = options.persist ?? true;
    const suffix = options.nameSuffix ?? '';
    const limit = options.graphLimitPerSecond ?? 2;
    const startedAt = new Date();
    const closers: Array<() => Promise<void>> = [];
    const closeAll = async () => {
        for (const close of closers.splice(0).reverse()) {
            await close().catch(() => undefined);
        }
    };

    try {
        // Storage: Azurite persisted in the state folder, or the one given.
        let azurite: LocalAzurite | undefined;
        let storage = options.storageConnectionString;
        if (storage === undefined) {
            azurite = await startAzurite(persist ? { location: join(stateDir, 'azurite') } : {});
            closers.push(() => azurite!.stop());
            storage = azurite.connectionString;
        }

        // Graph: the simulator with a synthetic tenant, or the real tenant.
        let simulator: GraphSimulator | undefined;
        let tenant: SyntheticTenant | undefined;
        let plan: DetectionScheduleSummary | undefined;
        let graphUrl: string;
        let tenantId: string;
        const real = options.realTenant;
        if (real) {
            const graphSettings = parseSettings(graphSettingsSchema.partial({ TENANT_ID: true }), real.env);
            graphUrl = graphSettings.GRAPH_ENDPOINT;
            tenantId =
                graphSettings.TENANT_ID ??
                (await discoverTenantId(createGraphFromSettings({ ...graphSettings, TENANT_ID: '' }, silentLogger)));
        } else {
            const seed = options.seed ?? 'contoso';
            tenant = createSyntheticTenant({ seed, userCount: options.users ?? 200, start: startedAt });
            const timeline = options.timeline ?? {};
            const backlogMs = timeline.backlogMs ?? 10 * 60_000;
            const burst = timeline.burst ?? {
                afterMs: 20_000,
                users: Math.max(5, Math.round((options.users ?? 200) * 0.1)),
                windowMs: 20_000,
            };
            plan = scheduleDetections(tenant, {
                seed,
                start: new Date(startedAt.getTime() - backlogMs),
                durationMs: backlogMs + (timeline.durationMs ?? 15 * 60_000),
                count: options.detections ?? 120,
                burst:
                    burst === false
                        ? false
                        : { at: new Date(startedAt.getTime() + burst.afterMs), userCount: burst.users, windowMs: burst.windowMs },
                visibilityLagMs: timeline.visibilityLagMs ?? { min: 3_000, max: 20_000 },
            });
            simulator = await startGraphSimulator({ tenant, limitPerSecond: limit });
            const started = simulator;
            closers.push(() => started.stop());
            graphUrl = simulator.url;
            tenantId = tenant.tenantId;
        }

        // Service Bus: the emulator, its queues saved in the state folder.
        const hostJson = await readHostJson(appRoot, options.appSettings ?? {});
        const riskQueue: EmulatorQueueOptions = {
            name: riskQueueName,
            lockDurationMs: batchLockDurationMs(hostJson.extensions.serviceBus, limit),
            maxDeliveryCount: 10,
            duplicateDetectionWindowMs: (pollOverlapMinutes + 5) * 60_000,
            ...options.riskQueue,
        };
        const notifyQueue: EmulatorQueueOptions = {
            name: notifyQueueName,
            lockDurationMs: 60_000,
            maxDeliveryCount: 10,
            duplicateDetectionWindowMs: 60 * 60_000,
        };
        const emulatorOptions = {
            queues: [riskQueue, notifyQueue],
            ...(persist ? { persistFile: join(stateDir, 'service-bus.json') } : {}),
        };
        let emulator = await startServiceBusEmulator(emulatorOptions);
        closers.push(() => emulator.stop());

        const sink = await startWebhookSink({ recordFile: outboxFileIn(stateDir) });
        closers.push(() => sink.stop());

        // App settings: what local.settings.json would hold; the host processes get exactly these.
        const rulesFile = real?.env.RULES_FILE ? resolve(real.env.RULES_FILE) : join(stateDir, 'rules.yaml');
        const base: Record<string, string> = {
            FUNCTIONS_WORKER_RUNTIME: 'node',
            AzureWebJobsStorage: storage,
            TENANT_ID: tenantId,
            GRAPH_ENDPOINT: graphUrl,
            GRAPH_CALLS_PER_SECOND: String(limit),
            GRAPH_MAX_ATTEMPTS: '6',
            GRAPH_REQUEST_TIMEOUT_SECONDS: '30',
            MIN_RISK_LEVEL: 'medium',
            POLL_SCHEDULE: options.pollSchedule ?? '*/10 * * * * *',
            POLL_OVERLAP_MINUTES: String(pollOverlapMinutes),
            INITIAL_LOOKBACK_HOURS: '24',
            POLL_TIME_BUDGET_SECONDS: '60',
            RISK_QUEUE_NAME: riskQueueName,
            ServiceBusConnection: emulator.connectionString,
            CHECKPOINT_STORE: 'blob',
            CHECKPOINT_CONTAINER: `risk-responder${suffix}`.toLowerCase(),
            RULES_FILE: rulesFile,
            FORCE_DRY_RUN: real && !real.enforce ? 'true' : 'false',
            AUDIT_STORE: 'table',
            AUDIT_TABLE: `riskresponderaudit${suffix}`,
            NOTIFY_QUEUE_NAME: notifyQueueName,
            ALLOW_LOOPBACK_WEBHOOKS: 'true',
            ALERT_TEAMS_WEBHOOK: `${sink.url}/alerts`,
            TEAMS_SECOPS_WEBHOOK: `${sink.url}/secops`,
            DELIVERY_LOG_STORE: 'table',
            DELIVERY_LOG_TABLE: `riskrespondernotify${suffix}`,
            NOTIFY_RETRY_BASE_SECONDS: '2',
            NOTIFY_RETRY_MAX_SECONDS: '30',
            ...(tenant ? { MAIL_SENDER: tenant.notificationMailbox, ALERT_EMAIL: secopsMailbox } : {}),
            ...(real?.env.MAIL_SENDER ? { MAIL_SENDER: real.env.MAIL_SENDER } : {}),
            ...options.appSettings,
        };
        // Credentials reach the host processes only; they are never written to the state folder.
        const credentials = real ? credentialEnv(real.env) : {};

        // The rules file: the sample adapted to this tenant (unless a real-tenant run brings its own).
        if (!real?.env.RULES_FILE) {
            await writeLocalRules({
                appRoot,
                file: rulesFile,
                mode: real ? 'dryRun' : (options.mode ?? 'enforce'),
                ...(tenant ? { exclusionGroupIds: [tenant.breakGlassGroupId, tenant.exclusionGroupId] } : {}),
                ownerEmail: [secopsMailbox],
                tenantId,
            });
        }
        const check = await checkRulesFile(rulesFile, base);
        if (!check.ok) {
            throw new Error(`the rules file ${rulesFile} is invalid: ${check.problems.join('; ')}`);
        }
        await writeFile(join(stateDir, 'local.settings.json'), `${JSON.stringify({ IsEncrypted: false, Values: base }, null, 4)}\n`);

        const audit = createAuditStore(parseSettings(remediationSettingsSchema, base), tenantId);

        // Dead letters are read from the emulator's dead-letter sub-queues with the SDK.
        let dlqClient: ServiceBusClient | undefined;
        const dlqReceivers = new Map<string, ServiceBusReceiver>();
        const peekDeadLetters = async (queue: string, after: number): Promise<DeadLetterInfo[]> => {
            dlqClient ??= new ServiceBusClient(emulator.connectionString, {
                retryOptions: { maxRetries: 1, timeoutInMs: 5000 },
            });
            let receiver = dlqReceivers.get(queue);
            if (!receiver) {
                receiver = dlqClient.createReceiver(queue, { subQueueType: 'deadLetter', skipParsingBodyAsJson: true });
                dlqReceivers.set(queue, receiver);
            }
            const found: DeadLetterInfo[] = [];
            try {
                for (let batch = await receiver.peekMessages(50); batch.length > 0; batch = await receiver.peekMessages(50)) {
                    for (const message of batch) {
                        const sequenceNumber = message.sequenceNumber?.toNumber() ?? 0;
                        if (sequenceNumber > after) {
                            found.push({
                                queue,
                                sequenceNumber,
                                messageId: String(message.messageId ?? ''),
                                reason: message.deadLetterReason ?? '',
                                description: message.deadLetterErrorDescription ?? '',
                            });
                        }
                    }
                }
            } catch (error) {
                dlqReceivers.delete(queue);
                await receiver.close().catch(() => undefined);
                throw error;
            }
            return found;
        };
        const closeDlq = async () => {
            for (const receiver of dlqReceivers.values()) {
                await receiver.close().catch(() => undefined);
            }
            dlqReceivers.clear();
            await dlqClient?.close().catch(() => undefined);
            dlqClient = undefined;
        };
        closers.push(closeDlq);

        const monitor = new StackMonitor({
            audit,
            since: startedAt,
            simulator,
            sink,
            queues: [riskQueueName, notifyQueueName],
            consumerQueue: riskQueueName,
            queueStats: (queue) => {
                try {
                    return emulator.queueStats(queue);
                } catch {
                    return undefined;
                }
            },
            peekDeadLetters,
            print,
        });

        // Host processes.
        const hosts = new Map<string, HostProcess>();
        const layout = options.layout ?? 'single';
        const onLog = (entry: HostLogEntry) => {
            monitor.onHostLog(entry);
            // Decisions, skips and rejections have their own lines; the functions' errors are shown too.
            const important = entry.level === 'error' || entry.level === 'critical';
            if (entry.category === 'user' && (important || options.verbose)) {
                const kind = entry.level === 'information' ? 'log' : entry.level === 'warning' ? 'warn' : 'error';
                print(`${entry.time.toISOString().slice(11, 19)}  ${kind.padEnd(11)}${entry.functionName ?? ''}: ${entry.message}`);
            } else if (entry.category === 'host' && entry.level === 'error' && entry.invocationId === undefined) {
                print(`${entry.time.toISOString().slice(11, 19)}  ${'error'.padEnd(11)}host: ${entry.message}`);
            }
        };
        const onEvent = (source: string) => (event: HostEvent) => monitor.onHostEvent(event, source);
        const processNames = options.servicesOnly
            ? []
            : layout === 'single'
                ? ['all']
                : (await indexFunctionApp({ appRoot, settings: base })).functions.map((fn) => {
                      monitor.onHostEvent({ kind: 'indexed', functions: [fn] }, 'index');
                      return fn.name;
                  });
        const startHost = async (name: string): Promise<HostProcess> => {
            const previous = hosts.get(name);
            if (previous) {
                await previous.stop();
            }
            const settings: Record<string, string> = {
                ...base,
                ...credentials,
                ...(name === 'all' ? {} : { AzureFunctionsJobHost__functions__0: name }),
                ...options.hostSettings?.(name),
            };
            const host = await spawnHostProcess({
                appRoot,
                settings,
                scheduleStatusDir: join(stateDir, 'timers', name),
                stopGraceMs: options.stopGraceMs ?? 10_000,
                onLog,
                onEvent: onEvent(name),
                onOutput: (line) => {
                    if (options.verbose) {
                        print(`${' '.repeat(21)}${name}: ${line}`);
                    }
                },
            });
            hosts.set(name, host);
            // A killed process never reports the end of what it was running.
            void host.exited.then(() => monitor.forgetRunning(name));
            return host;
        };
        closers.push(async () => {
            await Promise.all([...hosts.values()].map((host) => host.stop()));
        });
        await Promise.all(processNames.map((name) => startHost(name)));

        // The monitor reads its sources every second; a progress line during long work.
        const monitorTimer = setInterval(() => void monitor.tick(), options.monitorIntervalMs ?? 1000);
        let lastProgress = Date.now();
        const progressEvery = options.progressIntervalMs ?? 5000;
        const progressTimer = setInterval(() => {
            const line = monitor.progressLine(progressEvery);
            if (line && Date.now() - lastProgress >= progressEvery) {
                lastProgress = Date.now();
                print(line);
            }
        }, 1000);
        closers.push(async () => {
            clearInterval(monitorTimer);
            clearInterval(progressTimer);
            await monitor.tick();
        });

        const settingsView = base;
        const snapshot = (): Promise<StatusSnapshot> =>
            buildSnapshot({
                tenantId,
                graphUrl,
                mode: real ? (real.enforce ? 'enforce (real tenant)' : 'dry-run (real tenant)') : (options.mode ?? 'enforce'),
                monitor,
                audit,
                tenant,
                queues: [riskQueueName, notifyQueueName].flatMap((name) => {
                    try {
                        return [{ name, ...emulator.queueStats(name) }];
                    } catch {
                        return [];
                    }
                }),
                caps: parseSettings(remediationSettingsSchema, settingsView),
            });
        let statusPage: StatusPage | undefined;
        if (options.statusPage ?? true) {
            statusPage = await startStatusPage(snapshot);
            const page = statusPage;
            closers.push(() => page.stop());
        }

        let stopping: Promise<void> | undefined;
        const stack: LocalStack = {
            appRoot,
            stateDir,
            tenantId,
            settings: settingsView,
            rulesFile,
            graphUrl,
            simulator,
            tenant,
            plan,
            get emulator() {
                return emulator;
            },
            sink,
            statusUrl: statusPage?.url,
            audit,
            monitor,
            hosts,
            describe: () => [
                `Graph ${real ? 'tenant' : 'simulator'}   ${graphUrl}${tenant ? ` (tenant ${tenantId}, ${tenant.userIds.length} users, ${plan?.scheduled ?? 0} detections, burst of ${plan?.burstUserIds.length ?? 0} users)` : ` (tenant ${tenantId})`}`,
                `Service Bus        ${emulator.connectionString.replace(/SharedAccessKey=[^;]*/, 'SharedAccessKey=…')} (queues ${riskQueueName}, ${notifyQueueName})`,
                `Storage            ${azurite ? `Azurite blob 127.0.0.1:${azurite.blobPort}, table 127.0.0.1:${azurite.tablePort}` : 'shared Azurite'} (audit table ${base.AUDIT_TABLE})`,
                `Webhook sink       ${sink.url} (Teams posts; outbox ${outboxFileIn(stateDir)})`,
                `Rules file         ${rulesFile}`,
                `App settings       ${join(stateDir, 'local.settings.json')}`,
                hosts.size > 0
                    ? `Functions host     ${[...hosts.entries()].map(([name, host]) => `${name} (pid ${host.pid})`).join(', ')}`
                    : `Functions host     not started: copy ${join(stateDir, 'local.settings.json')} to the app root and run func start`,
                ...(statusPage ? [`Status page        ${statusPage.url}`] : []),
            ],
            startHost,
            restartEmulator: async () => {
                const port = emulator.port;
                await closeDlq();
                await emulator.stop();
                emulator = await startServiceBusEmulator({ ...emulatorOptions, port });
            },
            refresh: () => monitor.tick(),
            snapshot,
            stop: () => {
                stopping ??= closeAll();
                return stopping;
            },
        };
        return stack;
    } catch (error) {
        await closeAll();
        throw error;
    }
}

async function buildSnapshot(input: {
    tenantId: string;
    graphUrl: string;
    mode: string;
    monitor: StackMonitor;
    audit: AuditStore;
    tenant: SyntheticTenant | undefined;
    queues: StatusSnapshot['queues'];
    caps: { BREAKER_MAX_CONFIRMATIONS_PER_HOUR: number; BREAKER_MAX_DISMISSALS_PER_HOUR: number };
}): Promise<StatusSnapshot> {
    const { monitor, tenant } = input;
    const now = new Date();
    const decisions = [...monitor.decisions.values()].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    const hour = await input.audit.list({ since: new Date(now.getTime() - 3_600_000) });
    const counted = (action: 'confirmCompromised' | 'dismiss') =>
        hour.filter(
            (record) =>
                record.action === action &&
                (record.outcome === 'applied' || record.outcome === 'pending' || (record.mode === 'dryRun' && record.outcome === 'dryRun')),
        ).length;
    const heldInHour = (action: 'confirmCompromised' | 'dismiss') =>
        hour.filter((record) => record.outcome === 'held' && record.reason.includes(action)).length;
    const breakerRow = (action: 'confirmCompromised' | 'dismiss', cap: number) => {
        const used = counted(action);
        const held = heldInHour(action);
        return { action, used, cap, heldInHour: held, state: used >= cap || held > 0 ? ('open' as const) : ('closed' as const) };
    };
    const hits = new Map<string, { decisions: number; applied: number }>();
    for (const record of decisions) {
        if (record.outcome === 'rejected') {
            continue;
        }
        const ruleId = record.ruleId ?? '(no rule)';
        const entry = hits.get(ruleId) ?? { decisions: 0, applied: 0 };
        entry.decisions++;
        entry.applied += record.outcome === 'applied' ? 1 : 0;
        hits.set(ruleId, entry);
    }
    const detections = tenant
        ? [...tenant.detections.values()]
              .map((detection) => tenant.visibleVersion(detection, now))
              .filter((detection) => detection !== undefined)
              .sort((a, b) => (a.lastUpdatedDateTime < b.lastUpdatedDateTime ? 1 : -1))
              .slice(0, 30)
              .map((d) => ({
                  id: d.id,
                  user: d.userPrincipalName ?? d.userId,
                  type: d.riskEventType,
                  level: d.riskLevel,
                  state: d.riskState,
                  lastUpdated: d.lastUpdatedDateTime,
              }))
        : [];
    return {
        generatedAt: now.toISOString(),
        tenantId: input.tenantId,
        graph: input.graphUrl,
        mode: input.mode,
        counts: monitor.counts(),
        queues: input.queues,
        polls: monitor.polls.slice(-10).reverse(),
        detections,
        decisions: decisions.slice(0, 50).map((record) => ({
            time: record.time,
            user: record.userPrincipalName ?? record.userId ?? '',
            action: record.action,
            ruleId: record.ruleId ?? '-',
            mode: record.mode,
            outcome: record.outcome,
            reason: record.reason,
        })),
        actions: monitor.actions.slice(-50).reverse(),
        notifications: monitor.notifications.slice(-50).reverse(),
        deadLetters: monitor.deadLetters.slice(-50).reverse(),
        breaker: [
            breakerRow('confirmCompromised', input.caps.BREAKER_MAX_CONFIRMATIONS_PER_HOUR),
            breakerRow('dismiss', input.caps.BREAKER_MAX_DISMISSALS_PER_HOUR),
        ],
        ruleHits: [...hits.entries()].map(([ruleId, entry]) => ({ ruleId, ...entry })).sort((a, b) => b.decisions - a.decisions),
    };
}

/** A short random suffix for table and container names (letters and digits only). */
export function uniqueNameSuffix(): string {
    return `t${randomBytes(4).toString('hex')}`;
}
