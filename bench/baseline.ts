import { GraphApi } from '../shared/graph/graphApi';
import { applyRiskAction, getRiskyUser } from '../shared/graph/identityProtection';
import { Detection } from '../shared/detection';
import { evaluateDetection } from '../shared/rules/evaluateRules';
import { RulesFile } from '../shared/rules/ruleSchema';

export interface BaselineResult {
    sampleDetections: number;
    measuredSeconds: number;
    calls: number;
    actions: number;
}

/**
 * A per-account responder as public playbooks do it: for each detection, read the risky user, then, when the
 * same rules say so and the user is still at risk, one action call for that one user; serially, through the same
 * paced Graph client as the system.
 */
export async function runBaseline(
    graph: GraphApi,
    detections: readonly Detection[],
    rules: RulesFile,
): Promise<BaselineResult> {
    const started = performance.now();
    let calls = 0;
    let actions = 0;
    for (const detection of detections) {
        const user = await getRiskyUser(graph, detection.userId);
        calls++;
        const outcome = evaluateDetection(detection, rules.rules, { userGroupIds: new Set() });
        if (outcome.action !== 'none' && user.riskState === 'atRisk') {
            await applyRiskAction(graph, outcome.action, [detection.userId]);
            calls++;
            actions++;
        }
    }
    return {
        sampleDetections: detections.length,
        measuredSeconds: (performance.now() - started) / 1000,
        calls,
        actions,
    };
}
