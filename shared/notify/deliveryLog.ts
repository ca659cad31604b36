import { z } from 'zod';

/**
 * The delivery log: one record per delivery job (by job id), written when a job settles. It makes delivery
 * idempotent where Service Bus duplicate detection cannot (a Basic-tier queue, a copy arriving after the
 * detection window): a job whose record is settled is never sent again. It is also the notification audit trail:
 * recipients that could not be reached (a user without a manager) are recorded with their reason.
 */

/** What became of a delivery job. */
export const deliveryStatuses = [
    /** The webhook or Graph accepted the message. */
    'delivered',
    /** An attempt failed transiently; a retry is scheduled. Not settled. */
    'retrying',
    /** Retries ran out or the failure cannot be retried; the alert owner was told. */
    'deadLettered',
    /** There was nobody to send to (no manager, no mailbox, email channel off); nothing was sent. */
    'noRecipient',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One delivery record. */
export const deliveryRecordSchema = z.object({
    jobId: z.string().min(1),
    tenantId: z.string().min(1),
    /** ISO time the record was written. */
    time: z.iso.datetime({ offset: true }),
    kind: z.enum(['digest', 'alert']),
    /** Owner name, "manager" or "alerts"; never a URL. */
    owner: z.string().min(1),
    channel: z.enum(['teams', 'email']),
    status: z.enum(deliveryStatuses),
    /** Attempts made so far. 0 when nothing was tried (noRecipient). */
    attempts: z.number().int().min(0),
    /** Why: the failure, masked (no URL beyond its host), or what was missing. */
    reason: z.string(),
    decisionIds: z.array(z.string()),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

/** The delivery log port: Azure Table Storage in Azure, a JSON-lines file locally. */
export interface DeliveryLog {
    /** The latest record of a job, or undefined. */
    get(jobId: string): Promise<DeliveryRecord | undefined>;
    /** Inserts or replaces the record of `record.jobId`. */
    put(record: DeliveryRecord): Promise<void>;
}

/** True when the job needs no further attempt: delivered, dead-lettered, or nobody to send to. */
export function isSettled(record: DeliveryRecord | undefined): boolean {
    return record !== undefined && record.status !== 'retrying';
}
