/**
 * Stable error codes, `area.reason`. Branch on `code`, never on `instanceof` or message text.
 *
 * - `settings.invalid`: an app setting is missing or malformed (names the keys, never values). Not retryable.
 * - `message.invalid`: a queue message failed its contract. Not retryable: it is set aside, never retried.
 * - `rules.invalid`: the rules file is missing, unreadable or fails its schema. Stops actions, never intake.
 * - `graph.throttled`: Graph kept answering 429 past the retry budget. Retryable.
 * - `graph.failed`: Graph answered an error that retrying will not fix, or a transient one past the budget.
 * - `graph.malformed`: a Graph response did not match the expected shape. Not retryable within the cycle.
 * - `queue.failed`: Service Bus did not accept a send. Retryable.
 * - `checkpoint.conflict`: another poller wrote the checkpoint first (ETag mismatch). Retryable next cycle.
 * - `storage.failed`: the checkpoint or audit store failed. Retryable.
 * - `args.invalid`: a command-line argument is missing or malformed. Not retryable.
 * - `notify.failed`: a notification could not be delivered. Retryable apart from the remediation.
 */
export type ErrorCode =
    | 'settings.invalid'
    | 'message.invalid'
    | 'rules.invalid'
    | 'graph.throttled'
    | 'graph.failed'
    | 'graph.malformed'
    | 'queue.failed'
    | 'checkpoint.conflict'
    | 'storage.failed'
    | 'args.invalid'
    | 'notify.failed';

/** The one error base of the app: a stable code, whether retrying can help, and the cause. */
export class AppError extends Error {
    constructor(
        readonly code: ErrorCode,
        message: string,
        readonly retryable: boolean,
        options?: { cause?: unknown },
    ) {
        super(message, options);
        this.name = 'AppError';
    }
}

/** True for an AppError (or a look-alike from a second copy of this package) with the given code. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is AppError {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** True when an error says retrying may help (AppError.retryable). */
export function isRetryable(error: unknown): boolean {
    return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** Makes any thrown value an Error, so it can be logged and rethrown safely. */
export function ensureError(value: unknown): Error {
    if (value instanceof Error) {
        return value;
    }
    return new Error(typeof value === 'string' ? value : `Non-error thrown: ${safeStringify(value)}`);
}

function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
