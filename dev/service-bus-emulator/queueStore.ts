/**
 * The emulated namespace: its queues by name (case-insensitive), each with its dead-letter sub-queue.
 */
import { queueDefaults, type EmulatorQueueOptions } from './emulatorOptions';
import { queueKey, type EntityPath } from './entityAddress';
import { MessageQueue, type QueueSettings } from './messageQueue';

/** Counts for one queue, as `ServiceBusEmulator.queueStats` reports them. */
export interface QueueStats {
    /** Available messages (not locked, scheduled or deferred). */
    active: number;
    /** Messages delivered and not yet settled. */
    locked: number;
    /** Messages waiting for their scheduled enqueue time. */
    scheduled: number;
    /** Messages in the dead-letter sub-queue, whatever their state there. */
    deadLetter: number;
    /** Sends dropped by duplicate detection since the queue was created. */
    duplicatesDropped: number;
}

export interface QueueStoreDependencies {
    now: () => number;
    onChange: () => void;
    /** Create unknown queues with default options when a client attaches to them. */
    autoCreateQueues: boolean;
    log?: (message: string) => void;
}

export class QueueStore {
    private readonly queues = new Map<string, MessageQueue>();

    constructor(private readonly deps: QueueStoreDependencies) {}

    /** Creates a queue, or updates the options of an existing one. */
    createQueue(options: EmulatorQueueOptions): MessageQueue {
        const settings = toQueueSettings(options);
        const existing = this.queues.get(queueKey(settings.name));
        if (existing) {
            existing.updateSettings({ ...settings, name: existing.settings.name });
            existing.deadLetterQueue?.updateSettings(deadLetterSettings(existing.settings));
            return existing;
        }
        const deadLetterQueue = new MessageQueue(deadLetterSettings(settings), {
            now: this.deps.now,
            onChange: this.deps.onChange,
            log: this.deps.log,
        });
        const queue = new MessageQueue(settings, {
            now: this.deps.now,
            onChange: this.deps.onChange,
            deadLetterQueue,
            log: this.deps.log,
        });
        this.queues.set(queueKey(settings.name), queue);
        this.deps.log?.(`queue ${settings.name} created`);
        return queue;
    }

    /** The queue or dead-letter sub-queue a link address names; creates the queue if allowed. */
    resolve(entity: EntityPath): MessageQueue | undefined {
        let queue = this.queues.get(queueKey(entity.queueName));
        if (!queue && this.deps.autoCreateQueues) {
            queue = this.createQueue({ name: entity.queueName });
        }
        return entity.subQueue === 'deadLetter' ? queue?.deadLetterQueue : queue;
    }

    /** All queues (not their dead-letter sub-queues). */
    list(): MessageQueue[] {
        return [...this.queues.values()];
    }

    stats(queueName: string): QueueStats {
        const queue = this.queues.get(queueKey(queueName));
        if (!queue) {
            throw new Error(`Service Bus emulator: no queue named "${queueName}"`);
        }
        const counts = queue.counts();
        const deadLetter = queue.deadLetterQueue?.counts();
        return {
            active: counts.active,
            locked: counts.locked,
            scheduled: counts.scheduled,
            deadLetter: deadLetter
                ? deadLetter.active + deadLetter.locked + deadLetter.scheduled + deadLetter.deferred
                : 0,
            duplicatesDropped: counts.duplicatesDropped,
        };
    }

    /** Stops every queue's timers. */
    dispose(): void {
        for (const queue of this.queues.values()) {
            queue.dispose();
            queue.deadLetterQueue?.dispose();
        }
    }
}

function toQueueSettings(options: EmulatorQueueOptions): QueueSettings {
    const name = options.name.trim();
    if (name.length === 0 || name.startsWith('$') || name.includes('/$')) {
        throw new RangeError(`Service Bus emulator: invalid queue name "${options.name}"`);
    }
    const lockDurationMs = options.lockDurationMs ?? queueDefaults.lockDurationMs;
    const maxDeliveryCount = options.maxDeliveryCount ?? queueDefaults.maxDeliveryCount;
    const window = options.duplicateDetectionWindowMs;
    if (!(lockDurationMs > 0) || !Number.isInteger(maxDeliveryCount) || maxDeliveryCount < 1) {
        throw new RangeError(
            `Service Bus emulator: queue "${name}" needs lockDurationMs > 0 and an integer maxDeliveryCount >= 1`,
        );
    }
    if (window !== undefined && !(window > 0)) {
        throw new RangeError(`Service Bus emulator: queue "${name}" needs duplicateDetectionWindowMs > 0 or undefined`);
    }
    return { name, lockDurationMs, maxDeliveryCount, duplicateDetectionWindowMs: window };
}

function deadLetterSettings(parent: QueueSettings): QueueSettings {
    return {
        name: `${parent.name}/$DeadLetterQueue`,
        lockDurationMs: parent.lockDurationMs,
        maxDeliveryCount: Number.POSITIVE_INFINITY,
        duplicateDetectionWindowMs: undefined,
    };
}
