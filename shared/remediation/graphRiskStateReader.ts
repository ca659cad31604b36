import { Detection } from '../detection';
import { AppError } from '../errors';
import { GraphApi, graphStatusOf } from '../graph/graphApi';
import {
    getRiskyUser,
    listAtRiskDetections,
    listAtRiskDetectionsOfUser,
    listAtRiskUsers,
} from '../graph/identityProtection';
import { CurrentRiskState, RiskStateReader } from './riskStateReader';

/**
 * Re-reads risk state with as few identity-protection calls as the API allows. Filtering by a set of user ids
 * is not documented (reference section 4.3), so each read is either one call per user or one paged listing of
 * the whole tenant's at-risk users (or detections); the reader picks the cheaper, using the page count of the
 * last listing as its price.
 */
export class GraphRiskStateReader implements RiskStateReader {
    /** Pages the last listing of at-risk users took. One page is the usual case. */
    private userListingPages = 1;
    /** Pages the last listing of at-risk detections took; a guess of 10 until one listing has been made. */
    private detectionListingPages = 10;

    constructor(private readonly graph: GraphApi) {}

    async currentStates(userIds: readonly string[]): Promise<Map<string, CurrentRiskState>> {
        const unique = [...new Set(userIds)];
        return unique.length <= this.userListingPages ? this.readEach(unique) : this.readListing(new Set(unique));
    }

    async atRiskDetectionsOf(userIds: readonly string[]): Promise<Map<string, Detection[]>> {
        const unique = [...new Set(userIds)];
        const byUser = new Map<string, Detection[]>(unique.map((userId) => [userId, []]));
        if (unique.length <= this.detectionListingPages) {
            for (const userId of unique) {
                for await (const page of listAtRiskDetectionsOfUser(this.graph, userId)) {
                    byUser.get(userId)!.push(...page);
                }
            }
            return byUser;
        }
        let pages = 0;
        for await (const page of listAtRiskDetections(this.graph)) {
            pages++;
            for (const detection of page) {
                byUser.get(detection.userId)?.push(detection);
            }
        }
        this.detectionListingPages = Math.max(1, pages);
        return byUser;
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
        this.userListingPages = Math.max(1, pages);
        return states;
    }
}
