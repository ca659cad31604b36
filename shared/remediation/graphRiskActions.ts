import { GraphApi } from '../graph/graphApi';
import { applyRiskAction } from '../graph/identityProtection';
import { revokeSignInSessions } from '../graph/directory';
import { RemediationDependencies } from './remediateBatch';
import { GraphRiskStateReader } from './graphRiskStateReader';
import { GraphUserDirectory } from './graphUserDirectory';

/** The Graph-backed parts of the consumer's dependencies: state reads, membership, actions, session revocation. */
export function createGraphRemediationPorts(
    graph: GraphApi,
): Pick<RemediationDependencies, 'riskState' | 'directory' | 'act' | 'revokeSessions'> {
    return {
        riskState: new GraphRiskStateReader(graph),
        directory: new GraphUserDirectory(graph),
        act: (action, userIds) => applyRiskAction(graph, action, userIds),
        revokeSessions: (userId) => revokeSignInSessions(graph, userId),
    };
}
