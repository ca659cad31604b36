import { ServiceBusClient } from '@azure/service-bus';
import { z } from 'zod';

import { createGraphFromSettings } from '../shared/graph/createGraphFromSettings';
import { GraphApi } from '../shared/graph/graphApi';
import { Logger, silentLogger } from '../shared/logger';
import { createNotifyComponents, NotifyComponents } from '../shared/notify/createNotifyComponents';
import { deliverNotification, DeliveryOutcome, ReceivedNotification } from '../shared/notify/deliverNotification';
import { QueueingNotifier } from '../shared/notify/queueingNotifier';
import { createServiceBusClient } from '../shared/queue/createServiceBusClient';
import { loadRulesFile } from '../shared/rules/loadRules';
import { notifySettingsSchema } from '../shared/settings/notifySettings';
import { parseSettings } from '../shared/settings/parseSettings';
import { graphSettingsSchema, queueSettingsSchema, remediationSettingsSchema } from '../shared/settings/settings';
import { appRootPath } from './appRoot';

/** Everything the notification side reads: Graph, the queue connection, the notify keys and the rules file path. */
export const notifyWiringSettingsSchema = z.intersection(
    z.intersection(graphSettingsSchema, queueSettingsSchema),
    z.intersection(notifySettingsSchema, z.object({ RULES_FILE: remediationSettingsSchema.shape.RULES_FILE })),
);
export type NotifyWiringSettings = z.infer<typeof notifyWiringSettingsSchema>;

/** What the deliverNotifications function (and the consumer's notifier) run with: real adapters, built once per process. */
export interface NotifyWiring {
    settings: NotifyWiringSettings;
    components: NotifyComponents;
    /** Delivers one received job; Graph retries and the outcome go to `logger` (the invocation context). */
    deliverWith(received: ReceivedNotification, logger: Logger): Promise<DeliveryOutcome>;
    /** The consumer's Notifier reporting to `logger`: `RemediationDependencies.notifier`. */
    notifierWith(logger: Logger): QueueingNotifier;
}

/** Clients the process already has; pass them so there is one Graph client and one Service Bus connection per process. */
export interface SharedClients {
    graph?: GraphApi;
    serviceBusClient?: ServiceBusClient;
}

/**
 * The notification settings and real adapters, from the app settings. Owners (and their webhook URLs) are read
 * from RULES_FILE when used, with `${NAME}` placeholders filled from the same settings, so a changed webhook
 * needs no restart and no URL is kept on the queue.
 */
export function createNotifyWiring(env: Record<string, string | undefined>, shared: SharedClients = {}): NotifyWiring {
    const settings = parseSettings(notifyWiringSettingsSchema, env);
    const graph = shared.graph ?? createGraphFromSettings(settings, silentLogger);
    const serviceBusClient = shared.serviceBusClient ?? createServiceBusClient(settings);
    const components = createNotifyComponents(settings, {
        tenantId: settings.TENANT_ID,
        graph,
        serviceBusClient,
        owners: async () => (await loadRulesFile(appRootPath(settings.RULES_FILE), env)).owners,
    });
    return {
        settings,
        components,
        deliverWith: (received, logger) =>
            deliverNotification(
                received,
                components.deliveryWith(graph.withLogger(logger)),
                components.deliveryConfig,
                logger,
            ),
        notifierWith: (logger) => components.notifier.withLogger(logger),
    };
}
