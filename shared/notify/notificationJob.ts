import { createHash } from 'node:crypto';

import { z } from 'zod';

import { emailContentSchema } from './emailContent';
import { Alert } from './notifier';
import { teamsMessageSchema } from './teamsMessage';

/**
 * The delivery job contract, version 1: what the consumer's notifier queues on NOTIFY_QUEUE_NAME and
 * `deliverNotification` parses. One job is one message to one recipient over one channel, rendered already.
 * A new version gets a new literal and the delivery function parses both until the old one has drained.
 *
 * Webhook URLs are secrets, so a Teams job names its target (an owner of the rules file, or the alert owner) and
 * the URL is looked up at delivery; it never travels on the queue. Email addresses are resolved when queueing,
 * except a manager whose lookup failed, who is looked up again at delivery (`managerOf`).
 */

/** Where a Teams job goes: resolved to a webhook URL at delivery. */
export const teamsTargetSchema = z.discriminatedUnion('kind', [
    /** The `teams` webhook of this owner in the rules file. */
    z.object({ kind: z.literal('owner'), owner: z.string().min(1) }),
    /** ALERT_TEAMS_WEBHOOK. */
    z.object({ kind: z.literal('alertOwner') }),
]);
export type TeamsTarget = z.infer<typeof teamsTargetSchema>;

/** Where an email job goes. */
export const emailTargetSchema = z.discriminatedUnion('kind', [
    /** These addresses (an owner's list, a manager's mail, ALERT_EMAIL); 500 is Exchange's usual cap per message. */
    z.object({ kind: z.literal('addresses'), to: z.array(z.email()).min(1).max(500) }),
    /** The manager of this user, looked up at delivery (the lookup failed when the job was queued). */
    z.object({ kind: z.literal('managerOf'), userId: z.string().min(1) }),
]);
export type EmailTarget = z.infer<typeof emailTargetSchema>;

const jobCommon = {
    version: z.literal(1),
    tenantId: z.string().min(1),
    /** Deterministic id of the job (see `notificationJobId`): the delivery log's key, the same on every retry. */
    jobId: z.string().regex(/^[0-9a-f]{64}$/),
    /** A digest of decisions or an alert. */
    kind: z.enum(['digest', 'alert']),
    /** Who it is for, for logs and the delivery log: an owner name, "manager" or "alerts". Never a URL. */
    owner: z.string().min(1).max(128),
    /** The decisions the message reports (empty for alerts). */
    decisionIds: z.array(z.string().min(1)),
    /** 1 for the first attempt; retries are new messages with attempt + 1. */
    attempt: z.number().int().min(1),
    /** When the first attempt was queued (ISO 8601). */
    createdAt: z.iso.datetime({ offset: true }),
};

/** A delivery job. */
export const notificationJobSchema = z.discriminatedUnion('channel', [
    z.object({ ...jobCommon, channel: z.literal('teams'), target: teamsTargetSchema, message: teamsMessageSchema }),
    z.object({ ...jobCommon, channel: z.literal('email'), target: emailTargetSchema, message: emailContentSchema }),
]);
export type NotificationJob = z.infer<typeof notificationJobSchema>;
/** teams | email. */
export type NotificationChannel = NotificationJob['channel'];

/**
 * The job id: a hash of (tenant, kind, recipient key, channel, sorted decision ids or the alert key), so a
 * redelivered batch builds the same ids and Service Bus duplicate detection, or the delivery log, drops the copy.
 */
export function notificationJobId(
    tenantId: string,
    kind: NotificationJob['kind'],
    recipientKey: string,
    channel: NotificationChannel,
    subjectKeys: readonly string[],
): string {
    return createHash('sha256')
        .update([tenantId, kind, recipientKey, channel, ...[...subjectKeys].sort()].join('\n'))
        .digest('hex');
}

/**
 * The Service Bus message id of an attempt: the job id for the first, `jobId.attempt` for retries, so a retry is
 * not dropped as a duplicate of the first attempt while a re-sent retry still is (128 characters max).
 */
export function notificationMessageId(job: Pick<NotificationJob, 'jobId' | 'attempt'>): string {
    return job.attempt === 1 ? job.jobId : `${job.jobId}.${job.attempt}`;
}

/** One hour: alerts that repeat every batch (breaker, invalid rules) are sent at most once per hour and key. */
const alertBucketMs = 60 * 60 * 1000;

/**
 * What makes two alerts the same: the message id of a rejected or dead-lettered message; the action and the hour
 * of a tripped breaker; the file, the problems and the hour of an invalid rules file. Redelivered batches raise
 * the same alerts again, and these keys make them one.
 */
export function alertKey(alert: Alert, nowMs: number): string {
    const hour = String(Math.floor(nowMs / alertBucketMs));
    switch (alert.kind) {
        case 'messageRejected':
        case 'deadLettered':
            return [alert.kind, alert.messageId ?? hashOf(alert.reason)].join(':');
        case 'breakerTripped':
            return [alert.kind, alert.action, hour].join(':');
        case 'rulesInvalid':
            return [alert.kind, alert.file, hashOf(alert.problems.join('\n')), hour].join(':');
        default:
            return assertNever(alert);
    }
}

/** Parses a received body (JSON text, a buffer or an object); the outcome, not an exception. */
export function parseNotificationJob(body: unknown): { ok: true; job: NotificationJob } | { ok: false; reason: string } {
    const value = typeof body === 'string' || Buffer.isBuffer(body) ? tryParseJson(body.toString()) : body;
    const parsed = notificationJobSchema.safeParse(value);
    if (parsed.success) {
        return { ok: true, job: parsed.data };
    }
    const reason = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
    return { ok: false, reason };
}

function hashOf(text: string): string {
    return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function tryParseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
