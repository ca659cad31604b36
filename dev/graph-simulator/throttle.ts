/**
 * The identity-protection tenant limit: `limit` requests per sliding window (1 per second by default, shared by
 * every app of the tenant; reference section 6.2).
 *
 * Measured on the real monotonic clock, not the simulator's data clock: clients pace themselves in real time,
 * and a frozen fake clock must not freeze the limit.
 *
 * Rejected requests occupy the window too ("throttled calls still count", reference section 6.1), so a client
 * that retries without backing off stays throttled, as it would against Graph.
 */
export class SlidingWindowLimiter {
    /** Arrival times inside the current window, oldest first (a queue with a moving head). */
    private readonly arrivals: number[] = [];
    private head = 0;

    constructor(
        private readonly limit: number,
        private readonly windowMs = 1000,
        private readonly now: () => number = () => performance.now(),
    ) {
        if (!Number.isFinite(limit) || limit <= 0) {
            throw new Error(`limitPerSecond must be a positive number, got ${limit}`);
        }
    }

    /** Records an arrival; true when it is within the limit and may run. */
    tryAcquire(): boolean {
        const now = this.now();
        while (this.head < this.arrivals.length && (this.arrivals[this.head] ?? 0) <= now - this.windowMs) {
            this.head++;
        }
        if (this.head > 1024 && this.head * 2 > this.arrivals.length) {
            this.arrivals.splice(0, this.head);
            this.head = 0;
        }
        const allowed = this.arrivals.length - this.head < this.limit;
        this.arrivals.push(now);
        return allowed;
    }
}
