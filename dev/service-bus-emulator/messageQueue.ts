/**
 * One queue (or dead-letter sub-queue) and its peek-lock rules: delivery to consumers with credit, locks
 * that expire, abandon and redelivery with a growing delivery count, dead-lettering at the max delivery
 * count, deferral, scheduled messages and duplicate detection. No AMQP in here: links adapt to it.
 */
import { createLockToken, type LockToken } from './lockTokens';
import {
    withApplicationProperties,
    type ApplicationPropertyValue,
    type MessageContent,
    type ParsedMessage,
} from './messageCodec';
import { SequenceOrderedList } from './sequenceOrderedList';

/** How a queue behaves. */
export interface QueueSettings {
    readonly name: string;
    /** How long a delivered message stays locked, in ms. */
    readonly lockDurationMs: number;
    /** Deliveries after which an abandoned or expired message is dead-lettered. Infinity: never. */
    readonly maxDeliveryCount: number;
    /** Duplicate detection window in ms; undefined turns duplicate detection off (as on the Basic tier). */
    readonly duplicateDetectionWindowMs: number | undefined;
}

/** A message in a queue. */
export interface QueuedMessage {
    readonly sequenceNumber: number;
    readonly enqueuedTimeMs: number;
    /** Earlier failed deliveries (abandoned or lock expired): the AMQP header value of the next delivery. */
    deliveryCount: number;
    readonly messageId: string | undefined;
    readonly scheduledEnqueueTimeMs: number | undefined;
    content: MessageContent;
}

/** The lock handed out with a peek-lock delivery. */
export interface DeliveryLock {
    readonly token: LockToken;
    readonly lockedUntilMs: number;
}

/** Something that takes messages off the queue: a receiver link. */
export interface QueueConsumer {
    /** Receive-and-delete: messages are removed when delivered, without a lock. */
    readonly receiveAndDelete: boolean;
    isClosed(): boolean;
    /** How many more messages it can take right now. */
    availableCredit(): number;
    /** Hands one message over; called only while `availableCredit() > 0`. */
    deliver(message: QueuedMessage, lock: DeliveryLock | undefined): void;
}

/** What the queue persists: everything but locks (locked messages count as active). */
export interface QueueState {
    nextSequenceNumber: number;
    duplicatesDropped: number;
    /** Message ids seen within the window, with the time (ms) each stops counting. */
    duplicateIds: [string, number][];
    active: QueuedMessage[];
    scheduled: QueuedMessage[];
    deferred: QueuedMessage[];
}

/** Counts for tests and diagnostics. */
export interface QueueCounts {
    active: number;
    locked: number;
    scheduled: number;
    deferred: number;
    duplicatesDropped: number;
}

/** The outcome of a send. */
export interface SendResult {
    readonly outcome: 'enqueued' | 'scheduled' | 'duplicate';
    readonly sequenceNumber: number;
}

/** Where a peeked message stands (Service Bus `x-opt-message-state`). */
export type MessageState = 0 | 1 | 2;

/** Why a message was dead-lettered, as written into its application properties. */
export interface DeadLetterDetails {
    reason?: string;
    description?: string;
    /** Further application properties to set (`propertiesToModify`). */
    properties?: ReadonlyMap<string, ApplicationPropertyValue>;
}

export interface MessageQueueDependencies {
    now: () => number;
    /** Called after every change to what the queue persists. */
    onChange: () => void;
    /** Where dead-lettered messages go; absent for a dead-letter queue itself. */
    deadLetterQueue?: MessageQueue;
    log?: (message: string) => void;
}

interface LockRecord extends DeliveryLock {
    readonly message: QueuedMessage;
    /** Where the message returns when the lock ends without settlement. */
    readonly returnsTo: 'active' | 'deferred';
    lockedUntilMs: number;
    timer?: NodeJS.Timeout;
}

/** Node's setTimeout limit; longer waits are re-armed. */
const maxTimerDelayMs = 2_147_483_647;

