/** Options of the local Service Bus emulator (exported from index.ts). */

/** A queue to create at start or later with `createQueue`. */
export interface EmulatorQueueOptions {
    /** Queue name; compared case-insensitively, as Service Bus does. */
    name: string;
    /** How long a peek-lock delivery stays locked, in ms. Default 60000 (Service Bus default: 1 minute). */
    lockDurationMs?: number;
    /** Delivery attempts before a message is dead-lettered with `MaxDeliveryCountExceeded`. Default 10. */
    maxDeliveryCount?: number;
    /** Duplicate detection window in ms, by message id. Default undefined: off, as on a Basic-tier queue. */
    duplicateDetectionWindowMs?: number;
}

export interface ServiceBusEmulatorOptions {
    /** Loopback address to listen on: '127.0.0.1' (default), 'localhost' or '::1'. */
    host?: string;
    /** TCP port; default 0 picks a free one (read it back from `port` or `connectionString`). */
    port?: number;
    /** Queues to create at start. Options given here override those loaded from `persistFile`. */
    queues?: EmulatorQueueOptions[];
    /** JSON file the queues are saved to on change (debounced, flushed by `stop`) and loaded from at start. */
    persistFile?: string;
    /** Largest message (or batch) accepted, in bytes, also advertised on links. Default 262144 (Standard tier). */
    maxMessageSizeBytes?: number;
    /** Create unknown queues with default options when a client first attaches to them. Default true. */
    autoCreateQueues?: boolean;
    /** Receives diagnostic lines; without it the emulator writes nothing anywhere. */
    log?: (message: string) => void;
}

export const queueDefaults = {
    lockDurationMs: 60_000,
    maxDeliveryCount: 10,
} as const;

export const defaultMaxMessageSizeBytes = 262_144;
