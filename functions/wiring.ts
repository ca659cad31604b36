import type { PollerWiring } from './pollerWiring';

/**
 * Process-wide wiring, built on first use and cached. Built lazily, not at import: a bad setting fails one
 * invocation with a clear `settings.invalid` error instead of preventing registration, and the SDKs (Service
 * Bus, identity, storage: most of the load time) are loaded on the first invocation rather than while the host
 * indexes the functions, which keeps cold start short.
 */
let poller: PollerWiring | undefined;

export function getPollerWiring(): PollerWiring {
    if (!poller) {
        // A deferred require on purpose (see above); the type comes from the type-only import.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createPollerWiring } = require('./pollerWiring') as typeof import('./pollerWiring');
        poller = createPollerWiring(process.env);
    }
    return poller;
}
