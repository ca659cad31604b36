/** Peek-lock rules of the emulator's queue, without AMQP: a fake consumer and jest's fake clock. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { message as rheaMessage } from 'rhea';
import { parseMessage, type ParsedMessage } from '../../../../dev/service-bus-emulator/messageCodec';
import type {
    DeliveryLock,
    MessageQueue,
    QueueConsumer,
    QueuedMessage,
} from '../../../../dev/service-bus-emulator/messageQueue';
import {
    loadSnapshot,
    restoreSnapshot,
    snapshotOf,
    SnapshotFile,
} from '../../../../dev/service-bus-emulator/persistence';
import { QueueStore } from '../../../../dev/service-bus-emulator/queueStore';

/** A receiver link stand-in: takes up to `credit` messages and records them. */
class RecordingConsumer implements QueueConsumer {
    readonly delivered: { message: QueuedMessage; lock: DeliveryLock | undefined; deliveryCount: number }[] = [];
    constructor(
        public credit: number,
        readonly receiveAndDelete = false,
    ) {}
    isClosed(): boolean {
        return false;
    }
    availableCredit(): number {
        return this.credit;
    }
    deliver(message: QueuedMessage, lock: DeliveryLock | undefined): void {
        this.credit--;
        this.delivered.push({ message, lock, deliveryCount: message.deliveryCount });
    }
    lastLock(): string {
        return this.delivered[this.delivered.length - 1]!.lock!.token;
    }
}

function message(messageId?: string, scheduledAt?: number): ParsedMessage {
    const annotations = scheduledAt === undefined ? {} : { 'x-opt-scheduled-enqueue-time': new Date(scheduledAt) };
    return parseMessage(rheaMessage.encode({ message_id: messageId, message_annotations: annotations, body: 'b' }));
}

function createStore(changes: { count: number } = { count: 0 }): QueueStore {
    return new QueueStore({ now: () => Date.now(), onChange: () => changes.count++, autoCreateQueues: true });
}

function deadLetterReasonOf(queued: QueuedMessage): unknown {
    const decoded = rheaMessage.decode(Buffer.concat([queued.content.applicationProperties, queued.content.body])) as {
        application_properties?: Record<string, unknown>;
    };
    return decoded.application_properties?.DeadLetterReason;
}

