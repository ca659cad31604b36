import { Detection } from '../detection';

/** A user's risk state as re-read just before acting (R4). */
export interface CurrentRiskState {
    riskState: string;
    isDeleted: boolean;
}

/** Reads current risk state from Graph (GraphRiskStateReader) or a fake. */
export interface RiskStateReader {
    /** Current state of each user; a user absent from the map is not at risk (never risky, or no longer). */
    currentStates(userIds: readonly string[]): Promise<Map<string, CurrentRiskState>>;
    /** Every at-risk detection of each user in Graph (for the coverage check before a dismissal, R3). */
    atRiskDetectionsOf(userIds: readonly string[]): Promise<Map<string, Detection[]>>;
}

/** Transitive group memberships (GraphUserDirectory or a fake). */
export interface UserDirectory {
    /** For each user, the groups among `groupIds` the user is a member of, directly or through nested groups. */
    groupsOfUsers(userIds: readonly string[], groupIds: readonly string[]): Promise<Map<string, Set<string>>>;
}
