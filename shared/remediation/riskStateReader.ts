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

/** The user's transitive memberships among given groups (GraphUserDirectory or a fake). */
export interface UserDirectory {
    groupsOf(userId: string, groupIds: readonly string[]): Promise<Set<string>>;
}
