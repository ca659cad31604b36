import { createHash } from 'node:crypto';

import { z } from 'zod';

import { Detection, detectionSchema } from '../detection';

/**
 * The queue message contract, version 1: what intake sends and remediateRisk parses. A new version gets a new
 * literal and the consumer parses both until the old one has drained.
 */
export const riskDetectionMessageSchema = z.object({
    version: z.literal(1),
    /** Tenant the detection belongs to. */
    tenantId: z.string().min(1),
    /** When intake queued it (ISO 8601). */
    queuedAt: z.iso.datetime({ offset: true }),
    /** The detection's Graph fields as listed. */
    detection: detectionSchema,
});
export type RiskDetectionMessage = z.infer<typeof riskDetectionMessageSchema>;

/** A message ready for Service Bus: deterministic id, subject and application properties, JSON body. */
export interface OutgoingMessage {
    messageId: string;
    subject: string;
    applicationProperties: Record<string, string>;
    body: RiskDetectionMessage;
}

/**
 * The message id of one detection version: a hash of (tenant, detection id, lastUpdatedDateTime), so the same
 * unchanged detection always has the same id (Service Bus duplicate detection keys on it; 128 characters max,
 * which the plain concatenation could exceed).
 */
export function detectionMessageId(tenantId: string, detection: Pick<Detection, 'id' | 'lastUpdatedDateTime'>): string {
    return createHash('sha256').update(`${tenantId}\n${detection.id}\n${detection.lastUpdatedDateTime}`).digest('hex');
}

/** Builds the message for one detection. Application property names are lower camel case (the host lower-cases the first letter). */
export function createDetectionMessage(tenantId: string, detection: Detection, queuedAt: Date): OutgoingMessage {
    return {
        messageId: detectionMessageId(tenantId, detection),
        subject: detection.riskEventType,
        applicationProperties: {
            contractVersion: '1',
            tenantId,
            userId: detection.userId,
            riskLevel: detection.riskLevel,
            detectionId: detection.id,
        },
        body: { version: 1, tenantId, queuedAt: queuedAt.toISOString(), detection },
    };
}

/** Parses a received body; the outcome, not an exception, so one bad message never sinks its batch (R7). */
export function parseDetectionMessage(
    body: unknown,
): { ok: true; message: RiskDetectionMessage } | { ok: false; reason: string } {
    const value = typeof body === 'string' || Buffer.isBuffer(body) ? tryParseJson(body.toString()) : body;
    const parsed = riskDetectionMessageSchema.safeParse(value);
    if (parsed.success) {
        return { ok: true, message: parsed.data };
    }
    const reason = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
    return { ok: false, reason };
}

function tryParseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
