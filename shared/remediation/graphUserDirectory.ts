import { checkMemberGroups } from '../graph/directory';
import { GraphApi } from '../graph/graphApi';
import { UserDirectory } from './riskStateReader';

/** Group membership through `checkMemberGroups` (transitive, 20 groups per call; directory budget, not identity protection). */
export class GraphUserDirectory implements UserDirectory {
    constructor(private readonly graph: GraphApi) {}

    groupsOf(userId: string, groupIds: readonly string[]): Promise<Set<string>> {
        return groupIds.length === 0 ? Promise.resolve(new Set()) : checkMemberGroups(this.graph, userId, groupIds);
    }
}
