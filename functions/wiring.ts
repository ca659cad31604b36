import type { ConsumerWiring } from './consumerWiring';
import type { NotifyWiring } from './notifyWiring';
import type { PollerWiring } from './pollerWiring';

/*
 * Process-wide wiring of each function, built on first use and cached. Built lazily, not at import: a bad
 * setting fails one invocation with a clear `settings.invalid` error instead of preventing registration, and
 * the SDKs (Service Bus, identity, storage: most of the load time) are loaded on the first invocation rather
 * than while the host indexes the functions, which keeps cold start short. The deferred requires below are on
 * purpose; the types come from the type-only imports. A failed build is not cached.
 */
let poller: PollerWiring | undefined;
let consumer: ConsumerWiring | undefined;
let notify: NotifyWiring | undefined;

export function getPollerWiring(): PollerWiring {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    poller ??= (require('./pollerWiring') as typeof import('./pollerWiring')).createPollerWiring(process.env);
    return poller;
}

export function getConsumerWiring(): ConsumerWiring {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    consumer ??= (require('./consumerWiring') as typeof import('./consumerWiring')).createConsumerWiring(
        process.env,
        getNotifyWiring(),
    );
    return consumer;
}

export function getNotifyWiring(): NotifyWiring {
    if (!notify) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createNotifyWiring } = require('./notifyWiring') as typeof import('./notifyWiring');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { processGraph, processServiceBus } = require('./processClients') as typeof import('./processClients');
        notify = createNotifyWiring(process.env, {
            graph: processGraph(process.env),
            serviceBusClient: processServiceBus(process.env),
        });
    }
    return notify;
}
