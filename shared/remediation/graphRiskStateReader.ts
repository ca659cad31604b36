import { Detection } from '../detection';
import { AppError } from '../errors';
import { GraphApi, graphStatusOf } from '../graph/graphApi';
import { getRiskyUser, listAtRiskDetectionsOfUser, listAtRiskUsers } from '../graph/identityProtection';
import { CurrentRiskState, RiskStateReader } from './riskStateReader';

/**
 * Re-reads risk state with as few identity-protection calls as the API allows: one GET per user when the batch
 * has fewer users than the last listing of at-risk users took pages, otherwise one paged listing of every
 * at-risk user (filtering riskyUsers by a set of ids is not documented, reference section 4.3).
 */
export class GraphRiskStateReader implements RiskStateReader {
    /** Pages the last at-risk listing took: the price of a listing, learned as we go. */
    private listingPages = 1;

    constructor(private readonly graph: GraphApi) {}

    async currentStates(userIds: readonly string[]): Promise<Map<string, CurrentRiskState>> {
        const unique = [...new Set(userIds)];
        return unique.length < this.listingPages + 1 ? this.readEach(unique) : this.readListing(new Set(unique));
    }

    async atRiskDetections(userId: string): Promise<Detection[]> {
        const detections: Detection[] = [];
        for await (const page of listAtRiskDetectionsOfUser(this.graph, userId)) {
            detections.push(...page);
        }
        return detections;
    }

    private async readEach(userIds: readonly string[]): Promise<Map<string, CurrentRiskState>> {
        const states = new Map<string, CurrentRiskState>();
        for (const userId of userIds) {
            try {
                const user = await getRiskyUser(this.graph, userId);
                states.set(userId, { riskState: user.riskState, isDeleted: user.isDeleted ?? false });
            } catch (error) {
                // 404: never a risky user, so not at risk.
                if (!(error instanceof AppError && graphStatusOf(error) === 404)) {
                    throw error;
                }
            }
        }
        return states;
    }

    private async readListing(wanted: ReadonlySet<string>): Promise<Map<string, CurrentRiskState>> {
        const states = new Map<string, CurrentRiskState>();
        let pages = 0;
        for await (const page of listAtRiskUsers(this.graph)) {
            pages++;
            for (const user of page) {
                if (wanted.has(user.id)) {
                    states.set(user.id, { riskState: user.riskState, isDeleted: user.isDeleted ?? false });
                }
            }
        }
        this.listingPages = Math.max(1, pages);
        return states;
    }
}