export const maxDeliveryCountExceeded = 'MaxDeliveryCountExceeded';

export class MessageQueue {
    private currentSettings: QueueSettings;
    private readonly available = new SequenceOrderedList<QueuedMessage>();
    private readonly locks = new Map<LockToken, LockRecord>();
    /** Ordered by scheduled time, then sequence number. */
    private scheduled: QueuedMessage[] = [];
    private scheduleTimer: NodeJS.Timeout | undefined;
    private readonly deferred = new Map<number, QueuedMessage>();
    private readonly duplicateIds = new Map<string, number>();
    private duplicatesDropped = 0;
    private nextSequenceNumber = 1;
    private consumers: QueueConsumer[] = [];
    private nextConsumerIndex = 0;
    private pumping = false;
    private disposed = false;

    constructor(
        settings: QueueSettings,
        private readonly deps: MessageQueueDependencies,
    ) {
        this.currentSettings = settings;
    }

    get settings(): QueueSettings {
        return this.currentSettings;
    }

    get deadLetterQueue(): MessageQueue | undefined {
        return this.deps.deadLetterQueue;
    }

    /** Changes lock duration, max delivery count or the duplicate window; held locks keep their expiry. */
    updateSettings(settings: QueueSettings): void {
        this.currentSettings = settings;
        this.deps.onChange();
    }

    /** Accepts a sent message: drops it as a duplicate, schedules it, or makes it available. */
    send(message: ParsedMessage): SendResult {
        const now = this.deps.now();
        if (this.isDuplicate(message.messageId, now)) {
            this.duplicatesDropped++;
            this.deps.onChange();
            return { outcome: 'duplicate', sequenceNumber: this.nextSequenceNumber++ };
        }
        const queued: QueuedMessage = {
            sequenceNumber: this.nextSequenceNumber++,
            enqueuedTimeMs: now,
            deliveryCount: 0,
            messageId: message.messageId,
            scheduledEnqueueTimeMs: message.scheduledEnqueueTimeMs,
            content: message.content,
        };
        this.deps.onChange();
        if (queued.scheduledEnqueueTimeMs !== undefined && queued.scheduledEnqueueTimeMs > now) {
            this.addScheduled(queued);
            return { outcome: 'scheduled', sequenceNumber: queued.sequenceNumber };
        }
        this.available.insert(queued);
        this.pump();
        return { outcome: 'enqueued', sequenceNumber: queued.sequenceNumber };
    }

    /** Cancels scheduled messages by sequence number; unknown numbers are ignored. */
    cancelScheduled(sequenceNumbers: readonly number[]): void {
        const cancelled = new Set(sequenceNumbers);
        const before = this.scheduled.length;
        this.scheduled = this.scheduled.filter((message) => !cancelled.has(message.sequenceNumber));
        if (this.scheduled.length !== before) {
            this.armScheduleTimer();
            this.deps.onChange();
        }
    }

    /** Removes a locked message for good. False when the lock is unknown or expired. */
    complete(token: LockToken): boolean {
        const lock = this.takeLock(token);
        if (!lock) {
            return false;
        }
        this.deps.onChange();
        return true;
    }

    /** Unlocks a message for redelivery with its delivery count raised (dead-lettered at the max). */
    abandon(token: LockToken, properties?: ReadonlyMap<string, ApplicationPropertyValue>): boolean {
        const lock = this.takeLock(token);
        if (!lock) {
            return false;
        }
        if (properties) {
            lock.message.content = withApplicationProperties(lock.message.content, properties);
        }
        this.returnUnsettled(lock);
        return true;
    }

    /** Sets a locked message aside; it is then only reachable by sequence number. */
    defer(token: LockToken, properties?: ReadonlyMap<string, ApplicationPropertyValue>): boolean {
        const lock = this.takeLock(token);
        if (!lock) {
            return false;
        }
        if (properties) {
            lock.message.content = withApplicationProperties(lock.message.content, properties);
        }
        this.deferred.set(lock.message.sequenceNumber, lock.message);
        this.deps.onChange();
        return true;
    }

