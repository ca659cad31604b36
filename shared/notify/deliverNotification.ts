import { Clock } from '../clock';
import { ensureError, hasErrorCode, isRetryable } from '../errors';
import { BackoffPolicy, backoffDelayMs } from '../graph/backoff';
import { Logger } from '../logger';
import { DeliveryError, retryAfterOf } from './deliveryError';
import { DeliveryLog, DeliveryRecord, DeliveryStatus, isSettled } from './deliveryLog';
import { EmailContent } from './emailContent';
import { NotificationJob, parseNotificationJob, TeamsTarget } from './notificationJob';
import { NotificationQueue } from './notificationQueue';
import { Notifier } from './notifier';
import { ManagerDirectory } from './recipients';
import { TeamsPoster } from './teamsWebhookPoster';

/** A delivery job as the trigger hands it over. */
export interface ReceivedNotification {
    body: unknown;
    /** The Service Bus message id, for messages about a body that is not a job. */
    messageId: string | null;
}

/** Sends a rendered email to `to`; `correlationId` goes out as a header. Throws AppError (retryable or not). */
export type MailSender = (to: readonly string[], content: EmailContent, correlationId: string) => Promise<void>;

/** The webhook URL of a Teams target (from the rules file or ALERT_TEAMS_WEBHOOK); undefined when none is set. */
export type WebhookSource = (target: TeamsTarget) => Promise<string | undefined>;

/** What delivery needs from the outside. */
export interface DeliveryDependencies {
    log: DeliveryLog;
    /** Where retries are scheduled. */
    queue: NotificationQueue;
    postToTeams: TeamsPoster;
    /** Undefined when no sender mailbox is configured (MAIL_SENDER): email jobs then fail for good. */
    sendMail: MailSender | undefined;
    webhooks: WebhookSource;
    /** For `managerOf` targets, whose lookup failed when the batch was notified. */
    managers: ManagerDirectory;
    /** Tells the default alert owner about jobs that could not be delivered. */
    alerts: Pick<Notifier, 'alert'>;
    clock: Clock;
    /** [0, 1), for back-off jitter. */
    random: () => number;
}

/** Retry policy of delivery. */
export interface DeliveryConfig {
    /** The app's tenant (TENANT_ID), for alerts about messages that are not jobs. */
    tenantId: string;
    /** Attempts per job, the first included (NOTIFY_MAX_ATTEMPTS). */
    maxAttempts: number;
    /** Wait before attempt n + 1: base * 2^(n-1) with equal jitter, capped (NOTIFY_RETRY_*_SECONDS). */
    retry: BackoffPolicy;
}

/** What one delivery invocation did. */
export type DeliveryOutcome =
    | { kind: 'delivered'; jobId: string; attempt: number }
    | { kind: 'duplicate'; jobId: string; status: DeliveryStatus }
    | { kind: 'retryScheduled'; jobId: string; attempt: number; at: Date }
    | { kind: 'deadLettered'; jobId: string; reason: string }
    | { kind: 'noRecipient'; jobId: string; reason: string }
    | { kind: 'rejected'; reason: string };

type SendResult = { kind: 'sent' } | { kind: 'noRecipient'; reason: string };

/**
 * Delivers one job (design N1), apart from the remediation, so nothing here can repeat or undo an action:
 *
 * - A job the delivery log already shows as settled is not sent again (a copy from a redelivered batch on a
 *   queue without duplicate detection, or past its window).
 * - On a transient failure (429, 5xx, timeout, network) a copy with attempt + 1 is scheduled after an
 *   exponential back-off (at least the receiver's Retry-After), and this message completes.
 * - On a permanent failure, or when attempts run out, the job is recorded as dead-lettered with its reason and
 *   the default alert owner is alerted (not for alerts themselves, which would loop). A Node function cannot
 *   dead-letter its own message, so the delivery log is the dead-letter record; Service Bus's dead-letter queue
 *   still catches messages whose invocations keep throwing (the log or the queue being down).
 *
 * Throws only when the log cannot be read or a retry cannot be scheduled: then nothing was lost, and Service
 * Bus redelivers the message.
 */
export async function deliverNotification(
    received: ReceivedNotification,
    deps: DeliveryDependencies,
    config: DeliveryConfig,
    logger: Logger,
): Promise<DeliveryOutcome> {
    const parsed = parseNotificationJob(received.body);
    if (!parsed.ok) {
        logger.error(`deliver: message ${received.messageId ?? '(no id)'} is not a delivery job: ${parsed.reason}`);
        await deps.alerts.alert(config.tenantId, { kind: 'messageRejected', messageId: received.messageId, reason: `not a delivery job: ${parsed.reason}` });
        return { kind: 'rejected', reason: parsed.reason };
    }
    const job = parsed.job;
    const name = describeJob(job);
    const previous = await deps.log.get(job.jobId);
    if (previous !== undefined && isSettled(previous)) {
        logger.info(`deliver: ${name} is already ${previous.status}; nothing sent`);
        return { kind: 'duplicate', jobId: job.jobId, status: previous.status };
    }

    let result: SendResult;
    try {
        result = await send(job, deps);
    } catch (error) {
        return handleFailure(job, error, deps, config, logger);
    }
    if (result.kind === 'noRecipient') {
        logger.warn(`deliver: ${name}: nobody to send to: ${result.reason}`);
        await deps.log.put(recordOf(job, 'noRecipient', 0, result.reason, deps.clock));
        return { kind: 'noRecipient', jobId: job.jobId, reason: result.reason };
    }
    logger.info(`deliver: ${name} delivered on attempt ${job.attempt}`);
    try {
        await deps.log.put(recordOf(job, 'delivered', job.attempt, 'delivered', deps.clock));
    } catch (error) {
        // It went out; throwing now would send it again on redelivery.
        logger.warn(`deliver: ${name} delivered, but the delivery log write failed: ${ensureError(error).message}`);
    }
    return { kind: 'delivered', jobId: job.jobId, attempt: job.attempt };
}

