import { Clock } from '../../shared/clock';

/** A clock whose sleeps advance time instantly; `slept` records every wait. */
export class FakeClock implements Clock {
    readonly slept: number[] = [];
    constructor(private current: number = Date.parse('2026-06-01T12:00:00Z')) {}
    now(): number {
        return this.current;
    }
    async sleep(ms: number): Promise<void> {
        // Concurrent sleepers wake at their own deadline, not one after another.
        const wakeAt = this.current + Math.max(0, ms);
        this.slept.push(ms);
        await Promise.resolve();
        this.current = Math.max(this.current, wakeAt);
    }
    advance(ms: number): void {
        this.current += ms;
    }
}
