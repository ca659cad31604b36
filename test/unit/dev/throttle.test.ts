import { SlidingWindowLimiter } from '../../../dev/graph-simulator/throttle';

describe('the identity-protection sliding window', () => {
    it('admits `limit` requests per second and refuses the rest', () => {
        let now = 0;
        const limiter = new SlidingWindowLimiter(2, 1000, () => now);
        expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, false]);
        now = 999;
        expect(limiter.tryAcquire()).toBe(false);
    });

    it('counts refused requests, so retrying without backing off stays throttled', () => {
        let now = 0;
        const limiter = new SlidingWindowLimiter(1, 1000, () => now);
        expect(limiter.tryAcquire()).toBe(true);
        now = 600;
        expect(limiter.tryAcquire()).toBe(false);
        now = 1200; // the first left the window, the refused one at 600 has not
        expect(limiter.tryAcquire()).toBe(false);
        now = 2300;
        expect(limiter.tryAcquire()).toBe(true);
    });

    it('admits a request paced exactly one window later', () => {
        let now = 0;
        const limiter = new SlidingWindowLimiter(1, 1000, () => now);
        for (let i = 0; i < 5000; i++) {
            expect(limiter.tryAcquire()).toBe(true);
            now += 1000;
        }
    });

    it('refuses a non-positive limit', () => {
        expect(() => new SlidingWindowLimiter(0)).toThrow(/positive/);
    });
});