describe('MessageQueue', () => {
    let store: QueueStore;
    let queue: MessageQueue;

    beforeEach(() => {
        jest.useFakeTimers({ now: new Date('2025-06-01T00:00:00Z') });
        store = createStore();
        queue = store.createQueue({ name: 'q', lockDurationMs: 1_000, maxDeliveryCount: 3 });
    });

    afterEach(() => {
        store.dispose();
        jest.useRealTimers();
    });

    it('delivers only while the consumer has credit, in sequence order, with a lock', () => {
        const consumer = new RecordingConsumer(2);
        queue.addConsumer(consumer);

        queue.send(message('a'));
        queue.send(message('b'));
        queue.send(message('c'));

        expect(consumer.delivered.map((d) => d.message.messageId)).toEqual(['a', 'b']);
        expect(consumer.delivered[0]!.lock!.lockedUntilMs).toBe(Date.now() + 1_000);
        expect(store.stats('q')).toMatchObject({ active: 1, locked: 2 });
    });

    it('when a lock expires, then the message is redelivered with its delivery count raised', () => {
        const consumer = new RecordingConsumer(5);
        queue.addConsumer(consumer);
        queue.send(message('a'));

        jest.advanceTimersByTime(999);
        expect(consumer.delivered).toHaveLength(1);
        jest.advanceTimersByTime(1);

        expect(consumer.delivered.map((d) => d.deliveryCount)).toEqual([0, 1]);
        expect(queue.complete(consumer.delivered[0]!.lock!.token)).toBe(false);
        expect(queue.complete(consumer.lastLock())).toBe(true);
    });

    it('when a renewed lock would have expired, then it still holds', () => {
        const consumer = new RecordingConsumer(5);
        queue.addConsumer(consumer);
        queue.send(message('a'));

        jest.advanceTimersByTime(800);
        expect(queue.renewLock(consumer.lastLock())).toBe(Date.now() + 1_000);
        jest.advanceTimersByTime(800);

        expect(consumer.delivered).toHaveLength(1);
        expect(queue.complete(consumer.lastLock())).toBe(true);
    });

    it('when abandoned up to the max delivery count, then it is dead-lettered as MaxDeliveryCountExceeded', () => {
        const consumer = new RecordingConsumer(10);
        queue.addConsumer(consumer);
        queue.send(message('poison'));

        for (let i = 0; i < 3; i++) {
            expect(queue.abandon(consumer.lastLock())).toBe(true);
        }

        expect(consumer.delivered.map((d) => d.deliveryCount)).toEqual([0, 1, 2]);
        expect(store.stats('q')).toMatchObject({ active: 0, locked: 0, deadLetter: 1 });
        const [deadLettered] = queue.deadLetterQueue!.peek(1, 10);
        expect(deadLettered!.message.messageId).toBe('poison');
        expect(deadLetterReasonOf(deadLettered!.message)).toBe('MaxDeliveryCountExceeded');
    });

    it('in receive-and-delete mode, delivers without a lock and removes the message', () => {
        const consumer = new RecordingConsumer(5, true);
        queue.addConsumer(consumer);

        queue.send(message('a'));

        expect(consumer.delivered[0]!.lock).toBeUndefined();
        expect(store.stats('q')).toMatchObject({ active: 0, locked: 0 });
    });

    it('drops a repeated message id inside the duplicate window, and accepts it again after the window', () => {
        queue = store.createQueue({ name: 'dedup', duplicateDetectionWindowMs: 10_000 });

        const first = queue.send(message('same'));
        const repeated = queue.send(message('same'));
        jest.advanceTimersByTime(10_000);
        const afterWindow = queue.send(message('same'));

        expect([first.outcome, repeated.outcome, afterWindow.outcome]).toEqual(['enqueued', 'duplicate', 'enqueued']);
        expect(store.stats('dedup')).toMatchObject({ active: 2, duplicatesDropped: 1 });
    });

    it('holds a scheduled message until its time, and cancels by sequence number', () => {
        const consumer = new RecordingConsumer(5);
        queue.addConsumer(consumer);
        const due = queue.send(message('due', Date.now() + 5_000));
        const cancelled = queue.send(message('cancelled', Date.now() + 5_000));

        queue.cancelScheduled([cancelled.sequenceNumber]);
        expect(queue.peek(1, 10).map((p) => [p.message.messageId, p.state])).toEqual([['due', 2]]);
        jest.advanceTimersByTime(4_999);
        expect(consumer.delivered).toHaveLength(0);
        jest.advanceTimersByTime(1);

        expect(due.outcome).toBe('scheduled');
        expect(consumer.delivered.map((d) => d.message.messageId)).toEqual(['due']);
    });

    it('defers a message until it is received by sequence number', () => {
        const consumer = new RecordingConsumer(5);
        queue.addConsumer(consumer);
        const { sequenceNumber } = queue.send(message('later'));

        expect(queue.defer(consumer.lastLock())).toBe(true);
        expect(queue.receiveDeferred([sequenceNumber + 1])).toBeUndefined();
        const [received] = queue.receiveDeferred([sequenceNumber])!;

        expect(received!.message.messageId).toBe('later');
        expect(queue.complete(received!.lock.token)).toBe(true);
        expect(queue.peek(1, 10)).toEqual([]);
    });

    it('peeks active, locked and deferred messages in sequence order without changing them', () => {
        const consumer = new RecordingConsumer(1);
        queue.addConsumer(consumer);
        queue.send(message('locked'));
        queue.send(message('active'));

        const peeked = queue.peek(2, 10);

        expect(queue.peek(1, 10).map((p) => p.message.messageId)).toEqual(['locked', 'active']);
        expect(peeked.map((p) => p.message.messageId)).toEqual(['active']);
        expect(store.stats('q')).toMatchObject({ active: 1, locked: 1 });
    });
});

describe('persistence', () => {
    let directory: string;

    beforeAll(async () => {
        directory = await mkdtemp(join(tmpdir(), 'sb-emulator-unit-'));
    });

    afterAll(async () => {
        await rm(directory, { recursive: true, force: true });
    });

    it('when a store is saved and loaded, then messages, dead letters and duplicate ids survive and locks are freed', async () => {
        const file = join(directory, 'roundtrip.json');
        const store = createStore();
        const queue = store.createQueue({ name: 'Q', duplicateDetectionWindowMs: 60_000, maxDeliveryCount: 1 });
        const consumer = new RecordingConsumer(2);
        queue.addConsumer(consumer);
        queue.send(message('dead'));
        queue.send(message('locked'));
        queue.send(message('active'));
        queue.abandon(consumer.delivered[0]!.lock!.token);
        const writer = new SnapshotFile(file, () => snapshotOf(store));
        await writer.close();
        store.dispose();

        const restored = createStore();
        restoreSnapshot(restored, (await loadSnapshot(file))!);
        const restoredQueue = restored.resolve({ queueName: 'q', subQueue: 'none' })!;

        expect(restored.stats('q')).toEqual({
            active: 2,
            locked: 0,
            scheduled: 0,
            deadLetter: 1,
            duplicatesDropped: 0,
        });
        expect(restoredQueue.settings).toMatchObject({
            name: 'Q',
            maxDeliveryCount: 1,
            duplicateDetectionWindowMs: 60_000,
        });
        expect(restoredQueue.send(message('active')).outcome).toBe('duplicate');
        expect(restoredQueue.send(message('new')).sequenceNumber).toBeGreaterThan(3);
        restored.dispose();
    });

    it('when there is no file yet, then nothing is loaded', async () => {
        await expect(loadSnapshot(join(directory, 'missing.json'))).resolves.toBeUndefined();
    });

    it('when the file is not a snapshot, then loading fails and names the file', async () => {
        const file = join(directory, 'broken.json');
        await writeFile(file, JSON.stringify({ format: 'service-bus-emulator', version: 1, queues: [{ name: 1 }] }));

        await expect(loadSnapshot(file)).rejects.toThrow(`${file} is not a valid snapshot at queues.0.name`);
    });
});
