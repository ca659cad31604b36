/**
 * The Service Bus emulator (dev/service-bus-emulator) driven by the real, unmodified @azure/service-bus
 * client: sends, peek-lock settlement, delivery counts, dead-lettering, lock expiry and renewal, peek,
 * duplicate detection, scheduling, deferral and persistence across a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    isServiceBusError,
    ServiceBusClient,
    type ServiceBusReceivedMessage,
    type ServiceBusReceiver,
} from '@azure/service-bus';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../dev/service-bus-emulator';

/** Fail fast: the SDK defaults would retry for minutes against a misbehaving broker. */
const retryOptions = { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 5000 };

let emulator: ServiceBusEmulator;
let client: ServiceBusClient;

beforeAll(async () => {
    emulator = await startServiceBusEmulator();
    client = new ServiceBusClient(emulator.connectionString, { retryOptions });
});

afterAll(async () => {
    await client.close();
    await emulator.stop();
});

function uniqueQueueName(label: string): string {
    return `${label}-${randomUUID().slice(0, 8)}`;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for the promise, or gives up after `ms` without leaving a timer behind. */
async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
        await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    } finally {
        clearTimeout(timer);
    }
}

/** Receives until `count` messages arrived or `withinMs` passed. */
async function receiveCount(
    receiver: ServiceBusReceiver,
    count: number,
    withinMs = 3000,
): Promise<ServiceBusReceivedMessage[]> {
    const received: ServiceBusReceivedMessage[] = [];
    const deadline = Date.now() + withinMs;
    while (received.length < count && Date.now() < deadline) {
        const batch = await receiver.receiveMessages(count - received.length, {
            maxWaitTimeInMs: Math.max(50, deadline - Date.now()),
        });
        received.push(...batch);
    }
    return received;
}

async function expectLockLost(settle: Promise<void>): Promise<void> {
    const error: unknown = await settle.then(
        () => undefined,
        (reason: unknown) => reason,
    );
    expect(isServiceBusError(error) ? error.code : error).toBe('MessageLockLost');
}

