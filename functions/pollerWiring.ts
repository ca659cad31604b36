import { systemClock } from '../shared/clock';
import { GraphApi } from '../shared/graph/graphApi';
import { createCheckpointStore } from '../shared/intake/createCheckpointStore';
import { createGraphRiskDetectionSource } from '../shared/intake/graphRiskDetectionSource';
import { pollConfigFromSettings } from '../shared/intake/pollConfig';
import { pollOnce, PollConfig, PollDependencies, PollResult } from '../shared/intake/pollOnce';
import { Logger } from '../shared/logger';
import { ServiceBusDetectionQueue } from '../shared/queue/serviceBusDetectionQueue';
import { loadPollerSettings, PollerSettings } from '../shared/settings/settings';
import { processGraph, processServiceBus } from './processClients';

/** What the poller function runs with: real adapters, built once per process. */
export interface PollerWiring {
    settings: PollerSettings;
    graph: GraphApi;
    deps: PollDependencies;
    config: PollConfig;
    /** One poll cycle whose Graph retries and summary go to `logger` (the invocation context). */
    pollWith(logger: Logger): Promise<PollResult>;
}

/** The poller's settings and real adapters, from the app settings. */
export function createPollerWiring(env: Record<string, string | undefined>): PollerWiring {
    const settings = loadPollerSettings(env);
    const graph = processGraph(env);
    const serviceBusClient = processServiceBus(env);
    const config = pollConfigFromSettings(settings);
    const deps: PollDependencies = {
        source: createGraphRiskDetectionSource(graph),
        queue: new ServiceBusDetectionQueue(serviceBusClient.createSender(settings.RISK_QUEUE_NAME)),
        checkpoints: createCheckpointStore(settings, settings.TENANT_ID),
        clock: systemClock,
    };
    return {
        settings,
        graph,
        config,
        deps,
        pollWith: (logger) =>
            pollOnce({ ...deps, source: createGraphRiskDetectionSource(graph.withLogger(logger)) }, config, logger),
    };
}
