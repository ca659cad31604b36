import { checkMemberGroups, listTransitiveUserMembers, maxGroupsPerMembershipCheck } from '../graph/directory';
import { GraphApi } from '../graph/graphApi';
import { UserDirectory } from './riskStateReader';

/**
 * Group membership for a batch with as few directory calls as possible: one `checkMemberGroups` per user (20
 * groups per call) when the batch has few users, otherwise one listing of each group's transitive user members
 * (999 per page), which costs the same for 5 users or 5,000. Read fresh for every batch: an account added to the
 * break-glass group is excluded from the next batch on.
 */
export class GraphUserDirectory implements UserDirectory {
    constructor(private readonly graph: GraphApi) {}

    async groupsOfUsers(userIds: readonly string[], groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
        const users = [...new Set(userIds)];
        const memberships = new Map(users.map((userId) => [userId, new Set<string>()]));
        if (groupIds.length === 0) {
            return memberships;
        }
        const perUserCalls = users.length * Math.ceil(groupIds.length / maxGroupsPerMembershipCheck);
        if (perUserCalls <= groupIds.length) {
            for (const userId of users) {
                memberships.set(userId, await checkMemberGroups(this.graph, userId, groupIds));
            }
            return memberships;
        }
        for (const groupId of groupIds) {
            for await (const page of listTransitiveUserMembers(this.graph, groupId)) {
                for (const member of page) {
                    memberships.get(member.id)?.add(groupId);
                }
            }
        }
        return memberships;
    }
}