async function send(job: NotificationJob, deps: DeliveryDependencies): Promise<SendResult> {
    if (job.channel === 'teams') {
        const url = await webhookOf(job.target, deps.webhooks);
        await deps.postToTeams(url, job.message);
        return { kind: 'sent' };
    }
    if (deps.sendMail === undefined) {
        throw new DeliveryError('email is off: MAIL_SENDER is not set where notifications are delivered', false);
    }
    let to: readonly string[];
    if (job.target.kind === 'addresses') {
        to = job.target.to;
    } else {
        const manager = await deps.managers.managerOf(job.target.userId);
        if (manager === null) {
            return { kind: 'noRecipient', reason: 'the user has no manager in the directory' };
        }
        if (!manager.mail) {
            return { kind: 'noRecipient', reason: `the manager ${manager.id} has no mailbox` };
        }
        to = [manager.mail];
    }
    await deps.sendMail(to, job.message, job.jobId);
    return { kind: 'sent' };
}

async function webhookOf(target: TeamsTarget, webhooks: WebhookSource): Promise<string> {
    let url: string | undefined;
    try {
        url = await webhooks(target);
    } catch (error) {
        // An invalid rules file is fixed by an operator; until then, keep retrying.
        const code = hasErrorCode(error, 'rules.invalid') ? 'the rules file is invalid' : ensureError(error).name;
        throw new DeliveryError(`the webhook of ${describeTarget(target)} could not be looked up: ${code}`, true);
    }
    if (url === undefined) {
        throw new DeliveryError(
            target.kind === 'alertOwner' ? 'ALERT_TEAMS_WEBHOOK is not set' : `owner "${target.owner}" has no teams webhook in the rules file`,
            false,
        );
    }
    return url;
}

async function handleFailure(
    job: NotificationJob,
    error: unknown,
    deps: DeliveryDependencies,
    config: DeliveryConfig,
    logger: Logger,
): Promise<DeliveryOutcome> {
    const name = describeJob(job);
    const reason = ensureError(error).message;
    if (isRetryable(error) && job.attempt < config.maxAttempts) {
        const delayMs = Math.max(backoffDelayMs(job.attempt, config.retry, deps.random), retryAfterOf(error) ?? 0);
        const at = new Date(deps.clock.now() + delayMs);
        const next: NotificationJob = { ...job, attempt: job.attempt + 1 };
        await deps.queue.schedule(next, at);
        logger.warn(`deliver: ${name} attempt ${job.attempt} of ${config.maxAttempts} failed (${reason}); retry at ${at.toISOString()}`);
        await putSafely(deps.log, recordOf(job, 'retrying', job.attempt, reason, deps.clock), logger);
        return { kind: 'retryScheduled', jobId: job.jobId, attempt: next.attempt, at };
    }
    const final = isRetryable(error) ? `gave up after ${job.attempt} attempts: ${reason}` : reason;
    logger.error(`deliver: ${name} dead-lettered: ${final}`);
    if (job.kind !== 'alert') {
        await deps.alerts.alert(job.tenantId, {
            kind: 'deadLettered',
            messageId: job.jobId,
            reason: `${job.kind} for ${job.owner} via ${job.channel} not delivered: ${final}`,
        });
    }
    await deps.log.put(recordOf(job, 'deadLettered', job.attempt, final, deps.clock));
    return { kind: 'deadLettered', jobId: job.jobId, reason: final };
}

async function putSafely(log: DeliveryLog, record: DeliveryRecord, logger: Logger): Promise<void> {
    try {
        await log.put(record);
    } catch (error) {
        logger.warn(`deliver: could not record ${record.status} for job ${record.jobId}: ${ensureError(error).message}`);
    }
}

function recordOf(job: NotificationJob, status: DeliveryStatus, attempts: number, reason: string, clock: Clock): DeliveryRecord {
    return {
        jobId: job.jobId,
        tenantId: job.tenantId,
        time: new Date(clock.now()).toISOString(),
        kind: job.kind,
        owner: job.owner,
        channel: job.channel,
        status,
        attempts,
        reason,
        decisionIds: [...job.decisionIds],
    };
}

function describeJob(job: NotificationJob): string {
    return `${job.kind} ${job.jobId.slice(0, 12)} for ${job.owner} via ${job.channel}`;
}

function describeTarget(target: TeamsTarget): string {
    return target.kind === 'alertOwner' ? 'the alert owner' : `owner "${target.owner}"`;
}