    /** Moves a locked message to the dead-letter sub-queue with the given reason. */
    deadLetter(token: LockToken, details: DeadLetterDetails): boolean {
        const lock = this.takeLock(token);
        if (!lock) {
            return false;
        }
        this.moveToDeadLetter(lock.message, details);
        return true;
    }

    /** Extends a lock by the lock duration from now; returns the new expiry, or undefined when lost. */
    renewLock(token: LockToken): number | undefined {
        const lock = this.locks.get(token);
        if (!lock) {
            return undefined;
        }
        clearTimeout(lock.timer);
        lock.lockedUntilMs = this.deps.now() + this.currentSettings.lockDurationMs;
        lock.timer = this.startLockTimer(lock);
        return lock.lockedUntilMs;
    }

    /** Messages from a sequence number on, in order: active, locked, deferred and scheduled ones. */
    peek(fromSequenceNumber: number, maxCount: number): { message: QueuedMessage; state: MessageState }[] {
        const found: { message: QueuedMessage; state: MessageState }[] = [];
        const consider = (message: QueuedMessage, state: MessageState): void => {
            if (message.sequenceNumber >= fromSequenceNumber) {
                found.push({ message, state });
            }
        };
        for (const message of this.available) {
            consider(message, 0);
        }
        for (const lock of this.locks.values()) {
            consider(lock.message, lock.returnsTo === 'deferred' ? 1 : 0);
        }
        for (const message of this.deferred.values()) {
            consider(message, 1);
        }
        for (const message of this.scheduled) {
            consider(message, 2);
        }
        found.sort((a, b) => a.message.sequenceNumber - b.message.sequenceNumber);
        return found.slice(0, Math.max(0, maxCount));
    }

    /** Locks deferred messages by sequence number; undefined when one of them is not deferred here. */
    receiveDeferred(sequenceNumbers: readonly number[]): { message: QueuedMessage; lock: DeliveryLock }[] | undefined {
        if (!sequenceNumbers.every((sequenceNumber) => this.deferred.has(sequenceNumber))) {
            return undefined;
        }
        return sequenceNumbers.flatMap((sequenceNumber) => {
            const message = this.deferred.get(sequenceNumber);
            if (!message) {
                return [];
            }
            this.deferred.delete(sequenceNumber);
            return [{ message, lock: this.lock(message, 'deferred') }];
        });
    }

    /** Registers a receiver link; it gets messages whenever it has credit. */
    addConsumer(consumer: QueueConsumer): void {
        this.consumers.push(consumer);
        this.pump();
    }

    removeConsumer(consumer: QueueConsumer): void {
        this.consumers = this.consumers.filter((candidate) => candidate !== consumer);
    }

    /** Delivers available messages to consumers with credit, round robin. Call when credit arrives. */
    pump(): void {
        if (this.pumping || this.disposed) {
            return;
        }
        this.pumping = true;
        try {
            while (this.available.size > 0) {
                const consumer = this.nextConsumerWithCredit();
                if (!consumer) {
                    break;
                }
                const message = this.available.shift();
                if (!message) {
                    break;
                }
                if (consumer.receiveAndDelete) {
                    consumer.deliver(message, undefined);
                    this.deps.onChange();
                } else {
                    consumer.deliver(message, this.lock(message, 'active'));
                }
            }
        } finally {
            this.pumping = false;
        }
    }

    counts(): QueueCounts {
        return {
            active: this.available.size,
            locked: this.locks.size,
            scheduled: this.scheduled.length,
            deferred: this.deferred.size,
            duplicatesDropped: this.duplicatesDropped,
        };
    }