describe('Service Bus emulator with the real @azure/service-bus client', () => {
    it('when a message is sent and received, then id, subject, properties and JSON body round-trip intact', async () => {
        const queue = uniqueQueueName('roundtrip');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        const sentAt = new Date('2025-01-02T03:04:05.000Z');

        await sender.sendMessages({
            messageId: 'detection-1',
            subject: 'riskDetection',
            contentType: 'application/json',
            correlationId: 'corr-1',
            applicationProperties: { tenantId: 'contoso', attempt: 3, urgent: true, sentAt },
            body: { version: 1, detection: { id: 'd-1', riskLevel: 'high', tags: ['a', 'b'] } },
        });
        const [message] = await receiveCount(receiver, 1);

        expect(message).toMatchObject({
            messageId: 'detection-1',
            subject: 'riskDetection',
            contentType: 'application/json',
            correlationId: 'corr-1',
            deliveryCount: 0,
            applicationProperties: { tenantId: 'contoso', attempt: 3, urgent: true, sentAt: sentAt.getTime() },
            body: { version: 1, detection: { id: 'd-1', riskLevel: 'high', tags: ['a', 'b'] } },
        });
        expect(message!.sequenceNumber?.toNumber()).toBe(1);
        expect(message!.enqueuedTimeUtc).toBeInstanceOf(Date);
        expect(message!.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
        await receiver.completeMessage(message!);
        expect(emulator.queueStats(queue)).toEqual({
            active: 0,
            locked: 0,
            scheduled: 0,
            deadLetter: 0,
            duplicatesDropped: 0,
        });
        await receiver.close();
        await sender.close();
    });

    it('when messages are sent singly, as an array and as a batch, then all arrive once and in order', async () => {
        const queue = uniqueQueueName('sends');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);

        await sender.sendMessages({ body: 'single' });
        await sender.sendMessages([{ body: 'array-1' }, { body: 'array-2', messageId: 'a2' }]);
        const batch = await sender.createMessageBatch();
        for (let i = 1; i <= 50; i++) {
            expect(batch.tryAddMessage({ body: { batchItem: i }, applicationProperties: { i } })).toBe(true);
        }
        await sender.sendMessages(batch);
        const received = await receiveCount(receiver, 53);
        await Promise.all(received.map((message) => receiver.completeMessage(message)));

        expect(received.map((message) => message.body as unknown)).toEqual([
            'single',
            'array-1',
            'array-2',
            ...Array.from({ length: 50 }, (_, index) => ({ batchItem: index + 1 })),
        ]);
        expect(received[2]!.messageId).toBe('a2');
        expect(received[52]!.applicationProperties).toEqual({ i: 50 });
        expect(received.every((message) => typeof message.messageId === 'string')).toBe(true);
        expect(emulator.queueStats(queue).active + emulator.queueStats(queue).locked).toBe(0);
        await receiver.close();
        await sender.close();
    });

    it('when a message is abandoned, then it is redelivered with delivery count 1', async () => {
        const queue = uniqueQueueName('abandon');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        await sender.sendMessages({ body: 'retry me', messageId: 'm-abandon' });

        const [first] = await receiveCount(receiver, 1);
        await receiver.abandonMessage(first!, { lastError: 'graph.throttled' });
        const [second] = await receiveCount(receiver, 1);

        expect(first!.deliveryCount).toBe(0);
        expect(second).toMatchObject({
            messageId: 'm-abandon',
            body: 'retry me',
            deliveryCount: 1,
            applicationProperties: { lastError: 'graph.throttled' },
        });
        expect(second!.sequenceNumber?.toNumber()).toBe(first!.sequenceNumber?.toNumber());
        await receiver.completeMessage(second!);
        await receiver.close();
        await sender.close();
    });

    it('when a message reaches the max delivery count, then it is dead-lettered as MaxDeliveryCountExceeded', async () => {
        const queue = uniqueQueueName('maxdelivery');
        emulator.createQueue({ name: queue, maxDeliveryCount: 2 });
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        const deadLetters = client.createReceiver(queue, { subQueueType: 'deadLetter' });
        await sender.sendMessages({ body: { poison: true }, messageId: 'poison-1' });

        for (let attempt = 0; attempt < 2; attempt++) {
            const [message] = await receiveCount(receiver, 1);
            expect(message!.deliveryCount).toBe(attempt);
            await receiver.abandonMessage(message!);
        }
        const [deadLettered] = await receiveCount(deadLetters, 1);

        expect(deadLettered).toMatchObject({
            messageId: 'poison-1',
            body: { poison: true },
            deadLetterReason: 'MaxDeliveryCountExceeded',
        });
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, locked: 0, deadLetter: 1 });
        await deadLetters.completeMessage(deadLettered!);
        expect(emulator.queueStats(queue).deadLetter).toBe(0);
        await Promise.all([deadLetters.close(), receiver.close(), sender.close()]);
    });

    it('when a message is dead-lettered with a reason, then the dead-letter receiver reads reason and description', async () => {
        const queue = uniqueQueueName('deadletter');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        const deadLetters = client.createReceiver(queue, { subQueueType: 'deadLetter' });
        await sender.sendMessages({
            body: { bad: 'contract' },
            messageId: 'bad-1',
            applicationProperties: { kept: 'yes' },
        });

        const [message] = await receiveCount(receiver, 1);
        await receiver.deadLetterMessage(message!, {
            deadLetterReason: 'message.invalid',
            deadLetterErrorDescription: 'detection.id is missing',
            rejectedBy: 'remediateRisk',
        });
        const [deadLettered] = await receiveCount(deadLetters, 1);

        expect(deadLettered).toMatchObject({
            messageId: 'bad-1',
            body: { bad: 'contract' },
            deadLetterReason: 'message.invalid',
            deadLetterErrorDescription: 'detection.id is missing',
            applicationProperties: {
                kept: 'yes',
                rejectedBy: 'remediateRisk',
                DeadLetterReason: 'message.invalid',
                DeadLetterErrorDescription: 'detection.id is missing',
            },
        });
        const [peeked] = await deadLetters.peekMessages(1);
        expect(peeked?.messageId).toBe('bad-1');
        await deadLetters.completeMessage(deadLettered!);
        await Promise.all([deadLetters.close(), receiver.close(), sender.close()]);
    });

    it('when a lock expires, then the message is redelivered with count 1 and the stale lock cannot settle', async () => {
        const queue = uniqueQueueName('lockexpiry');
        emulator.createQueue({ name: queue, lockDurationMs: 300 });
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
        await sender.sendMessages({ body: 'slow', messageId: 'slow-1' });

        const [first] = await receiveCount(receiver, 1);
        expect(emulator.queueStats(queue).locked).toBe(1);
        await sleep(500);
        expect(emulator.queueStats(queue)).toMatchObject({ active: 1, locked: 0 });
        const [second] = await receiveCount(receiver, 1);

        expect(second).toMatchObject({ messageId: 'slow-1', deliveryCount: 1 });
        await expectLockLost(receiver.completeMessage(first!));
        await receiver.completeMessage(second!);
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, locked: 0 });
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when a lock is renewed, then the message can still be completed after the original lock time', async () => {
        const queue = uniqueQueueName('renew');
        emulator.createQueue({ name: queue, lockDurationMs: 1000 });
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
        await sender.sendMessages({ body: 'long work' });

        const [message] = await receiveCount(receiver, 1);
        const originalLock = message!.lockedUntilUtc!.getTime();
        await sleep(600);
        const renewedUntil = await receiver.renewMessageLock(message!);
        await sleep(600);

        expect(renewedUntil.getTime()).toBeGreaterThan(originalLock);
        await receiver.completeMessage(message!);
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, locked: 0 });
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when messages are peeked, then they are listed in order and stay on the queue', async () => {
        const queue = uniqueQueueName('peek');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        await sender.sendMessages([
            { body: 'p1', messageId: 'p1' },
            { body: 'p2', messageId: 'p2' },
            { body: 'p3', messageId: 'p3' },
        ]);

        const peeked = await receiver.peekMessages(10);
        const peekedAgain = await receiver.peekMessages(10, { fromSequenceNumber: peeked[1]!.sequenceNumber! });
        const nothingMore = await receiver.peekMessages(10);

        expect(peeked.map((message) => message.messageId)).toEqual(['p1', 'p2', 'p3']);
        expect(peeked.every((message) => message.lockToken === undefined)).toBe(true);
        expect(peekedAgain.map((message) => message.body as unknown)).toEqual(['p2', 'p3']);
        expect(nothingMore).toEqual([]);
        expect(emulator.queueStats(queue).active).toBe(3);
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when the same message id is sent twice within the window, then the second is dropped', async () => {
        const queue = uniqueQueueName('dedup');
        const basicTierQueue = uniqueQueueName('nodedup');
        emulator.createQueue({ name: queue, duplicateDetectionWindowMs: 60_000 });
        const sender = client.createSender(queue);
        const basicSender = client.createSender(basicTierQueue);
        const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });

        await sender.sendMessages({ body: 'first', messageId: 'same-id' });
        await sender.sendMessages([
            { body: 'second', messageId: 'same-id' },
            { body: 'other', messageId: 'other-id' },
        ]);
        await basicSender.sendMessages({ body: 'first', messageId: 'same-id' });
        await basicSender.sendMessages({ body: 'second', messageId: 'same-id' });
        const received = await receiveCount(receiver, 2);

        expect(received.map((message) => message.body as unknown)).toEqual(['first', 'other']);
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, duplicatesDropped: 1 });
        expect(emulator.queueStats(basicTierQueue)).toMatchObject({ active: 2, duplicatesDropped: 0 });
        await Promise.all([receiver.close(), sender.close(), basicSender.close()]);
    });

    it('when a message is scheduled, then it appears only after its time, and a cancelled one never', async () => {
        const queue = uniqueQueueName('scheduled');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        const dueAt = new Date(Date.now() + 1200);

        await sender.sendMessages({ body: 'by annotation', scheduledEnqueueTimeUtc: dueAt });
        const [viaManagement] = await sender.scheduleMessages({ body: 'by $management' }, dueAt);
        const [cancelled] = await sender.scheduleMessages({ body: 'cancelled' }, dueAt);
        await sender.cancelScheduledMessages(cancelled!);
        const early = await receiver.receiveMessages(3, { maxWaitTimeInMs: 200 });
        expect(early).toEqual([]);
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, scheduled: 2 });

        const due = await receiveCount(receiver, 2, 3000);
        expect(Date.now()).toBeGreaterThanOrEqual(dueAt.getTime());
        expect(due.map((message) => message.body as unknown).sort()).toEqual(['by $management', 'by annotation']);
        expect(due.map((message) => message.sequenceNumber?.toNumber())).toContain(viaManagement!.toNumber());
        await Promise.all(due.map((message) => receiver.completeMessage(message)));
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, scheduled: 0, locked: 0 });
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when the receiving link is gone, then the message is settled through $management', async () => {
        const queue = uniqueQueueName('mgmtsettle');
        const sender = client.createSender(queue);
        const firstReceiver = client.createReceiver(queue);
        const secondReceiver = client.createReceiver(queue);
        await sender.sendMessages([{ body: 'complete me' }, { body: 'dead-letter me' }]);

        const received = await receiveCount(firstReceiver, 2);
        await firstReceiver.close();
        await secondReceiver.completeMessage(received[0]!);
        await secondReceiver.deadLetterMessage(received[1]!, {
            deadLetterReason: 'manual',
            deadLetterErrorDescription: 'by hand',
        });

        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, locked: 0, deadLetter: 1 });
        await Promise.all([secondReceiver.close(), sender.close()]);
    });

    it('when a message is deferred, then it is received by sequence number and completed', async () => {
        const queue = uniqueQueueName('defer');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        await sender.sendMessages({ body: 'later', messageId: 'deferred-1' });

        const [message] = await receiveCount(receiver, 1);
        await receiver.deferMessage(message!);
        const [deferred] = await receiver.receiveDeferredMessages(message!.sequenceNumber!);
        expect(deferred).toMatchObject({ messageId: 'deferred-1', body: 'later', state: 'deferred' });
        await receiver.completeMessage(deferred!);

        expect(await receiver.peekMessages(1)).toEqual([]);
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when subscribing, then every message is processed and auto-completed', async () => {
        const queue = uniqueQueueName('subscribe');
        const sender = client.createSender(queue);
        const receiver = client.createReceiver(queue);
        await sender.sendMessages(Array.from({ length: 20 }, (_, index) => ({ body: index })));

        const bodies: unknown[] = [];
        let resolveAll: () => void = () => undefined;
        const allProcessed = new Promise<void>((resolve) => (resolveAll = resolve));
        const errors: unknown[] = [];
        const subscription = receiver.subscribe(
            {
                processMessage: async (message) => {
                    bodies.push(message.body);
                    if (bodies.length === 20) {
                        resolveAll();
                    }
                    return Promise.resolve();
                },
                processError: async (args) => {
                    errors.push(args.error);
                    return Promise.resolve();
                },
            },
            { maxConcurrentCalls: 5 },
        );
        await waitAtMost(allProcessed, 5000);
        await subscription.close();
        await sleep(100); // auto-complete settles after processMessage returns

        expect(errors).toEqual([]);
        expect([...bodies].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(emulator.queueStats(queue)).toMatchObject({ active: 0, locked: 0 });
        await Promise.all([receiver.close(), sender.close()]);
    });

    it('when a session receiver attaches, then it is refused, since sessions are not emulated', async () => {
        const queue = uniqueQueueName('sessions');

        await expect(client.acceptSession(queue, 'tenant-1')).rejects.toThrow('does not emulate sessions');
    });

    it('when a message is bigger than the size limit, then the send fails with MessageSizeExceeded', async () => {
        const queue = uniqueQueueName('toobig');
        const sender = client.createSender(queue);

        const error: unknown = await sender.sendMessages({ body: 'x'.repeat(300 * 1024) }).then(
            () => undefined,
            (reason: unknown) => reason,
        );

        expect(isServiceBusError(error) ? error.code : error).toBe('MessageSizeExceeded');
        expect(emulator.queueStats(queue).active).toBe(0);
        await sender.close();
    });
});

