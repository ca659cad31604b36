/** A small path router over `/v1.0/...` segments: literal segments beat `{param}` segments. */
import type { SimulatedTenant } from './tenant';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a handler produces; the server adds ids, content type and latency. */
export interface RouteResult {
    status: number;
    /** Serialized as JSON; absent for 202/204. */
    body?: unknown;
    headers?: Record<string, string>;
}

/** Side effects the simulator records for tests to inspect (mail, revocations, write counts). */
export interface SimulatorRecorder {
    recordMail(from: string, message: unknown, at: Date): void;
    recordRevocation(userId: string, at: Date): void;
    countWrite(action: 'confirmCompromised' | 'dismiss', userCount: number): void;
}

export interface RequestContext {
    readonly tenant: SimulatedTenant;
    /** The simulator clock at arrival. */
    readonly now: Date;
    /** Decoded path parameters, e.g. `{ id: 'adele@contoso.example' }`. */
    readonly params: Readonly<Record<string, string>>;
    readonly search: URLSearchParams;
    /** The request path, e.g. `/v1.0/identityProtection/riskDetections`. */
    readonly path: string;
    /** The simulator root URL, e.g. `http://127.0.0.1:4321`. */
    readonly baseUrl: string;
    /** Largest `$top` the identity-protection lists accept. */
    readonly pageSizeCap: number;
    /** Signs skip tokens. */
    readonly secret: string;
    /** The parsed JSON body, or undefined when the request had none. */
    readonly body: unknown;
    /** The client sent `Prefer: include-unknown-enum-members`. */
    readonly includeUnknownEnumMembers: boolean;
    readonly recorder: SimulatorRecorder;
}

export interface Route {
    readonly method: HttpMethod;
    /** Relative to `/v1.0`, e.g. `/identityProtection/riskyUsers/{id}/history`. */
    readonly template: string;
    readonly handle: (context: RequestContext) => RouteResult;
}

export type RouteMatch =
    | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
    | { readonly kind: 'methodNotAllowed'; readonly template: string }
    | { readonly kind: 'notFound' };

interface CompiledRoute {
    readonly route: Route;
    readonly segments: readonly string[];
    readonly literalCount: number;
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
    if (pattern.length !== segments.length) {
        return undefined;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < pattern.length; i++) {
        const expected = pattern[i] as string;
        const actual = segments[i] as string;
        if (expected.startsWith('{')) {
            if (actual === '') {
                return undefined;
            }
            params[expected.slice(1, -1)] = actual;
        } else if (expected !== actual) {
            return undefined;
        }
    }
    return params;
}

export class Router {
    private readonly routes: CompiledRoute[];

    constructor(routes: readonly Route[]) {
        this.routes = routes.map((route) => {
            const segments = route.template.split('/').slice(1);
            return { route, segments, literalCount: segments.filter((s) => !s.startsWith('{')).length };
        });
    }

    /** `segments`: the decoded path segments after `/v1.0`. */
    match(method: string, segments: readonly string[]): RouteMatch {
        let best: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
        let pathTemplate: string | undefined;
        for (const compiled of this.routes) {
            const params = matchSegments(compiled.segments, segments);
            if (params === undefined) {
                continue;
            }
            pathTemplate ??= compiled.route.template;
            if (
                compiled.route.method === method &&
                (best === undefined || compiled.literalCount > best.compiled.literalCount)
            ) {
                best = { compiled, params };
            }
        }
        if (best !== undefined) {
            return { kind: 'found', route: best.compiled.route, params: best.params };
        }
        return pathTemplate === undefined ? { kind: 'notFound' } : { kind: 'methodNotAllowed', template: pathTemplate };
    }
}
