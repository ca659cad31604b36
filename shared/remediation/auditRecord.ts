import { createHash } from 'node:crypto';

import { z } from 'zod';

/** What became of a decision. */
export const auditOutcomes = [
    /** The action call succeeded (enforce mode). */
    'applied',
    /** Dry-run: decided exactly as enforce would, no write call made. */
    'dryRun',
    /** Recorded before the action call; a redelivery that finds it knows the call may have gone out. */
    'pending',
    /** Not acted on: the user was no longer at risk (already remediated, dismissed or confirmed). */
    'skipped',
    /** The circuit breaker's hourly cap was reached; no action. */
    'held',
    /** An excluded (break-glass) user or member of an excluded group; never acted on. */
    'excluded',
    /** The decision was `none` (no rule, not every detection covered, ignored types). */
    'noAction',
    /** Graph refused the action for this user. */
    'failed',
    /** A queue message that failed the contract, set aside with its raw body. */
    'rejected',
] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** One audit record per decision (or per rejected message). */
export const auditRecordSchema = z.object({
    /** Stable id of the decision: same user and same detection versions give the same id. */
    decisionId: z.string().min(1),
    tenantId: z.string().min(1),
    /** ISO time the record was last written. */
    time: z.iso.datetime({ offset: true }),
    userId: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
    action: z.enum(['confirmCompromised', 'dismiss', 'none']),
    mode: z.enum(['dryRun', 'enforce']),
    outcome: z.enum(auditOutcomes),
    ruleId: z.string().nullable(),
    detectionIds: z.array(z.string()),
    reason: z.string(),
    /** Queue message ids the decision came from. */
    messageIds: z.array(z.string()),
    /** Rejected messages only: the raw body as received, truncated to 32 KiB. */
    rawBody: z.string().optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** The decision id of a user's decision over a set of detection versions (`id@lastUpdatedDateTime`). */
export function decisionIdOf(tenantId: string, userId: string, detectionKeys: readonly string[]): string {
    const hash = createHash('sha256').update([tenantId, userId, ...[...detectionKeys].sort()].join('\n'));
    return hash.digest('hex').slice(0, 40);
}

/** Largest raw body kept for a rejected message (Table Storage caps a string property at 64 KiB). */
export const maxRawBodyChars = 32 * 1024;
