/**
 * The Graph simulator: a node:http server on 127.0.0.1 that answers the Microsoft Graph v1.0 endpoints the app
 * uses, from a SimulatedTenant, as reference/graph-identity-protection.md describes them. Local runs,
 * integration tests and the benchmark point the real Graph adapter at `${simulator.url}` instead of
 * https://graph.microsoft.com.
 *
 * Per request, in order: the tenant timeline advances to the simulator clock; a bearer token is required (401);
 * requests under /identityProtection share the tenant limit (429 TooManyRequests without Retry-After);
 * an injected fault, if one matches, replaces the answer; then the route runs. Every answer is delayed by
 * `latencyMs`, and every error has Graph's error shape.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { FaultQueue, type FaultKind, type FaultSpec } from './faults';
import { GraphHttpError, graphErrorBody } from './graphErrors';
import { riskDetectionRoutes } from './routes/riskDetections';
import { riskyUserRoutes } from './routes/riskyUsers';
import { groupRoutes } from './routes/groups';
import { organizationRoutes } from './routes/organization';
import { servicePrincipalRoutes } from './routes/servicePrincipals';
import { userRoutes } from './routes/users';
import { Router, type RequestContext, type RouteResult, type SimulatorRecorder } from './router';
import type { SimulatedTenant } from './tenant';
import { SlidingWindowLimiter } from './throttle';

export interface GraphSimulatorOptions {
    /** The tenant to serve; the simulator mutates it (actions, timeline, revocations). */
    tenant: SimulatedTenant;
    /** Port on 127.0.0.1; 0 (default) picks a free one. */
    port?: number;
    /** Identity-protection budget of the tenant per sliding second, all apps together. Default 1 (reference 6.2). */
    limitPerSecond?: number;
    /** Added to every response, in ms. Default 0. */
    latencyMs?: number;
    /** The simulator's "now" (visibility, timestamps of changes). Default: the tenant's clock (real time). When
     * given, it also becomes the tenant's clock so admin mutators agree with the simulator. */
    clock?: () => Date;
    /** Largest `$top` on identity-protection lists. Default 500 (reference section 2). */
    pageSizeCap?: number;
}

export interface GraphSimulatorStats {
    /** Requests received under /identityProtection, throttled ones included. */
    identityProtectionCalls: number;
    /** Requests answered 429 by the tenant limit (not injected 429s). */
    throttled: number;
    /** Requests received per route, keyed `METHOD /template` (e.g. `GET /identityProtection/riskDetections`). */
    byRoute: Record<string, number>;
    /** Successful action calls (204) per action. */
    writes: { confirmCompromised: number; dismiss: number };
    /** Distinct users acted on by those calls, per action. */
    usersActedOn: { confirmCompromised: number; dismiss: number };
}

export interface RecordedRequest {
    method: string;
    /** Path from the root, e.g. `/v1.0/identityProtection/riskDetections`. */
    path: string;
    /** Decoded query string without `?`. */
    query: string;
    /** 0 for a request held by a `timeout` fault. */
    status: number;
    /** Simulator clock at arrival. */
    at: Date;
}

export interface SentMail {
    /** The sender mailbox (its `mail` address). */
    from: string;
    /** The `message` of the sendMail body, as received. */
    message: unknown;
    at: Date;
}

export interface GraphSimulator {
    /** The Graph root, `http://127.0.0.1:PORT`; requests go to `${url}/v1.0/...`. */
    readonly url: string;
    readonly tenant: SimulatedTenant;
    /** Faults are consumed in order by the requests they match (see FaultSpec). */
    injectFaults(faults: FaultSpec[]): void;
    stats(): GraphSimulatorStats;
    readonly requests: ReadonlyArray<RecordedRequest>;
    readonly sentMail: ReadonlyArray<SentMail>;
    /** revokeSignInSessions calls that succeeded. */
    readonly revokedSessions: ReadonlyArray<{ userId: string; at: Date }>;
    /** Zeroes the counters and clears `requests`; sent mail, revocations and tenant state stay. */
    resetStats(): void;
    /** Stops listening and drops every connection, held requests included. */
    stop(): Promise<void>;
}

/** Graph's response content type for JSON. */
const jsonContentType =
    'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
/** Graph rejects request bodies above about 4 MB (reference section 10). */
const maxBodyBytes = 4 * 1024 * 1024;

const router = new Router([
    ...riskDetectionRoutes,
    ...riskyUserRoutes,
    ...userRoutes,
    ...organizationRoutes,
    ...groupRoutes,
    ...servicePrincipalRoutes,
]);

