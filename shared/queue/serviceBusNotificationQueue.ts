import { ServiceBusMessage, ServiceBusMessageBatch, ServiceBusSender } from '@azure/service-bus';

import { AppError } from '../errors';
import { NotificationJob, notificationMessageId } from '../notify/notificationJob';
import { NotificationQueue } from '../notify/notificationQueue';

/**
 * Sends delivery jobs to the notification queue with `createMessageBatch`/`tryAddMessage` and deterministic
 * message ids (`notificationMessageId`), so Service Bus duplicate detection drops the copies a redelivered batch
 * sends. Retries go out with a scheduled enqueue time.
 */
export class ServiceBusNotificationQueue implements NotificationQueue {
    constructor(private readonly sender: ServiceBusSender) {}

    async send(jobs: readonly NotificationJob[]): Promise<void> {
        if (jobs.length === 0) {
            return;
        }
        let batch = await this.createBatch();
        let count = 0;
        for (const job of jobs) {
            if (batch.tryAddMessage(toServiceBusMessage(job))) {
                count++;
                continue;
            }
            if (count === 0) {
                throw new AppError('queue.failed', `Delivery job ${job.jobId} is larger than the queue accepts`, false);
            }
            await this.sendBatch(batch, count);
            batch = await this.createBatch();
            count = 0;
            if (!batch.tryAddMessage(toServiceBusMessage(job))) {
                throw new AppError('queue.failed', `Delivery job ${job.jobId} is larger than the queue accepts`, false);
            }
            count++;
        }
        await this.sendBatch(batch, count);
    }

    async schedule(job: NotificationJob, at: Date): Promise<void> {
        try {
            await this.sender.sendMessages({ ...toServiceBusMessage(job), scheduledEnqueueTimeUtc: at });
        } catch (error) {
            throw new AppError(
                'queue.failed',
                `Queue ${this.sender.entityPath} did not accept the retry of job ${job.jobId}`,
                true,
                { cause: error },
            );
        }
    }

    private async createBatch(): Promise<ServiceBusMessageBatch> {
        try {
            return await this.sender.createMessageBatch();
        } catch (error) {
            throw new AppError('queue.failed', `Cannot reach queue ${this.sender.entityPath}`, true, { cause: error });
        }
    }

    private async sendBatch(batch: ServiceBusMessageBatch, count: number): Promise<void> {
        try {
            await this.sender.sendMessages(batch);
        } catch (error) {
            throw new AppError(
                'queue.failed',
                `Queue ${this.sender.entityPath} did not accept a batch of ${count} delivery jobs`,
                true,
                { cause: error },
            );
        }
    }
}

/** Application property names are lower camel case (the host lower-cases the first letter). */
function toServiceBusMessage(job: NotificationJob): ServiceBusMessage {
    return {
        messageId: notificationMessageId(job),
        subject: `${job.kind}.${job.channel}`,
        contentType: 'application/json',
        applicationProperties: {
            contractVersion: '1',
            tenantId: job.tenantId,
            jobId: job.jobId,
            kind: job.kind,
            channel: job.channel,
            attempt: job.attempt,
        },
        body: job,
    };
}
