import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { startAzurite, LocalAzurite } from '../dev/azurite/startAzurite';
import { GraphSimulator, SimulatedTenant, startGraphSimulator } from '../dev/graph-simulator';
import { HostEvent, HostProcess, spawnHostProcess } from '../dev/host';
import { ServiceBusEmulator, startServiceBusEmulator } from '../dev/service-bus-emulator';

/** The local stack the benchmark drives: the same stand-ins and host `npm start` uses, sized for measuring. */
export interface BenchStack {
    simulator: GraphSimulator;
    emulator: ServiceBusEmulator;
    azurite: LocalAzurite;
    /** The consumer (remediateRisk) runs in a process of its own, so its memory is measured apart. */
    consumer: HostProcess;
    /** The poller and the notification sender. */
    others: HostProcess;
    /** Host events of both processes with the time they arrived, for timing invocations. */
    events: Array<{ at: number; event: HostEvent }>;
    /** Peak resident set size of the consumer's process so far, in MB (Linux VmHWM). */
    consumerPeakRssMb(): Promise<number | null>;
    stop(): Promise<void>;
}

export interface BenchStackOptions {
    tenant: SimulatedTenant;
    rulesYaml: string;
    limitPerSecond: number;
    latencyMs: number;
    pollSchedule: string;
    /** Extra app settings. */
    settings?: Record<string, string>;
}

const appRoot = resolve(__dirname, '..', '..');

/** Starts the Graph simulator, the Service Bus emulator, Azurite and the local host running the app's functions. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
    const stateDir = mkdtempSync(join(tmpdir(), 'rr-bench-'));
    const rulesFile = join(stateDir, 'rules.yaml');
    writeFileSync(rulesFile, options.rulesYaml);
    const simulator = await startGraphSimulator({
        tenant: options.tenant,
        limitPerSecond: options.limitPerSecond,
        latencyMs: options.latencyMs,
    });
    const emulator = await startServiceBusEmulator({
        queues: [
            {
                name: 'risk-detections',
                lockDurationMs: 5 * 60_000,
                maxDeliveryCount: 10,
                duplicateDetectionWindowMs: 60 * 60_000,
            },
            {
                name: 'risk-notifications',
                lockDurationMs: 60_000,
                maxDeliveryCount: 10,
                duplicateDetectionWindowMs: 60 * 60_000,
            },
        ],
    });
    const azurite = await startAzurite();
    const events: Array<{ at: number; event: HostEvent }> = [];
    const settings = {
        TENANT_ID: options.tenant.tenantId,
        GRAPH_ENDPOINT: simulator.url,
        GRAPH_CALLS_PER_SECOND: String(options.limitPerSecond),
        POLL_SCHEDULE: options.pollSchedule,
        // Binding expressions (%NAME%) resolve from app settings only, as in Azure: these must be set.
        RISK_QUEUE_NAME: 'risk-detections',
        NOTIFY_QUEUE_NAME: 'risk-notifications',
        INITIAL_LOOKBACK_HOURS: '1',
        ServiceBusConnection: emulator.connectionString,
        AzureWebJobsStorage: azurite.connectionString,
        RULES_FILE: rulesFile,
        // The benchmark measures throughput; the breaker's default caps would hold most of the burst.
        BREAKER_MAX_CONFIRMATIONS_PER_HOUR: '100000',
        BREAKER_MAX_DISMISSALS_PER_HOUR: '100000',
        MAIL_SENDER: 'security-alerts@contoso.example',
        ...options.settings,
    };
    const onEvent = (event: HostEvent) => events.push({ at: Date.now(), event });
    // As on Flex Consumption, where each function scales on instances of its own.
    const consumer = await spawnHostProcess({
        appRoot,
        settings: { ...settings, AzureFunctionsJobHost__functions__0: 'remediateRisk' },
        onEvent,
    });
    const others = await spawnHostProcess({
        appRoot,
        runTimersAtStart: true,
        settings: {
            ...settings,
            AzureFunctionsJobHost__functions__0: 'pollRiskDetections',
            AzureFunctionsJobHost__functions__1: 'deliverNotifications',
        },
        onEvent,
    });
    return {
        simulator,
        emulator,
        azurite,
        consumer,
        others,
        events,
        async consumerPeakRssMb() {
            try {
                const status = await readFile(`/proc/${consumer.pid}/status`, 'utf8');
                const kilobytes = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
                return kilobytes === undefined ? null : Math.round(Number(kilobytes) / 1024);
            } catch {
                return null;
            }
        },
        async stop() {
            await others.stop();
            await consumer.stop();
            await emulator.stop();
            await azurite.stop();
            await simulator.stop();
        },
    };
}

/** Resolves when `done()` holds, checking every 200 ms; rejects after `timeoutMs`. */
export async function waitUntil(
    done: () => boolean | Promise<boolean>,
    timeoutMs: number,
    what: string,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((wake) => setTimeout(wake, 200));
    }
}
