import { Scenario } from './scenario';

/** Graph's page size for identity-protection lists and its users per action call (reference sections 2, 5). */
const pageSize = 500;
const usersPerAction = 60;

/**
 * The fewest identity-protection calls the scenario needs, whoever makes them: the burst's list pages, one read
 * of risk state for the users acted on (one listing of at-risk users, or one read per user if fewer), one
 * coverage read for the dismissals (one listing of at-risk detections, or one per user if fewer), and one action
 * call per 60 users per action type.
 */
export function floorCalls(scenario: Scenario): { calls: number; parts: Record<string, number> } {
    const atRiskUsers = scenario.burstUsers + scenario.backgroundUsers;
    const atRiskDetections = scenario.burstDetections + scenario.backgroundDetections;
    const acting = scenario.confirmUsers + scenario.dismissUsers;
    const parts = {
        listPages: Math.ceil(scenario.burstDetections / pageSize),
        riskStateReads: Math.min(acting, Math.ceil(atRiskUsers / pageSize)),
        coverageReads: Math.min(scenario.dismissUsers, Math.ceil(atRiskDetections / pageSize)),
        actionCalls:
            Math.ceil(scenario.confirmUsers / usersPerAction) + Math.ceil(scenario.dismissUsers / usersPerAction),
    };
    return { calls: Object.values(parts).reduce((sum, value) => sum + value, 0), parts };
}
