/**
 * A local Azure Service Bus emulator: an AMQP 1.0 server on loopback that the unmodified
 * `@azure/service-bus` SDK talks to through a `UseDevelopmentEmulator=true` connection string.
 * Queues only (no topics or sessions), with peek-lock, delivery counts, dead-lettering, duplicate
 * detection, scheduled and deferred messages, and optional persistence to a JSON file.
 *
 * ```ts
 * const emulator = await startServiceBusEmulator({ queues: [{ name: 'risk-detections', lockDurationMs: 30_000 }] });
 * const client = new ServiceBusClient(emulator.connectionString);
 * // …
 * await client.close();
 * await emulator.stop();
 * ```
 */
import { startAmqpServer } from './amqpServer';
import {
    defaultMaxMessageSizeBytes,
    type EmulatorQueueOptions,
    type ServiceBusEmulatorOptions,
} from './emulatorOptions';
import { loadSnapshot, restoreSnapshot, snapshotOf, SnapshotFile } from './persistence';
import { QueueStore, type QueueStats } from './queueStore';

export type { EmulatorQueueOptions, ServiceBusEmulatorOptions } from './emulatorOptions';
export type { QueueStats } from './queueStore';

/** A running emulator. */
export interface ServiceBusEmulator {
    /** The TCP port it listens on. */
    readonly port: number;
    /** `Endpoint=sb://host:port;SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true`. */
    readonly connectionString: string;
    /** Creates a queue, or changes the options of an existing one. */
    createQueue(options: EmulatorQueueOptions): void;
    /** Message counts of a queue; throws for an unknown queue. */
    queueStats(name: string): QueueStats;
    /** Drops all connections, stops listening and, with `persistFile`, writes the final state. */
    stop(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

/** Starts the emulator and resolves once it listens. */
export async function startServiceBusEmulator(options: ServiceBusEmulatorOptions = {}): Promise<ServiceBusEmulator> {
    const host = options.host ?? '127.0.0.1';
    if (!loopbackHosts.has(host)) {
        throw new RangeError(
            `Service Bus emulator: host must be a loopback address (${[...loopbackHosts].join(', ')})`,
        );
    }
    const maxMessageSizeBytes = options.maxMessageSizeBytes ?? defaultMaxMessageSizeBytes;
    if (!Number.isInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 1024) {
        throw new RangeError('Service Bus emulator: maxMessageSizeBytes must be an integer of at least 1024');
    }
    const log = options.log;
    let snapshotFile: SnapshotFile | undefined;
    const store = new QueueStore({
        now: Date.now,
        onChange: () => snapshotFile?.requestSave(),
        autoCreateQueues: options.autoCreateQueues ?? true,
        log,
    });
    const snapshot = options.persistFile === undefined ? undefined : await loadSnapshot(options.persistFile);
    if (snapshot) {
        restoreSnapshot(store, snapshot);
        log?.(`loaded ${snapshot.queues.length} queue(s) from ${options.persistFile}`);
    }
    for (const queue of options.queues ?? []) {
        store.createQueue(queue);
    }
    const running = await startAmqpServer({ host, port: options.port ?? 0, maxMessageSizeBytes, store, log }).catch(
        (error: unknown) => {
            store.dispose();
            throw error;
        },
    );
    // Saving starts only now, so a failed start never overwrites the file.
    if (options.persistFile !== undefined) {
        snapshotFile = new SnapshotFile(options.persistFile, () => snapshotOf(store), log);
    }
    const endpointHost = host.includes(':') ? `[${host}]` : host;
    let stopping: Promise<void> | undefined;

    return {
        port: running.port,
        connectionString: `Endpoint=sb://${endpointHost}:${running.port};SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true`,
        createQueue: (queue) => {
            store.createQueue(queue);
        },
        queueStats: (name) => store.stats(name),
        stop: () => {
            stopping ??= (async () => {
                await running.close();
                store.dispose();
                await snapshotFile?.close();
                log?.('Service Bus emulator stopped');
            })();
            return stopping;
        },
    };
}
