/** Exponential back-off policy for transient Graph failures. */
export interface BackoffPolicy {
    /** Delay before the second attempt, in ms. */
    baseMs: number;
    /** Upper bound of any single delay, in ms. */
    maxMs: number;
}

/** Graph's identity-protection 429s carry no Retry-After; start near the 1 s budget and cap at half a minute. */
export const defaultBackoff: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): base * 2^(attempt-1), capped, with "equal jitter"
 * (half fixed, half random) so that competing clients spread out. `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
    const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
    return exponential / 2 + random() * (exponential / 2);
}

/** Retry-After in seconds (fractions allowed) or an HTTP date, to ms; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
    if (header === null || header.trim() === '') {
        return undefined;
    }
    const seconds = Number(header);
    if (Number.isFinite(seconds)) {
        return Math.max(0, seconds * 1000);
    }
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
