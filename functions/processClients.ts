import { ServiceBusClient } from '@azure/service-bus';

import { createGraphFromSettings } from '../shared/graph/createGraphFromSettings';
import { GraphApi } from '../shared/graph/graphApi';
import { silentLogger } from '../shared/logger';
import { createServiceBusClient } from '../shared/queue/createServiceBusClient';
import { parseSettings } from '../shared/settings/parseSettings';
import { graphSettingsSchema, queueSettingsSchema } from '../shared/settings/settings';

let graph: GraphApi | undefined;
let serviceBus: ServiceBusClient | undefined;

/**
 * The one Graph client of the process: every function shares it, so every identity-protection call of the
 * process goes through one pacer (the tenant budget is shared by all apps, let alone by our functions).
 */
export function processGraph(env: Record<string, string | undefined>): GraphApi {
    graph ??= createGraphFromSettings(parseSettings(graphSettingsSchema, env), silentLogger);
    return graph;
}

/** The one Service Bus client (one AMQP connection) of the process. */
export function processServiceBus(env: Record<string, string | undefined>): ServiceBusClient {
    serviceBus ??= createServiceBusClient(parseSettings(queueSettingsSchema, env));
    return serviceBus;
}
