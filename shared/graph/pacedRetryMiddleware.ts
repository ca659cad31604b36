import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';

import { Clock } from '../clock';
import { Logger } from '../logger';
import { BackoffPolicy, backoffDelayMs, parseRetryAfterMs } from './backoff';
import { Pacer } from './pacer';
import { TokenSource } from './tokenSource';

/** Per-request option that routes the middleware's retry warnings to the caller's logger (its invocation). */
export class RequestLogger implements MiddlewareOptions {
    constructor(readonly logger: Logger) {}
}

/** How the one Graph pipeline of the process paces, retries and times out requests. */
export interface PacedRetryOptions {
    tokens: TokenSource;
    /** The tenant-wide identity-protection pacer. */
    pacer: Pacer;
    /** Attempts per request, first one included. */
    maxAttempts: number;
    /** Abandon one attempt after this many ms. */
    timeoutMs: number;
    backoff: BackoffPolicy;
    clock: Clock;
    random: () => number;
    logger: Logger;
}

/** Identity-protection resources share Graph's 1 request/second/tenant budget (reference section 6.2). */
export function isIdentityProtectionUrl(url: string): boolean {
    return new URL(url).pathname.includes('/identityProtection/');
}

function isTransientStatus(status: number): boolean {
    return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * The single owner of auth, pacing and retries (the SDK's own retry handler is left out of the chain, so there
 * is one policy): adds the bearer token, waits for the pacer on identity-protection calls, times out slow
 * attempts, and retries 429, 5xx, network errors and timeouts with exponential back-off and jitter, honouring
 * Retry-After where Graph sends one. After the last attempt the response (or error) goes back to the caller.
 */
export class PacedRetryMiddleware implements Middleware {
    private next: Middleware | undefined;

    constructor(private readonly options: PacedRetryOptions) {}

    setNext(next: Middleware): void {
        this.next = next;
    }

    async execute(context: Context): Promise<void> {
        const next = this.next;
        if (!next) {
            throw new Error('PacedRetryMiddleware needs a next middleware');
        }
        const { pacer, maxAttempts, clock } = this.options;
        const requestLogger = context.middlewareControl?.getMiddlewareOptions(RequestLogger) as
            RequestLogger | undefined;
        const logger = requestLogger?.logger ?? this.options.logger;
        // RequestInfo is a string or a Request; the Graph client passes a string.
        const url: string =
            typeof context.request === 'string' ? context.request : (context.request as { url: string }).url;
        const paced = isIdentityProtectionUrl(url);
        const headers = new Headers(context.options?.headers);
        headers.set('Authorization', `Bearer ${await this.options.tokens.getToken()}`);

        for (let attempt = 1; ; attempt++) {
            if (paced) {
                await pacer.acquire();
            }
            context.options = { ...context.options, headers, signal: AbortSignal.timeout(this.options.timeoutMs) };
            let failure: string;
            let retryAfterMs: number | undefined;
            try {
                await next.execute(context);
                const response = context.response;
                if (!response || !isTransientStatus(response.status) || attempt >= maxAttempts) {
                    return;
                }
                failure = `HTTP ${response.status}`;
                retryAfterMs = parseRetryAfterMs(response.headers.get('Retry-After'), clock.now());
                await response.arrayBuffer().catch(() => undefined); // free the connection before retrying
            } catch (error) {
                if (attempt >= maxAttempts) {
                    throw error;
                }
                failure = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network error';
            }
            const delayMs = retryAfterMs ?? backoffDelayMs(attempt, this.options.backoff, this.options.random);
            if (paced) {
                pacer.backOff(delayMs);
            }
            logger.warn(
                `graph: ${failure} on ${describeRoute(url)}, attempt ${attempt}/${maxAttempts}, retrying in ${Math.round(delayMs)} ms`,
            );
            await clock.sleep(delayMs);
        }
    }
}

/** The path of a request without ids or query, fit for a log line. */
export function describeRoute(url: string): string {
    return new URL(url).pathname.replace(/\/[0-9a-f-]{16,}|\/[^/]+@[^/]+/gi, '/{id}');
}
