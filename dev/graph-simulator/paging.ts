/**
 * Server-driven paging as Graph does it (reference section 2): a page of at most `$top` items and, when more
 * remain, an absolute `@odata.nextLink` carrying the same options plus an opaque `$skiptoken`.
 *
 * Items are paged in key order (object or detection id), which is deliberately not a date order, so client
 * code cannot lean on the order. The token is a keyset cursor (the last key served), so items added between
 * two pages are neither skipped nor repeated. It is bound by an HMAC to the path and the $filter/$select/$top
 * it was issued for: splicing it into another request, or changing those options while paging, is a 400.
 */
import { createHmac } from 'node:crypto';

import { badRequest } from './graphErrors';
import type { ParsedQuery } from './queryOptions';

export interface PageRequest<T> {
    /** All candidate items, sorted ascending by `keyOf` with plain `<` string order. */
    readonly items: readonly T[];
    readonly keyOf: (item: T) => string;
    /** Which items belong to the collection (filter and visibility); applied while scanning. */
    readonly predicate: (item: T) => boolean;
    readonly query: ParsedQuery;
    /** The request path under the root, e.g. `/v1.0/identityProtection/riskDetections`. */
    readonly path: string;
    /** The simulator root URL, e.g. `http://127.0.0.1:4321`. */
    readonly baseUrl: string;
    /** Key for signing skip tokens; per simulator instance. */
    readonly secret: string;
}

export interface Page<T> {
    readonly items: T[];
    readonly nextLink?: string;
}

function fingerprint(path: string, query: ParsedQuery): string {
    return JSON.stringify([path, query.raw.filter ?? null, query.raw.select ?? null, query.raw.top ?? null]);
}

function sign(secret: string, bound: string, afterKey: string): string {
    return createHmac('sha256', secret).update(`${bound}\n${afterKey}`).digest('base64url').slice(0, 22);
}

export function encodeSkipToken(secret: string, bound: string, afterKey: string): string {
    return `${Buffer.from(afterKey, 'utf8').toString('base64url')}.${sign(secret, bound, afterKey)}`;
}

/** The key after which the next page starts; 400 for a token this request did not get from this simulator. */
export function decodeSkipToken(secret: string, bound: string, token: string): string {
    const dot = token.indexOf('.');
    if (dot > 0) {
        const afterKey = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8');
        if (sign(secret, bound, afterKey) === token.slice(dot + 1)) {
            return afterKey;
        }
    }
    throw badRequest('The $skiptoken is invalid or does not belong to this request; follow @odata.nextLink unchanged.');
}

/** Index of the first item whose key is greater than `afterKey`. */
function firstIndexAfter<T>(items: readonly T[], keyOf: (item: T) => string, afterKey: string): number {
    let low = 0;
    let high = items.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        const item = items[mid] as T;
        if (keyOf(item) <= afterKey) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

export function takePage<T>(request: PageRequest<T>): Page<T> {
    const { items, keyOf, predicate, query } = request;
    const bound = fingerprint(request.path, query);
    const start =
        query.skipToken === undefined
            ? 0
            : firstIndexAfter(items, keyOf, decodeSkipToken(request.secret, bound, query.skipToken));

    const page: T[] = [];
    let index = start;
    for (; index < items.length && page.length < query.top; index++) {
        const item = items[index] as T;
        if (predicate(item)) {
            page.push(item);
        }
    }
    // Look ahead so the last page carries no next link (Graph may still send an empty last page; clients cope).
    let more = false;
    for (; index < items.length; index++) {
        if (predicate(items[index] as T)) {
            more = true;
            break;
        }
    }
    const last = page[page.length - 1];
    if (!more || last === undefined) {
        return { items: page };
    }
    const options: Array<[string, string | undefined]> = [
        ['$filter', query.raw.filter],
        ['$select', query.raw.select],
        ['$top', query.raw.top],
        ['$skiptoken', encodeSkipToken(request.secret, bound, keyOf(last))],
    ];
    const search = options
        .filter((option): option is [string, string] => option[1] !== undefined)
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
        .join('&');
    return { items: page, nextLink: `${request.baseUrl}${request.path}?${search}` };
}

/** `@odata.context` of a response: `${baseUrl}/v1.0/$metadata#${fragment}`. */
export function odataContext(baseUrl: string, fragment: string): string {
    return `${baseUrl}/v1.0/$metadata#${fragment}`;
}

/** The body of a collection response: context, value, and the next link when there is one. */
export function collectionBody(
    context: string,
    value: unknown[],
    nextLink: string | undefined,
): Record<string, unknown> {
    const body: Record<string, unknown> = { '@odata.context': context, value };
    if (nextLink !== undefined) {
        body['@odata.nextLink'] = nextLink;
    }
    return body;
}
