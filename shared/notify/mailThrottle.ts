import { Clock, systemClock } from '../clock';
import { createPacer } from '../graph/pacer';

/** Runs sends within Exchange's per-mailbox limits. */
export interface MailThrottle {
    /** Waits for a slot (rate and concurrency), then runs `send`. */
    run<T>(send: () => Promise<T>): Promise<T>;
}

/**
 * Paces mail from one sender mailbox: Exchange Online allows about 30 messages per minute per mailbox and Graph
 * 4 concurrent requests per app and mailbox (reference section 6.4). Sends start at most `messagesPerMinute`
 * a minute and at most `maxConcurrent` run at once, per process. Several instances of the delivery function
 * share the mailbox's budget, so keep its scale-out small (a 429 from Graph is retried anyway).
 */
export function createMailThrottle(options: { messagesPerMinute: number; maxConcurrent?: number; clock?: Clock }): MailThrottle {
    const pacer = createPacer(options.messagesPerMinute / 60, options.clock ?? systemClock);
    const maxConcurrent = options.maxConcurrent ?? 4;
    let running = 0;
    const waiting: Array<() => void> = [];
    const acquire = async (): Promise<void> => {
        if (running < maxConcurrent) {
            running++;
            return;
        }
        // The releasing send hands its slot over, so `running` never passes the limit.
        await new Promise<void>((resolve) => waiting.push(resolve));
    };
    const release = (): void => {
        const next = waiting.shift();
        if (next) {
            next();
        } else {
            running--;
        }
    };
    return {
        async run(send) {
            await acquire();
            try {
                await pacer.acquire();
                return await send();
            } finally {
                release();
            }
        },
    };
}
