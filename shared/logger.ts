/**
 * The logging port every use case takes. `InvocationContext` from @azure/functions satisfies it as is;
 * the CLI passes a stderr-backed one. Log ids, counts and reasons: never detection content or secrets.
 */
export interface Logger {
    debug(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
}

/** A logger that drops everything: for callers that have nothing to say to anyone. */
export const silentLogger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
};
