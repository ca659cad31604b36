import { Manager } from '../../shared/graph/directory';
import { AppError } from '../../shared/errors';
import { MailSender, WebhookSource } from '../../shared/notify/deliverNotification';
import { DeliveryLog, DeliveryRecord } from '../../shared/notify/deliveryLog';
import { EmailContent } from '../../shared/notify/emailContent';
import { NotificationJob, notificationMessageId } from '../../shared/notify/notificationJob';
import { NotificationQueue } from '../../shared/notify/notificationQueue';
import { Alert, Notifier } from '../../shared/notify/notifier';
import { ManagerDirectory } from '../../shared/notify/recipients';
import { TeamsMessage } from '../../shared/notify/teamsMessage';
import { TeamsPoster } from '../../shared/notify/teamsWebhookPoster';

/** A queue that keeps what it accepted and, like Service Bus with duplicate detection, drops repeated message ids. */
export class RecordingNotificationQueue implements NotificationQueue {
    readonly sent: NotificationJob[] = [];
    readonly scheduled: Array<{ job: NotificationJob; at: Date }> = [];
    readonly duplicatesDropped: string[] = [];
    failNextSend: AppError | undefined;
    private readonly seen = new Set<string>();

    constructor(private readonly duplicateDetection = true) {}

    async send(jobs: readonly NotificationJob[]): Promise<void> {
        if (this.failNextSend) {
            const error = this.failNextSend;
            this.failNextSend = undefined;
            throw error;
        }
        jobs.forEach((job) => this.accept(job) && this.sent.push(job));
    }

    async schedule(job: NotificationJob, at: Date): Promise<void> {
        if (this.accept(job)) {
            this.scheduled.push({ job, at });
        }
    }

    /** Every job accepted, first attempts and retries. */
    all(): NotificationJob[] {
        return [...this.sent, ...this.scheduled.map((entry) => entry.job)];
    }

    private accept(job: NotificationJob): boolean {
        const id = notificationMessageId(job);
        if (this.duplicateDetection && this.seen.has(id)) {
            this.duplicatesDropped.push(id);
            return false;
        }
        this.seen.add(id);
        return true;
    }
}

export class InMemoryDeliveryLog implements DeliveryLog {
    readonly records = new Map<string, DeliveryRecord>();
    readonly writes: DeliveryRecord[] = [];
    async get(jobId: string): Promise<DeliveryRecord | undefined> {
        return this.records.get(jobId);
    }
    async put(record: DeliveryRecord): Promise<void> {
        this.records.set(record.jobId, record);
        this.writes.push(record);
    }
    byStatus(status: DeliveryRecord['status']): DeliveryRecord[] {
        return [...this.records.values()].filter((record) => record.status === status);
    }
}

/** Managers by user id; a user not listed has none. Lookups are counted; `failFor` users throw a transient error. */
export class FakeManagerDirectory implements ManagerDirectory {
    readonly managers = new Map<string, Manager>();
    readonly failFor = new Set<string>();
    lookups: string[] = [];
    async managerOf(userId: string): Promise<Manager | null> {
        this.lookups.push(userId);
        if (this.failFor.has(userId)) {
            throw new AppError(
                'graph.failed',
                'Graph answered 503 serviceNotAvailable for GET users/{id}/manager',
                true,
            );
        }
        return this.managers.get(userId) ?? null;
    }
}

/** A Teams poster that records posts and fails the next ones on request (errors as the real poster raises them). */
export class RecordingTeamsPoster {
    readonly posts: Array<{ url: string; message: TeamsMessage }> = [];
    readonly failures: AppError[] = [];
    readonly post: TeamsPoster = async (url, message) => {
        const failure = this.failures.shift();
        if (failure) {
            throw failure;
        }
        this.posts.push({ url, message });
    };
}

export class RecordingMailSender {
    readonly sent: Array<{ to: readonly string[]; content: EmailContent; correlationId: string }> = [];
    readonly failures: AppError[] = [];
    readonly send: MailSender = async (to, content, correlationId) => {
        const failure = this.failures.shift();
        if (failure) {
            throw failure;
        }
        this.sent.push({ to, content, correlationId });
    };
}

/** Webhook URLs by owner name, and the alert owner's. */
export function webhooksOf(urls: Record<string, string>, alertWebhook?: string): WebhookSource {
    return async (target) => (target.kind === 'alertOwner' ? alertWebhook : urls[target.owner]);
}

/** An alert sink for delivery tests. */
export class RecordingAlerts implements Pick<Notifier, 'alert'> {
    readonly alerts: Array<{ tenantId: string; alert: Alert }> = [];
    async alert(tenantId: string, alert: Alert): Promise<void> {
        this.alerts.push({ tenantId, alert });
    }
}
