import { backoffDelayMs, defaultBackoff, parseRetryAfterMs } from '../../../shared/graph/backoff';
import { createPacer } from '../../../shared/graph/pacer';
import { FakeClock } from '../../fakes/fakeClock';

describe('the tenant pacer (G1)', () => {
    it('spaces sequential calls to the budget', async () => {
        const clock = new FakeClock(0);
        const pacer = createPacer(1, clock);
        const starts: number[] = [];
        for (let i = 0; i < 4; i++) {
            await pacer.acquire();
            starts.push(clock.now());
        }
        const gaps = starts.slice(1).map((start, i) => start - starts[i]!);
        expect(gaps.every((gap) => gap >= 1000 && gap < 1050)).toBe(true);
    });

    it('gives concurrent callers successive slots', async () => {
        const clock = new FakeClock(0);
        const pacer = createPacer(1, clock);
        await Promise.all([pacer.acquire(), pacer.acquire(), pacer.acquire()]);
        expect(clock.slept).toEqual([pacer.intervalMs, 2 * pacer.intervalMs]);
    });

    it('does not wait when the last call was long ago', async () => {
        const clock = new FakeClock(0);
        const pacer = createPacer(20, clock);
        await pacer.acquire();
        clock.advance(10_000);
        await pacer.acquire();
        expect(clock.slept).toEqual([]);
    });

    it('after a back-off, every caller waits at least that long', async () => {
        const clock = new FakeClock(0);
        const pacer = createPacer(10, clock);
        await pacer.acquire();
        pacer.backOff(5_000);
        await pacer.acquire();
        expect(clock.now()).toBeGreaterThanOrEqual(5_000);
    });
});

describe('back-off', () => {
    it.each([
        [1, 500, 1000],
        [2, 1000, 2000],
        [3, 2000, 4000],
        [6, 15_000, 30_000],
        [12, 15_000, 30_000],
    ])('attempt %i waits between %i and %i ms', (attempt, min, max) => {
        expect(backoffDelayMs(attempt, defaultBackoff, () => 0)).toBe(min);
        expect(backoffDelayMs(attempt, defaultBackoff, () => 0.999999)).toBeLessThanOrEqual(max);
        expect(backoffDelayMs(attempt, defaultBackoff, () => 0.999999)).toBeGreaterThan(max * 0.99);
    });

    it.each([
        [null, undefined],
        ['', undefined],
        ['2.1', 2100],
        ['0', 0],
        ['Wed, 01 Jun 2026 12:00:05 GMT', 5000],
        ['soon', undefined],
    ])('reads Retry-After %p as %p ms', (header, expected) => {
        expect(parseRetryAfterMs(header, Date.parse('2026-06-01T12:00:00Z'))).toBe(expected);
    });
});
