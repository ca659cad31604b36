import { createMailThrottle } from '../../../shared/notify/mailThrottle';
import { FakeClock } from '../../fakes/fakeClock';

describe('mail pacing (reference 6.4: ~30 messages per minute, 4 concurrent requests per mailbox)', () => {
    it('starts at most 30 sends a minute', async () => {
        const clock = new FakeClock(0);
        const throttle = createMailThrottle({ messagesPerMinute: 30, clock });
        const startedAt: number[] = [];

        for (let i = 0; i < 31; i++) {
            await throttle.run(async () => {
                startedAt.push(clock.now());
            });
        }

        const inFirstMinute = startedAt.filter((at) => at < 60_000).length;
        expect(inFirstMinute).toBeLessThanOrEqual(30);
        expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(2000);
    });

    it('runs at most 4 sends at once', async () => {
        const throttle = createMailThrottle({ messagesPerMinute: 600_000, maxConcurrent: 4 });
        let running = 0;
        let most = 0;
        const releases: Array<() => void> = [];
        const sends = Array.from({ length: 10 }, () =>
            throttle.run(async () => {
                running++;
                most = Math.max(most, running);
                await new Promise<void>((resolve) => releases.push(resolve));
                running--;
            }),
        );
        for (let round = 0; round < 10; round++) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            releases.shift()?.();
        }
        await Promise.all(sends);
        expect(most).toBe(4);
    });

    it('a failing send frees its slot', async () => {
        const throttle = createMailThrottle({ messagesPerMinute: 600_000, maxConcurrent: 1 });
        await expect(throttle.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        await expect(throttle.run(async () => 'next')).resolves.toBe('next');
    });
});
