import { z } from 'zod';

import { Detection, detectionFields, detectionSchema } from '../detection';
import { GraphApi } from './graphApi';

/** Evolvable enum members come back only with this header (reference section 1.2). */
const preferUnknownEnums = { Prefer: 'include-unknown-enum-members' };

/** Graph's maximum page size for riskDetections and riskyUsers (reference sections 2 and 4.2). */
export const maxPageSize = 500;

/** OData datetime literals are unquoted; a quoted one is a string and matches nothing (reference section 2). */
export function odataDateTime(date: Date): string {
    return date.toISOString();
}

function odataString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** `$filter` of one intake listing: updated at or after `since`, at one of `levels`. */
export function riskDetectionsFilter(since: Date, levels: readonly string[]): string {
    const levelClause = levels.map((level) => `riskLevel eq ${odataString(level)}`).join(' or ');
    return `lastUpdatedDateTime ge ${odataDateTime(since)}` + (levels.length > 0 ? ` and (${levelClause})` : '');
}

function query(parameters: Record<string, string>): string {
    return Object.entries(parameters)
        .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
        .join('&');
}

/**
 * Pages of risk detections updated since `since` at the given levels, `$top=500`, only the fields we use.
 * One identity-protection call per page.
 */
export function listRiskDetectionsUpdatedSince(
    graph: GraphApi,
    since: Date,
    levels: readonly string[],
): AsyncGenerator<Detection[]> {
    const path =
        'identityProtection/riskDetections?' +
        query({
            $filter: riskDetectionsFilter(since, levels),
            $select: detectionFields.join(','),
            $top: String(maxPageSize),
        });
    return graph.pages(path, detectionSchema, preferUnknownEnums);
}

/** Pages of the at-risk detections of one user (for the coverage check before a dismissal). */
export function listAtRiskDetectionsOfUser(graph: GraphApi, userId: string): AsyncGenerator<Detection[]> {
    const path =
        'identityProtection/riskDetections?' +
        query({
            $filter: `userId eq ${odataString(userId)} and riskState eq 'atRisk'`,
            $select: detectionFields.join(','),
            $top: String(maxPageSize),
        });
    return graph.pages(path, detectionSchema, preferUnknownEnums);
}

/** Pages of every at-risk detection in the tenant (one listing instead of one read per user). */
export function listAtRiskDetections(graph: GraphApi): AsyncGenerator<Detection[]> {
    const path =
        'identityProtection/riskDetections?' +
        query({ $filter: "riskState eq 'atRisk'", $select: detectionFields.join(','), $top: String(maxPageSize) });
    return graph.pages(path, detectionSchema, preferUnknownEnums);
}

/** A risky user as this app reads it (reference section 4.1). */
export const riskyUserSchema = z.object({
    id: z.string().min(1),
    userPrincipalName: z.string().nullish(),
    userDisplayName: z.string().nullish(),
    riskLevel: z.string().min(1),
    riskState: z.string().min(1),
    riskDetail: z.string().nullish(),
    riskLastUpdatedDateTime: z.iso.datetime({ offset: true }).nullish(),
    isDeleted: z.boolean().nullish(),
    isProcessing: z.boolean().nullish(),
});
export type RiskyUser = z.infer<typeof riskyUserSchema>;

const riskyUserFields = Object.keys(riskyUserSchema.shape).join(',');

/** Pages of every user currently at risk: one listing instead of one read per user (reference section 4.3). */
export function listAtRiskUsers(graph: GraphApi): AsyncGenerator<RiskyUser[]> {
    const path =
        'identityProtection/riskyUsers?' +
        query({ $filter: "riskState eq 'atRisk'", $select: riskyUserFields, $top: String(maxPageSize) });
    return graph.pages(path, riskyUserSchema, preferUnknownEnums);
}

/** One risky user. */
export function getRiskyUser(graph: GraphApi, userId: string): Promise<RiskyUser> {
    return graph.get(
        `identityProtection/riskyUsers/${encodeURIComponent(userId)}?$select=${riskyUserFields}`,
        riskyUserSchema,
        preferUnknownEnums,
    );
}

/** A risky-user history item (reference section 4.4). */
export const riskyUserHistoryItemSchema = riskyUserSchema.extend({
    userId: z.string().nullish(),
    initiatedBy: z.string().nullish(),
    activity: z.object({ riskEventTypes: z.array(z.string()).nullish(), detail: z.string().nullish() }).nullish(),
});
export type RiskyUserHistoryItem = z.infer<typeof riskyUserHistoryItemSchema>;

/** Pages of one risky user's history. */
export function listRiskyUserHistory(graph: GraphApi, userId: string): AsyncGenerator<RiskyUserHistoryItem[]> {
    return graph.pages(
        `identityProtection/riskyUsers/${encodeURIComponent(userId)}/history`,
        riskyUserHistoryItemSchema,
        preferUnknownEnums,
    );
}

/** Graph takes at most 60 userIds per action call (documented for dismiss; applied to every action). */
export const maxUsersPerAction = 60;

/** The two user-risk actions this app takes. */
export type RiskAction = 'confirmCompromised' | 'dismiss';

/** One action call for up to 60 users; 204 on success (reference section 5.1). */
export async function applyRiskAction(graph: GraphApi, action: RiskAction, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0 || userIds.length > maxUsersPerAction) {
        throw new RangeError(`${action} takes 1 to ${maxUsersPerAction} users, got ${userIds.length}`);
    }
    await graph.post(`identityProtection/riskyUsers/${action}`, { userIds });
}