function emptyStats(): GraphSimulatorStats {
    return {
        identityProtectionCalls: 0,
        throttled: 0,
        byRoute: {},
        writes: { confirmCompromised: 0, dismiss: 0 },
        usersActedOn: { confirmCompromised: 0, dismiss: 0 },
    };
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'tooLarge'> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size <= maxBodyBytes) {
            chunks.push(buffer);
        }
    }
    return size > maxBodyBytes ? 'tooLarge' : Buffer.concat(chunks);
}

function safeDecode(text: string): string | undefined {
    try {
        return decodeURIComponent(text);
    } catch {
        return undefined;
    }
}

/** What an injected fault answers instead of the route (`timeout` is handled by the caller: no answer at all). */
function faultResult(
    kind: Exclude<FaultKind, 'timeout'>,
    identityProtection: boolean,
): GraphHttpError | { raw: string } {
    switch (kind) {
        case 'status500':
            return new GraphHttpError(500, 'generalException', 'Injected fault: internal server error.');
        case 'status503':
            return new GraphHttpError(503, 'serviceNotAvailable', 'Injected fault: service unavailable.', {
                'Retry-After': '1',
            });
        case 'status429':
            // Identity-protection resources never send Retry-After (reference 6.2); directory resources do (6.3).
            return new GraphHttpError(
                429,
                'TooManyRequests',
                'Injected fault: too many requests.',
                identityProtection ? {} : { 'Retry-After': '1' },
            );
        case 'malformedJson':
            return { raw: '{"@odata.context":"truncated","value":[{"id":"' };
        case 'malformedShape':
            return { raw: JSON.stringify({ unexpected: true, value: 'not-a-collection' }) };
    }
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
    const { tenant } = options;
    if (options.clock !== undefined) {
        tenant.clock = options.clock;
    }
    const clock = tenant.clock;
    const latencyMs = Math.max(0, options.latencyMs ?? 0);
    const pageSizeCap = options.pageSizeCap ?? 500;
    const limiter = new SlidingWindowLimiter(options.limitPerSecond ?? 1);
    const faults = new FaultQueue();
    const secret = randomBytes(16).toString('hex');

    let counters = emptyStats();
    const requests: RecordedRequest[] = [];
    const sentMail: SentMail[] = [];
    const revokedSessions: Array<{ userId: string; at: Date }> = [];
    const timers = new Set<NodeJS.Timeout>();
    const held = new Set<ServerResponse>();
    let baseUrl = '';
    let stopped = false;

    const recorder: SimulatorRecorder = {
        recordMail: (from, message, at) => sentMail.push({ from, message, at }),
        recordRevocation: (userId, at) => revokedSessions.push({ userId, at }),
        countWrite: (action, userCount) => {
            counters.writes[action]++;
            counters.usersActedOn[action] += userCount;
        },
    };

    function send(
        response: ServerResponse,
        status: number,
        headers: Record<string, string>,
        payload: string | undefined,
    ): void {
        const write = (): void => {
            if (response.destroyed) {
                return;
            }
            const allHeaders: Record<string, string> = { ...headers };
            if (payload !== undefined) {
                allHeaders['Content-Type'] = jsonContentType;
                allHeaders['Content-Length'] = String(Buffer.byteLength(payload));
            }
            response.writeHead(status, allHeaders);
            response.end(payload);
        };
        if (latencyMs === 0) {
            write();
            return;
        }
        const timer = setTimeout(() => {
            timers.delete(timer);
            write();
        }, latencyMs);
        timers.add(timer);
    }

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const body = await readBody(request);
        if (stopped) {
            return;
        }
        const now = clock();
        tenant.advanceTo(now);

        const method = request.method ?? 'GET';
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const path = url.pathname;
        const search = url.searchParams;
        const requestId = randomUUID();
        const clientRequestIdHeader = request.headers['client-request-id'];
        const clientRequestId =
            typeof clientRequestIdHeader === 'string' && clientRequestIdHeader !== ''
                ? clientRequestIdHeader
                : requestId;
        const idHeaders = { 'request-id': requestId, 'client-request-id': clientRequestId };

        const rawSegments = path.split('/').slice(1);
        const decoded = rawSegments.map(safeDecode);
        const segments = decoded.every((segment): segment is string => segment !== undefined) ? decoded : undefined;
        const versioned = segments !== undefined && segments[0] === 'v1.0';
        const match = versioned ? router.match(method, segments.slice(1)) : ({ kind: 'notFound' } as const);
        const routeKey =
            match.kind === 'found'
                ? `${method} ${match.route.template}`
                : match.kind === 'methodNotAllowed'
                  ? `${method} ${match.template}`
                  : `${method} (unknown)`;
        const identityProtection = versioned && segments[1] === 'identityProtection';
        counters.byRoute[routeKey] = (counters.byRoute[routeKey] ?? 0) + 1;

        const record = (status: number): void => {
            requests.push({
                method,
                path: safeDecode(path) ?? path,
                query: safeDecode(url.search.slice(1)) ?? url.search.slice(1),
                status,
                at: now,
            });
        };
        const answerError = (error: GraphHttpError): void => {
            record(error.status);
            const payload = JSON.stringify(
                graphErrorBody(error.code, error.message, { requestId, clientRequestId }, now),
            );
            send(response, error.status, { ...idHeaders, ...error.headers }, payload);
        };

        const authorization = request.headers.authorization;
        if (typeof authorization !== 'string' || !/^Bearer\s+\S+/i.test(authorization)) {
            answerError(new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.'));
            return;
        }

        if (identityProtection) {
            counters.identityProtectionCalls++;
            if (!limiter.tryAcquire()) {
                counters.throttled++;
                // No Retry-After: identity-protection resources do not send it (reference 6.2).
                answerError(
                    new GraphHttpError(
                        429,
                        'TooManyRequests',
                        'Too many requests. The identity protection limit for this tenant was reached.',
                    ),
                );
                return;
            }
        }

        const fault = faults.take(path);
        if (fault === 'timeout') {
            record(0);
            held.add(response);
            response.on('close', () => held.delete(response));
            return;
        }
        if (fault !== undefined) {
            const result = faultResult(fault, identityProtection);
            if (result instanceof GraphHttpError) {
                answerError(result);
            } else {
                record(200);
                send(response, 200, idHeaders, result.raw);
            }
            return;
        }

        if (match.kind === 'notFound') {
            const segment = segments?.find((s, i) => i > 0 && s !== '') ?? path;
            answerError(new GraphHttpError(404, 'BadRequest', `Resource not found for the segment '${segment}'.`));
            return;
        }
        if (match.kind === 'methodNotAllowed') {
            answerError(
                new GraphHttpError(
                    405,
                    'MethodNotAllowed',
                    `The HTTP method '${method}' is not allowed for '${match.template}'.`,
                ),
            );
            return;
        }
        if (body === 'tooLarge') {
            answerError(new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body exceeds 4 MB.'));
            return;
        }

        let parsedBody: unknown;
        if (body.length > 0) {
            try {
                parsedBody = JSON.parse(body.toString('utf8')) as unknown;
            } catch {
                answerError(new GraphHttpError(400, 'BadRequest', 'The request body is not valid JSON.'));
                return;
            }
        }

        const prefer = request.headers.prefer;
        const context: RequestContext = {
            tenant,
            now,
            params: match.params,
            search,
            path,
            baseUrl,
            pageSizeCap,
            secret,
            body: parsedBody,
            includeUnknownEnumMembers:
                typeof prefer === 'string' && /(^|[,;\s])include-unknown-enum-members($|[,;\s])/i.test(prefer),
            recorder,
        };
        let result: RouteResult;
        try {
            result = match.route.handle(context);
        } catch (error) {
            if (error instanceof GraphHttpError) {
                answerError(error);
                return;
            }
            console.error('graph simulator: handler failed', error);
            answerError(
                new GraphHttpError(
                    500,
                    'generalException',
                    `Simulator bug: ${error instanceof Error ? error.message : String(error)}`,
                ),
            );
            return;
        }
        record(result.status);
        send(
            response,
            result.status,
            { ...idHeaders, ...result.headers },
            result.body === undefined ? undefined : JSON.stringify(result.body),
        );
    }

    const server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
            console.error('graph simulator: request failed', error);
            if (!response.headersSent && !response.destroyed) {
                response.writeHead(500).end();
            }
        });
    });

    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
        });
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    return {
        url: baseUrl,
        tenant,
        injectFaults: (list) => faults.add(list),
        stats: () => structuredClone(counters),
        requests,
        sentMail,
        revokedSessions,
        resetStats: () => {
            counters = emptyStats();
            requests.length = 0;
        },
        stop: async () => {
            if (stopped) {
                return;
            }
            stopped = true;
            for (const timer of timers) {
                clearTimeout(timer);
            }
            timers.clear();
            for (const response of held) {
                response.destroy();
            }
            held.clear();
            faults.clear();
            server.closeAllConnections();
            await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
        },
    };
}