    /** The persisted state: locked messages are saved as active (or deferred), so a restart frees them. */
    snapshot(): QueueState {
        const active = [...this.available];
        const deferred = [...this.deferred.values()];
        for (const lock of this.locks.values()) {
            (lock.returnsTo === 'deferred' ? deferred : active).push(lock.message);
        }
        active.sort(bySequenceNumber);
        deferred.sort(bySequenceNumber);
        return {
            nextSequenceNumber: this.nextSequenceNumber,
            duplicatesDropped: this.duplicatesDropped,
            duplicateIds: [...this.duplicateIds.entries()],
            active,
            scheduled: [...this.scheduled],
            deferred,
        };
    }

    /** Loads persisted state into an empty queue. */
    restore(state: QueueState): void {
        this.nextSequenceNumber = state.nextSequenceNumber;
        this.duplicatesDropped = state.duplicatesDropped;
        for (const [messageId, expiresAtMs] of state.duplicateIds) {
            this.duplicateIds.set(messageId, expiresAtMs);
        }
        for (const message of state.active) {
            this.available.insert(message);
        }
        for (const message of state.deferred) {
            this.deferred.set(message.sequenceNumber, message);
        }
        this.scheduled = [...state.scheduled].sort(byScheduledTime);
        this.activateDueScheduled();
    }

    /** Stops all timers; the queue accepts no more work. */
    dispose(): void {
        this.disposed = true;
        for (const lock of this.locks.values()) {
            clearTimeout(lock.timer);
        }
        if (this.scheduleTimer) {
            clearTimeout(this.scheduleTimer);
            this.scheduleTimer = undefined;
        }
        this.consumers = [];
    }

    private isDuplicate(messageId: string | undefined, now: number): boolean {
        const windowMs = this.currentSettings.duplicateDetectionWindowMs;
        if (windowMs === undefined || windowMs <= 0 || messageId === undefined) {
            return false;
        }
        for (const [seenId, expiresAtMs] of this.duplicateIds) {
            if (expiresAtMs > now) {
                break; // insertion order is expiry order while the window stays the same
            }
            this.duplicateIds.delete(seenId);
        }
        const expiresAtMs = this.duplicateIds.get(messageId);
        if (expiresAtMs !== undefined && expiresAtMs > now) {
            return true;
        }
        this.duplicateIds.delete(messageId);
        this.duplicateIds.set(messageId, now + windowMs);
        return false;
    }

    private lock(message: QueuedMessage, returnsTo: LockRecord['returnsTo']): DeliveryLock {
        const record: LockRecord = {
            token: createLockToken(),
            message,
            returnsTo,
            lockedUntilMs: this.deps.now() + this.currentSettings.lockDurationMs,
        };
        record.timer = this.startLockTimer(record);
        this.locks.set(record.token, record);
        return { token: record.token, lockedUntilMs: record.lockedUntilMs };
    }

    private startLockTimer(lock: LockRecord): NodeJS.Timeout {
        const delayMs = Math.min(maxTimerDelayMs, Math.max(0, lock.lockedUntilMs - this.deps.now()));
        const timer = setTimeout(() => this.onLockTimer(lock), delayMs);
        timer.unref();
        return timer;
    }

    private onLockTimer(lock: LockRecord): void {
        if (this.locks.get(lock.token) !== lock) {
            return;
        }
        if (lock.lockedUntilMs > this.deps.now()) {
            lock.timer = this.startLockTimer(lock);
            return;
        }
        this.locks.delete(lock.token);
        this.deps.log?.(`queue ${this.currentSettings.name}: lock on message ${lock.message.sequenceNumber} expired`);
        this.returnUnsettled(lock);
    }

    private takeLock(token: LockToken): LockRecord | undefined {
        const lock = this.locks.get(token);
        if (lock) {
            clearTimeout(lock.timer);
            this.locks.delete(token);
        }
        return lock;
    }

