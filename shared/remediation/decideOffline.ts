import { Detection, latestVersions } from '../detection';
import { RulesFile } from '../rules/ruleSchema';
import { decideForUsers, UserContext, UserDecision } from './decide';

/**
 * Decisions for a set of detections without Graph (`evaluate`, `preview`): the whole set is one batch, each
 * user's other at-risk detections are the user's detections in the set, and group memberships are those the
 * caller knows (none from a file: group exclusions and `memberOfGroup` then match nobody, which callers say).
 */
export function decideOffline(
    rules: RulesFile,
    detections: readonly Detection[],
    groupsOf: (userId: string) => ReadonlySet<string> = () => new Set(),
): { decisions: UserDecision[]; detectionsByUser: Map<string, Detection[]> } {
    const latest = latestVersions(detections);
    const detectionsByUser = new Map<string, Detection[]>();
    for (const detection of latest) {
        detectionsByUser.set(detection.userId, [...(detectionsByUser.get(detection.userId) ?? []), detection]);
    }
    const users = new Map<string, UserContext>(
        [...detectionsByUser].map(([userId, own]) => [
            userId,
            { userGroupIds: groupsOf(userId), otherDetections: own },
        ]),
    );
    return { decisions: decideForUsers({ rules, detections: latest, users }), detectionsByUser };
}
