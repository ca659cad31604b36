import { listRiskDetectionsUpdatedSince } from '../graph/identityProtection';
import { GraphApi } from '../graph/graphApi';
import { RiskDetectionSource } from './pollOnce';

/** Intake's detection source on Graph: `riskDetections` filtered on lastUpdatedDateTime and level, paged. */
export function createGraphRiskDetectionSource(graph: GraphApi): RiskDetectionSource {
    return { listUpdatedSince: (since, levels) => listRiskDetectionsUpdatedSince(graph, since, levels) };
}
