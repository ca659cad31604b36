import { Clock, systemClock } from '../clock';

/**
 * Spaces calls to a per-tenant budget. Graph allows identity-protection calls at 1 request per second per
 * tenant for all apps together, and its 429s there carry no Retry-After (reference section 6.2), so every such
 * call in the process goes through one pacer. Slots are reserved synchronously, so concurrent callers queue up.
 */
export interface Pacer {
    /** Resolves when the caller may send its request. */
    acquire(): Promise<void>;
    /** Pushes the next slot of every caller at least `ms` into the future (after a 429). */
    backOff(ms: number): void;
    /** Milliseconds between two calls. */
    readonly intervalMs: number;
}

/** 2 % more spacing than the budget absorbs timer and network jitter against a sliding one-second window. */
const jitterMargin = 1.02;

export function createPacer(callsPerSecond: number, clock: Clock = systemClock): Pacer {
    const intervalMs = (1000 / callsPerSecond) * jitterMargin;
    let nextSlot = 0;
    return {
        intervalMs,
        async acquire() {
            const now = clock.now();
            const start = Math.max(now, nextSlot);
            nextSlot = start + intervalMs;
            if (start > now) {
                await clock.sleep(start - now);
            }
        },
        backOff(ms) {
            nextSlot = Math.max(nextSlot, clock.now() + ms);
        },
    };
}