describe('Service Bus emulator options', () => {
    let directory: string;

    beforeAll(async () => {
        directory = await mkdtemp(join(tmpdir(), 'sb-emulator-'));
    });

    afterAll(async () => {
        await rm(directory, { recursive: true, force: true });
    });

    it('when restarted with the same persist file, then active, locked and dead-lettered messages survive', async () => {
        const persistFile = join(directory, 'queues.json');
        const queue = uniqueQueueName('persist');
        const first = await startServiceBusEmulator({
            persistFile,
            queues: [{ name: queue, duplicateDetectionWindowMs: 60_000 }],
        });
        const firstClient = new ServiceBusClient(first.connectionString, { retryOptions });
        const sender = firstClient.createSender(queue);
        const receiver = firstClient.createReceiver(queue);
        await sender.sendMessages([
            { body: { n: 1 }, messageId: 'keep-1', applicationProperties: { tenantId: 'contoso' } },
            { body: { n: 2 }, messageId: 'locked-2' },
            { body: { n: 3 }, messageId: 'dead-3' },
        ]);
        const received = await receiveCount(receiver, 3);
        await receiver.abandonMessage(received[0]!);
        await receiver.deadLetterMessage(received[2]!, {
            deadLetterReason: 'test',
            deadLetterErrorDescription: 'kept',
        });
        // received[1] stays locked across the restart.
        await firstClient.close();
        await first.stop();

        const second = await startServiceBusEmulator({ persistFile });
        const secondClient = new ServiceBusClient(second.connectionString, { retryOptions });
        try {
            expect(second.queueStats(queue)).toEqual({
                active: 2,
                locked: 0,
                scheduled: 0,
                deadLetter: 1,
                duplicatesDropped: 0,
            });
            const secondReceiver = secondClient.createReceiver(queue);
            const deadLetters = secondClient.createReceiver(queue, { subQueueType: 'deadLetter' });
            await secondClient.createSender(queue).sendMessages({ body: 'dup', messageId: 'keep-1' });
            const restored = await receiveCount(secondReceiver, 2);
            const [deadLettered] = await receiveCount(deadLetters, 1);

            expect(restored).toMatchObject([
                {
                    messageId: 'keep-1',
                    body: { n: 1 },
                    deliveryCount: 1,
                    applicationProperties: { tenantId: 'contoso' },
                },
                { messageId: 'locked-2', body: { n: 2 }, deliveryCount: 0 },
            ]);
            expect(deadLettered).toMatchObject({ messageId: 'dead-3', deadLetterReason: 'test' });
            expect(second.queueStats(queue).duplicatesDropped).toBe(1);
        } finally {
            await secondClient.close();
            await second.stop();
        }
    });

    it('when autoCreateQueues is off, then only declared queues accept messages', async () => {
        const declared = uniqueQueueName('declared');
        const strict = await startServiceBusEmulator({ autoCreateQueues: false, queues: [{ name: declared }] });
        const strictClient = new ServiceBusClient(strict.connectionString, {
            retryOptions: { maxRetries: 0, timeoutInMs: 3000 },
        });
        try {
            await strictClient.createSender(declared.toUpperCase()).sendMessages({ body: 'ok' });
            const error: unknown = await strictClient
                .createSender('undeclared')
                .sendMessages({ body: 'nope' })
                .then(
                    () => undefined,
                    (reason: unknown) => reason,
                );

            expect(strict.queueStats(declared).active).toBe(1);
            expect(isServiceBusError(error) ? error.code : error).toBe('MessagingEntityNotFound');
            expect(() => strict.queueStats('undeclared')).toThrow('no queue named');
        } finally {
            await strictClient.close();
            await strict.stop();
        }
    });
});
