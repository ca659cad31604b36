import { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';

import { AppError } from '../errors';

/** One message in a dead-letter sub-queue, as an operator needs to see it. */
export interface DeadLetter {
    messageId: string | null;
    subject: string | null;
    reason: string | null;
    description: string | null;
    enqueuedAt: string | null;
    deliveryCount: number | null;
}

function describe(message: ServiceBusReceivedMessage): DeadLetter {
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return {
        messageId: message.messageId === undefined ? null : String(message.messageId),
        subject: message.subject ?? null,
        reason: message.deadLetterReason ?? text(message.applicationProperties?.DeadLetterReason),
        description:
            message.deadLetterErrorDescription ?? text(message.applicationProperties?.DeadLetterErrorDescription),
        enqueuedAt: message.enqueuedTimeUtc?.toISOString() ?? null,
        deliveryCount: message.deliveryCount ?? null,
    };
}

/** Up to `max` dead-lettered messages of a queue, without taking them (peek). */
export async function peekDeadLetters(client: ServiceBusClient, queue: string, max: number): Promise<DeadLetter[]> {
    const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter' });
    try {
        return (await receiver.peekMessages(max)).map(describe);
    } catch (error) {
        throw new AppError('queue.failed', `Cannot read the dead-letter queue of ${queue}`, true, { cause: error });
    } finally {
        await receiver.close();
    }
}

/**
 * Puts up to `max` dead-lettered messages back on their queue, once the cause is fixed. Each copy gets a new
 * message id (the original may still be inside the duplicate-detection window, which would drop it); the consumer
 * is idempotent (risk state is re-read before acting). A dead letter is removed only after the queue accepted
 * its copy, so a failure part-way loses nothing.
 */
export async function resubmitDeadLetters(
    client: ServiceBusClient,
    queue: string,
    max: number,
    now: Date,
): Promise<DeadLetter[]> {
    const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter' });
    const sender = client.createSender(queue);
    const resubmitted: DeadLetter[] = [];
    try {
        while (resubmitted.length < max) {
            const batch = await receiver.receiveMessages(Math.min(100, max - resubmitted.length), {
                maxWaitTimeInMs: 1000,
            });
            if (batch.length === 0) {
                break;
            }
            for (const message of batch) {
                await sender.sendMessages({
                    body: message.body as unknown,
                    messageId: `${String(message.messageId ?? 'dead-letter')}:resubmitted:${now.toISOString()}`,
                    ...(message.subject === undefined ? {} : { subject: message.subject }),
                    ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
                    applicationProperties: withoutDeadLetterProperties(message.applicationProperties),
                });
                await receiver.completeMessage(message);
                resubmitted.push(describe(message));
            }
        }
        return resubmitted;
    } catch (error) {
        throw new AppError(
            'queue.failed',
            `Resubmitting dead letters of ${queue} failed after ${resubmitted.length}`,
            true,
            { cause: error },
        );
    } finally {
        await sender.close();
        await receiver.close();
    }
}

function withoutDeadLetterProperties(
    properties: ServiceBusReceivedMessage['applicationProperties'],
): Record<string, string | number | boolean | Date | null> {
    const kept: Record<string, string | number | boolean | Date | null> = {};
    for (const [key, value] of Object.entries(properties ?? {})) {
        if (key !== 'DeadLetterReason' && key !== 'DeadLetterErrorDescription') {
            kept[key] = value;
        }
    }
    return kept;
}
