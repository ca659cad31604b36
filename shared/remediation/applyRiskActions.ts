import { AppError, isRetryable } from '../errors';
import { graphStatusOf } from '../graph/graphApi';
import { Logger } from '../logger';

/** One action call for up to 60 users (GraphRiskActions in Azure, a fake in unit tests). */
export type RiskActionCall = (action: 'confirmCompromised' | 'dismiss', userIds: readonly string[]) => Promise<void>;

/** Per user: applied, or refused by Graph with a reason. */
export type ActionResult = { userId: string; ok: true } | { userId: string; ok: false; reason: string };

/** Graph takes at most 60 userIds per call (documented for dismiss, applied to every action). */
export const usersPerActionCall = 60;

/**
 * Applies one action to users in calls of up to 60. The call has no partial-success body, so when Graph refuses
 * a call outright (a 4xx that retrying will not fix), the chunk is split in halves to find the users it refuses
 * and still act on the rest (reference section 5.3). Transient failures past the Graph budget are rethrown: the
 * batch goes back to Service Bus, and the re-read of risk state on redelivery keeps applied actions from repeating.
 */
export async function applyRiskActions(
    call: RiskActionCall,
    action: 'confirmCompromised' | 'dismiss',
    userIds: readonly string[],
    logger: Logger,
): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    for (let start = 0; start < userIds.length; start += usersPerActionCall) {
        results.push(...(await applyChunk(call, action, userIds.slice(start, start + usersPerActionCall), logger)));
    }
    return results;
}

async function applyChunk(
    call: RiskActionCall,
    action: 'confirmCompromised' | 'dismiss',
    userIds: readonly string[],
    logger: Logger,
): Promise<ActionResult[]> {
    try {
        await call(action, userIds);
        logger.info(`remediate: ${action} applied to ${userIds.length} users in one call`);
        return userIds.map((userId) => ({ userId, ok: true }));
    } catch (error) {
        if (isRetryable(error) || !(error instanceof AppError)) {
            throw error;
        }
        if (userIds.length === 1) {
            const status = graphStatusOf(error);
            logger.warn(`remediate: ${action} refused for one user (${status ?? error.code})`);
            return [{ userId: userIds[0]!, ok: false, reason: `Graph refused ${action}: ${error.message}` }];
        }
        const middle = Math.ceil(userIds.length / 2);
        logger.warn(
            `remediate: ${action} refused for a call of ${userIds.length}; splitting to isolate the refused users`,
        );
        return [
            ...(await applyChunk(call, action, userIds.slice(0, middle), logger)),
            ...(await applyChunk(call, action, userIds.slice(middle), logger)),
        ];
    }
}
