import { AppError, isRetryable } from '../errors';
import { graphStatusOf } from '../graph/graphApi';
import { Logger } from '../logger';

/** One action call for up to 60 users (GraphRiskActions in Azure, a fake in unit tests). */
export type RiskActionCall = (action: 'confirmCompromised' | 'dismiss', userIds: readonly string[]) => Promise<void>;

/** Per user: applied, or refused by Graph with a reason. */
export type ActionResult = { userId: string; ok: true } | { userId: string; ok: false; reason: string };

/** Graph takes at most 60 userIds per call (documented for dismiss, applied to every action). */
export const usersPerActionCall = 60;

/** One user and the action to take on them. */
export interface ActionRequest {
    userId: string;
    action: 'confirmCompromised' | 'dismiss';
}

/**
 * Applies actions in calls of up to 60 users per action. The calls go out together and the caller's Graph client
 * paces them (one tenant budget), so Graph latency overlaps instead of adding up. A call has no partial-success
 * body, so when Graph refuses one outright (a 4xx that retrying will not fix), the chunk is split in halves to
 * find the users it refuses and still act on the rest (reference section 5.3). Transient failures past the Graph
 * budget are rethrown once every call has settled: the batch goes back to Service Bus, and the re-read of risk
 * state on redelivery keeps applied actions from repeating.
 */
export async function applyRiskActions(
    call: RiskActionCall,
    requests: readonly ActionRequest[],
    logger: Logger,
): Promise<ActionResult[]> {
    const chunks: Array<{ action: 'confirmCompromised' | 'dismiss'; userIds: string[] }> = [];
    for (const action of ['confirmCompromised', 'dismiss'] as const) {
        const userIds = requests.filter((request) => request.action === action).map((request) => request.userId);
        for (let start = 0; start < userIds.length; start += usersPerActionCall) {
            chunks.push({ action, userIds: userIds.slice(start, start + usersPerActionCall) });
        }
    }
    const settled = await Promise.allSettled(
        chunks.map((chunk) => applyChunk(call, chunk.action, chunk.userIds, logger)),
    );
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) {
        throw failure.reason;
    }
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
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
