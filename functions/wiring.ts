import { ServiceBusClient } from '@azure/service-bus';

import { systemClock } from '../shared/clock';
import { createGraphFromSettings } from '../shared/graph/createGraphFromSettings';
import { GraphApi } from '../shared/graph/graphApi';
import { createCheckpointStore } from '../shared/intake/createCheckpointStore';
import { createGraphRiskDetectionSource } from '../shared/intake/graphRiskDetectionSource';
import { pollConfigFromSettings } from '../shared/intake/pollConfig';
import { PollConfig, PollDependencies } from '../shared/intake/pollOnce';
import { silentLogger } from '../shared/logger';
import { createServiceBusClient } from '../shared/queue/createServiceBusClient';
import { ServiceBusDetectionQueue } from '../shared/queue/serviceBusDetectionQueue';
import { loadPollerSettings, PollerSettings } from '../shared/settings/settings';

/** What the poller function runs with: real adapters, built once per process. */
export interface PollerWiring {
    settings: PollerSettings;
    graph: GraphApi;
    deps: PollDependencies;
    config: PollConfig;
}

let pollerWiring: PollerWiring | undefined;
let serviceBusClient: ServiceBusClient | undefined;

/**
 * Built on first use, not at import, so a bad setting fails one invocation with a clear `settings.invalid`
 * error instead of preventing registration.
 */
export function getPollerWiring(): PollerWiring {
    pollerWiring ??= createPollerWiring(loadPollerSettings(process.env));
    return pollerWiring;
}

function createPollerWiring(settings: PollerSettings): PollerWiring {
    const graph = createGraphFromSettings(settings, silentLogger);
    serviceBusClient ??= createServiceBusClient(settings);
    return {
        settings,
        graph,
        config: pollConfigFromSettings(settings),
        deps: {
            source: createGraphRiskDetectionSource(graph),
            queue: new ServiceBusDetectionQueue(serviceBusClient.createSender(settings.RISK_QUEUE_NAME)),
            checkpoints: createCheckpointStore(settings, settings.TENANT_ID),
            clock: systemClock,
        },
    };
}
