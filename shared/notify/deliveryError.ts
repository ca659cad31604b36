import { AppError } from '../errors';

/**
 * A failed delivery attempt: code `notify.failed`, `retryable` for transient failures (429, 408, 5xx, network,
 * timeouts), and the wait the receiver asked for, if any. Messages name webhooks only as `https://host/…`.
 */
export class DeliveryError extends AppError {
    constructor(
        message: string,
        retryable: boolean,
        readonly retryAfterMs?: number,
    ) {
        super('notify.failed', message, retryable);
        this.name = 'DeliveryError';
    }
}

/** The Retry-After a delivery failure carried, when it did. */
export function retryAfterOf(error: unknown): number | undefined {
    const value = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
