import { Client, GraphError, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

import { Clock, systemClock } from '../clock';
import { AppError } from '../errors';
import { Logger } from '../logger';
import { BackoffPolicy, defaultBackoff } from './backoff';
import { describeRoute, PacedRetryMiddleware, RequestLogger } from './pacedRetryMiddleware';
import { Pacer } from './pacer';
import { TokenSource } from './tokenSource';

/** What callers in shared/ need from Graph: typed reads, writes and paging. Nothing else talks HTTP to Graph. */
export interface GraphApi {
    /** GET `path` (relative to the version root, query included) and parse the body with `schema`. */
    get<S extends z.ZodType>(path: string, schema: S, headers?: Record<string, string>): Promise<z.infer<S>>;
    /** POST a JSON body; resolves with the parsed body, or undefined for 202/204. */
    post(path: string, body: unknown): Promise<unknown>;
    /** Every page of a collection, following `@odata.nextLink` to the end, each item parsed with `itemSchema`. */
    pages<S extends z.ZodType>(
        path: string,
        itemSchema: S,
        headers?: Record<string, string>,
    ): AsyncGenerator<z.infer<S>[]>;
    /** The same client (one pacer, one connection pool) reporting its retries to `logger`. */
    withLogger(logger: Logger): GraphApi;
}

export interface GraphApiOptions {
    /** Graph root without version, e.g. https://graph.microsoft.com. */
    endpoint: string;
    tokens: TokenSource;
    pacer: Pacer;
    maxAttempts: number;
    timeoutMs: number;
    logger: Logger;
    backoff?: BackoffPolicy;
    clock?: Clock;
    random?: () => number;
}

const version = 'v1.0';

/** Builds the process's Graph client on @microsoft/microsoft-graph-client with our own middleware chain. */
export function createGraphApi(options: GraphApiOptions): GraphApi {
    const middleware = new PacedRetryMiddleware({
        tokens: options.tokens,
        pacer: options.pacer,
        maxAttempts: options.maxAttempts,
        timeoutMs: options.timeoutMs,
        backoff: options.backoff ?? defaultBackoff,
        clock: options.clock ?? systemClock,
        random: options.random ?? Math.random,
        logger: options.logger,
    });
    const client = Client.initWithMiddleware({
        baseUrl: options.endpoint,
        defaultVersion: version,
        middleware: [middleware, new HTTPMessageHandler()],
    });
    const versionRoot = `${options.endpoint}/${version}/`;

    async function call<T>(path: string, run: () => Promise<T>): Promise<T> {
        try {
            return await run();
        } catch (error) {
            throw toAppError(error, path);
        }
    }

    function parse<S extends z.ZodType>(schema: S, body: unknown, path: string): z.infer<S> {
        const parsed = schema.safeParse(body);
        if (!parsed.success) {
            const first = parsed.error.issues[0];
            const where = first && first.path.length > 0 ? first.path.join('.') : '(body)';
            throw new AppError(
                'graph.malformed',
                `Graph returned an unexpected response for ${describePath(path)}: ${where}: ${first?.message ?? 'invalid'}`,
                false,
            );
        }
        return parsed.data;
    }

    /** A nextLink must point back at our own endpoint: the token is never sent anywhere else. */
    function relativeNextLink(nextLink: string, path: string): string {
        if (!nextLink.startsWith(versionRoot)) {
            throw new AppError(
                'graph.malformed',
                `Graph returned a nextLink outside ${options.endpoint} for ${describePath(path)}`,
                false,
            );
        }
        return nextLink.slice(versionRoot.length);
    }

    function bind(logger: Logger): GraphApi {
        const requestOptions = [new RequestLogger(logger)];
        const api: GraphApi = {
            async get(path, schema, headers = {}) {
                const body: unknown = await call(
                    path,
                    () => client.api(path).headers(headers).middlewareOptions(requestOptions).get() as Promise<unknown>,
                );
                return parse(schema, body, path);
            },
            async post(path, body) {
                return call(
                    path,
                    () => client.api(path).middlewareOptions(requestOptions).post(body) as Promise<unknown>,
                );
            },
            async *pages(path, itemSchema, headers = {}) {
                const pageSchema = z.object({ value: z.array(itemSchema), '@odata.nextLink': z.string().optional() });
                let next: string | undefined = path;
                while (next !== undefined) {
                    const page: z.infer<typeof pageSchema> = await api.get(next, pageSchema, headers);
                    yield page.value;
                    const nextLink = page['@odata.nextLink'];
                    next = nextLink === undefined ? undefined : relativeNextLink(nextLink, path);
                }
            },
            withLogger: bind,
        };
        return api;
    }
    return bind(options.logger);
}

/** Path without ids and query, safe for messages and logs. */
function describePath(path: string): string {
    return describeRoute(`https://graph.invalid/${path}`);
}

/** SDK and HTTP errors become our errors; nothing Graph-specific crosses into use cases. */
export function toAppError(error: unknown, path: string): AppError {
    if (error instanceof AppError) {
        return error;
    }
    const where = describePath(path);
    if (error instanceof GraphError) {
        const status = error.statusCode;
        const code = error.code ?? 'unknown';
        if (status === 429) {
            return new AppError('graph.throttled', `Graph throttled ${where} (429) past the retry budget`, true, {
                cause: error,
            });
        }
        if (status >= 200 && status < 300) {
            return new AppError('graph.malformed', `Graph returned an unreadable body for ${where} (${code})`, false, {
                cause: error,
            });
        }
        if (status === -1 || status === 0) {
            return new AppError(
                'graph.failed',
                `Graph request ${where} failed: ${code} (network error or timeout)`,
                true,
                { cause: error },
            );
        }
        const retryable = status >= 500 || status === 408;
        return new AppError('graph.failed', `Graph answered ${status} ${code} for ${where}`, retryable, {
            cause: error,
        });
    }
    const name = error instanceof Error ? error.name : 'error';
    return new AppError('graph.failed', `Graph request ${where} failed: ${name}`, true, { cause: error });
}

/** The HTTP status of a Graph failure, when there was one. */
export function graphStatusOf(error: AppError): number | undefined {
    const cause = error.cause;
    return cause instanceof GraphError && cause.statusCode > 0 ? cause.statusCode : undefined;
}
