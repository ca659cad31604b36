import type { NotifyWiring } from './notifyWiring';

let notify: Promise<NotifyWiring> | undefined;

/**
 * The process's notification wiring, built on first use and cached, like `getPollerWiring` in wiring.ts (and
 * meant to move there): lazily, so a bad setting fails one invocation with a clear `settings.invalid` error
 * instead of preventing registration, and the SDKs load on the first invocation. A failed build is not cached.
 */
export function getNotifyWiring(): Promise<NotifyWiring> {
    notify ??= import('./notifyWiring.js').then(
        (module) => module.createNotifyWiring(process.env),
        (error: unknown) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
    );
    notify.catch(() => {
        notify = undefined;
    });
    return notify;
}
