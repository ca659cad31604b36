import { NotificationJob } from './notificationJob';

/**
 * Where delivery jobs wait: a Service Bus queue (NOTIFY_QUEUE_NAME) in Azure and locally. Each job goes out under
 * `notificationMessageId(job)`, so on a queue with duplicate detection the copy a redelivered batch sends is
 * dropped by the broker; the delivery log catches what the detection window does not.
 */
export interface NotificationQueue {
    /** Sends jobs now, in as few calls as the transport allows; resolves when the queue accepted all of them. */
    send(jobs: readonly NotificationJob[]): Promise<void>;
    /** Sends a retry that becomes visible at `at` (Service Bus scheduled enqueue time). */
    schedule(job: NotificationJob, at: Date): Promise<void>;
}
