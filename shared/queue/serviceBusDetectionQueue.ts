import { ServiceBusMessage, ServiceBusMessageBatch, ServiceBusSender } from '@azure/service-bus';

import { AppError } from '../errors';
import { DetectionQueue } from './detectionQueue';
import { OutgoingMessage } from './message';

/**
 * Sends detection messages with `createMessageBatch`/`tryAddMessage`, as few sends as the broker's maximum
 * message size allows. Each accepted batch is reported before the next one goes, so a failure loses nothing
 * that was already sent.
 */
export class ServiceBusDetectionQueue implements DetectionQueue {
    constructor(private readonly sender: ServiceBusSender) {}

    async send(
        messages: readonly OutgoingMessage[],
        onAccepted: (accepted: readonly OutgoingMessage[]) => Promise<void>,
    ): Promise<void> {
        let batch = await this.createBatch();
        let inBatch: OutgoingMessage[] = [];
        for (const message of messages) {
            if (batch.tryAddMessage(toServiceBusMessage(message))) {
                inBatch.push(message);
                continue;
            }
            if (inBatch.length === 0) {
                throw new AppError(
                    'queue.failed',
                    `Message ${message.messageId} is larger than the queue accepts`,
                    false,
                );
            }
            await this.sendBatch(batch, inBatch, onAccepted);
            batch = await this.createBatch();
            inBatch = [];
            if (!batch.tryAddMessage(toServiceBusMessage(message))) {
                throw new AppError(
                    'queue.failed',
                    `Message ${message.messageId} is larger than the queue accepts`,
                    false,
                );
            }
            inBatch.push(message);
        }
        if (inBatch.length > 0) {
            await this.sendBatch(batch, inBatch, onAccepted);
        }
    }

    private async createBatch(): Promise<ServiceBusMessageBatch> {
        try {
            return await this.sender.createMessageBatch();
        } catch (error) {
            throw new AppError('queue.failed', `Cannot reach queue ${this.sender.entityPath}`, true, { cause: error });
        }
    }

    private async sendBatch(
        batch: ServiceBusMessageBatch,
        messages: OutgoingMessage[],
        onAccepted: (accepted: readonly OutgoingMessage[]) => Promise<void>,
    ): Promise<void> {
        try {
            await this.sender.sendMessages(batch);
        } catch (error) {
            throw new AppError(
                'queue.failed',
                `Queue ${this.sender.entityPath} did not accept a batch of ${messages.length}`,
                true,
                { cause: error },
            );
        }
        await onAccepted(messages);
    }
}

function toServiceBusMessage(message: OutgoingMessage): ServiceBusMessage {
    return {
        messageId: message.messageId,
        subject: message.subject,
        contentType: 'application/json',
        applicationProperties: message.applicationProperties,
        body: message.body,
    };
}