    /** After abandon or lock expiry: count the attempt, then redeliver or dead-letter. */
    private returnUnsettled(lock: LockRecord): void {
        const message = lock.message;
        message.deliveryCount++;
        if (message.deliveryCount >= this.currentSettings.maxDeliveryCount) {
            this.moveToDeadLetter(message, {
                reason: maxDeliveryCountExceeded,
                description: `Message could not be consumed after ${this.currentSettings.maxDeliveryCount} delivery attempts.`,
            });
            return;
        }
        this.deps.onChange();
        if (lock.returnsTo === 'deferred') {
            this.deferred.set(message.sequenceNumber, message);
            return;
        }
        this.available.insert(message);
        this.pump();
    }

    private moveToDeadLetter(message: QueuedMessage, details: DeadLetterDetails): void {
        const updates = new Map<string, ApplicationPropertyValue>(details.properties ?? []);
        if (details.reason !== undefined) {
            updates.set('DeadLetterReason', details.reason);
        }
        if (details.description !== undefined) {
            updates.set('DeadLetterErrorDescription', details.description);
        }
        const content = withApplicationProperties(message.content, updates);
        this.deps.onChange();
        const target = this.deps.deadLetterQueue;
        if (target) {
            target.acceptDeadLettered({ ...message, content });
            return;
        }
        // A dead-letter queue has no dead-letter queue of its own: the message stays, with the new details.
        message.content = content;
        this.available.insert(message);
        this.pump();
    }

    /** Takes a message dead-lettered by the parent queue, under a new sequence number. */
    private acceptDeadLettered(message: QueuedMessage): void {
        this.available.insert({ ...message, sequenceNumber: this.nextSequenceNumber++ });
        this.deps.onChange();
        this.pump();
    }

    private addScheduled(message: QueuedMessage): void {
        let low = 0;
        let high = this.scheduled.length;
        while (low < high) {
            const middle = (low + high) >>> 1;
            const candidate = this.scheduled[middle];
            if (candidate !== undefined && byScheduledTime(candidate, message) <= 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        this.scheduled.splice(low, 0, message);
        if (low === 0) {
            this.armScheduleTimer();
        }
    }

    private armScheduleTimer(): void {
        if (this.scheduleTimer) {
            clearTimeout(this.scheduleTimer);
            this.scheduleTimer = undefined;
        }
        const first = this.scheduled[0];
        if (!first || this.disposed) {
            return;
        }
        const delayMs = Math.min(maxTimerDelayMs, Math.max(0, (first.scheduledEnqueueTimeMs ?? 0) - this.deps.now()));
        this.scheduleTimer = setTimeout(() => this.activateDueScheduled(), delayMs);
        this.scheduleTimer.unref();
    }

    private activateDueScheduled(): void {
        const now = this.deps.now();
        let activated = 0;
        for (
            let first = this.scheduled[0];
            first && (first.scheduledEnqueueTimeMs ?? 0) <= now;
            first = this.scheduled[0]
        ) {
            this.scheduled.shift();
            this.available.insert(first);
            activated++;
        }
        this.armScheduleTimer();
        if (activated > 0) {
            this.deps.onChange();
            this.pump();
        }
    }

    private nextConsumerWithCredit(): QueueConsumer | undefined {
        if (this.consumers.some((consumer) => consumer.isClosed())) {
            this.consumers = this.consumers.filter((consumer) => !consumer.isClosed());
        }
        const count = this.consumers.length;
        for (let i = 0; i < count; i++) {
            const index = (this.nextConsumerIndex + i) % count;
            const consumer = this.consumers[index];
            if (consumer && consumer.availableCredit() > 0) {
                this.nextConsumerIndex = (index + 1) % count;
                return consumer;
            }
        }
        return undefined;
    }
}

function bySequenceNumber(a: QueuedMessage, b: QueuedMessage): number {
    return a.sequenceNumber - b.sequenceNumber;
}

function byScheduledTime(a: QueuedMessage, b: QueuedMessage): number {
    return (a.scheduledEnqueueTimeMs ?? 0) - (b.scheduledEnqueueTimeMs ?? 0) || a.sequenceNumber - b.sequenceNumber;
}
