/**
 * The `$management` operations of a queue that @azure/service-bus 7.9 uses: peek, renew-lock,
 * update-disposition (settling when the receive link is gone, and deferred messages), schedule-message,
 * cancel-scheduled-message and receive-by-sequence-number. Request and reply bodies are AMQP maps.
 */
import { lockTokenOfManagementUuid, managementUuidOf, type LockToken } from './lockTokens';
import { encodeMessage, parseMessage, readLong, toApplicationPropertyUpdates } from './messageCodec';
import type { MessageQueue } from './messageQueue';
import { messageLockLost } from './queueReceiveLink';
import type { ManagementRequest, RequestReply } from './requestResponse';
import { amqpTypeCode, amqpTypes } from './rheaInternals';

const operation = {
    peek: 'com.microsoft:peek-message',
    renewLock: 'com.microsoft:renew-lock',
    updateDisposition: 'com.microsoft:update-disposition',
    schedule: 'com.microsoft:schedule-message',
    cancelScheduled: 'com.microsoft:cancel-scheduled-message',
    receiveBySequenceNumber: 'com.microsoft:receive-by-sequence-number',
} as const;

const ok: RequestReply = { statusCode: 200, statusDescription: 'OK' };

const lockLost: RequestReply = {
    statusCode: 410,
    statusDescription: messageLockLost.description,
    errorCondition: messageLockLost.condition,
};

/** Handles one request to `<queue>/$management` (or `<queue>/$DeadLetterQueue/$management`). */
export function handleManagementRequest(queue: MessageQueue, request: ManagementRequest): RequestReply {
    const body = asRecord(request.body);
    switch (request.operation) {
        case operation.peek:
            return peek(queue, body);
        case operation.renewLock:
            return renewLocks(queue, body);
        case operation.updateDisposition:
            return updateDisposition(queue, body);
        case operation.schedule:
            return schedule(queue, body);
        case operation.cancelScheduled:
            queue.cancelScheduled(sequenceNumbersOf(body['sequence-numbers']));
            return ok;
        case operation.receiveBySequenceNumber:
            return receiveBySequenceNumber(queue, body);
        default:
            return {
                statusCode: 501,
                statusDescription: `The emulator does not implement ${request.operation || 'this operation'}`,
                errorCondition: 'amqp:not-implemented',
            };
    }
}

function peek(queue: MessageQueue, body: Record<string, unknown>): RequestReply {
    const from = readLong(body['from-sequence-number']) ?? 1;
    const count = typeof body['message-count'] === 'number' ? body['message-count'] : 1;
    const peeked = queue.peek(from, count);
    if (peeked.length === 0) {
        return { statusCode: 204, statusDescription: 'No messages to peek' };
    }
    const messages = peeked.map(({ message, state }) => ({
        message: encodeMessage(
            message.content,
            { sequenceNumber: message.sequenceNumber, enqueuedTimeMs: message.enqueuedTimeMs, messageState: state },
            message.deliveryCount,
        ),
    }));
    return { ...ok, body: { messages } };
}

function renewLocks(queue: MessageQueue, body: Record<string, unknown>): RequestReply {
    const expirations: number[] = [];
    for (const token of lockTokensOf(body['lock-tokens'])) {
        const lockedUntilMs = queue.renewLock(token);
        if (lockedUntilMs === undefined) {
            return lockLost;
        }
        expirations.push(lockedUntilMs);
    }
    return { ...ok, body: { expirations: amqpTypes.wrap_array(expirations, amqpTypeCode.timestamp, undefined) } };
}

function updateDisposition(queue: MessageQueue, body: Record<string, unknown>): RequestReply {
    const status = body['disposition-status'];
    const properties = toApplicationPropertyUpdates(body['properties-to-modify']);
    const reason = body['deadletter-reason'];
    const description = body['deadletter-description'];
    for (const token of lockTokensOf(body['lock-tokens'])) {
        let settled: boolean;
        switch (status) {
            case 'completed':
                settled = queue.complete(token);
                break;
            case 'abandoned':
                settled = queue.abandon(token, properties);
                break;
            case 'defered': // sic: the SDK's spelling
            case 'deferred':
                settled = queue.defer(token, properties);
                break;
            case 'suspended':
                settled = queue.deadLetter(token, {
                    reason: typeof reason === 'string' ? reason : undefined,
                    description: typeof description === 'string' ? description : undefined,
                    properties,
                });
                break;
            default:
                return {
                    statusCode: 400,
                    statusDescription: `Unknown disposition-status "${String(status)}"`,
                    errorCondition: 'com.microsoft:argument-error',
                };
        }
        if (!settled) {
            return lockLost;
        }
    }
    return ok;
}

function schedule(queue: MessageQueue, body: Record<string, unknown>): RequestReply {
    const entries = Array.isArray(body.messages) ? body.messages : [];
    const encodedMessages = entries.map((entry) => asRecord(entry).message);
    if (!encodedMessages.every((encoded): encoded is Buffer => Buffer.isBuffer(encoded))) {
        return {
            statusCode: 400,
            statusDescription: 'Every scheduled message needs an encoded "message"',
            errorCondition: 'com.microsoft:argument-error',
        };
    }
    const parsed = encodedMessages.map(parseMessage);
    const sequenceNumbers = parsed.map((message) => queue.send(message).sequenceNumber);
    return {
        ...ok,
        body: { 'sequence-numbers': amqpTypes.wrap_array(sequenceNumbers, amqpTypeCode.long, undefined) },
    };
}

function receiveBySequenceNumber(queue: MessageQueue, body: Record<string, unknown>): RequestReply {
    const received = queue.receiveDeferred(sequenceNumbersOf(body['sequence-numbers']));
    if (!received) {
        return {
            statusCode: 404,
            statusDescription: 'A requested message is not deferred in this entity',
            errorCondition: 'com.microsoft:message-not-found',
        };
    }
    const receiveAndDelete = body['receiver-settle-mode'] === 0;
    const messages = received.map(({ message, lock }) => {
        const encoded = encodeMessage(
            message.content,
            {
                sequenceNumber: message.sequenceNumber,
                enqueuedTimeMs: message.enqueuedTimeMs,
                lockedUntilMs: receiveAndDelete ? undefined : lock.lockedUntilMs,
                messageState: 1,
            },
            message.deliveryCount,
        );
        if (receiveAndDelete) {
            queue.complete(lock.token);
            return { message: encoded };
        }
        return { 'lock-token': amqpTypes.wrap_uuid(managementUuidOf(lock.token)), message: encoded };
    });
    return { ...ok, body: { messages } };
}

function lockTokensOf(value: unknown): LockToken[] {
    return (Array.isArray(value) ? value : [])
        .filter((token): token is Buffer => Buffer.isBuffer(token) && token.length === 16)
        .map(lockTokenOfManagementUuid);
}

function sequenceNumbersOf(value: unknown): number[] {
    return (Array.isArray(value) ? value : [])
        .map(readLong)
        .filter((sequenceNumber): sequenceNumber is number => sequenceNumber !== undefined);
}

function asRecord(value: unknown): Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}
