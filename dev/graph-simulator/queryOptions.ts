/**
 * The OData system query options of a request ($filter, $select, $top, $skiptoken), checked per route.
 *
 * Options a route does not support (`$orderby`, `$count`, `$skip`, `$search`, `$expand` and the rest) are
 * refused with 400 rather than ignored: the reference lists them as undocumented for these endpoints [U], and
 * a 400 keeps client code from relying on them. Parameters without a `$` are ignored.
 */
import { badRequest } from './graphErrors';
import { ODataFilterError, createFilterPredicate, type FilterSchema, type FilterValue } from './odataFilter';

export type QueryOptionName = '$filter' | '$select' | '$top' | '$skiptoken';

export interface QuerySpec {
    /** The options this route accepts. */
    readonly allowed: readonly QueryOptionName[];
    /** Property names `$select` may name. */
    readonly selectable?: readonly string[];
    /** Page size when `$top` is absent. */
    readonly defaultTop?: number;
    /** Largest `$top` accepted; above it, 400. */
    readonly maxTop?: number;
    /** Used in messages, e.g. `microsoft.graph.riskDetection`. */
    readonly entityType: string;
}

export interface ParsedQuery {
    readonly filter?: string;
    readonly select?: readonly string[];
    readonly top: number;
    readonly skipToken?: string;
    /** The options exactly as received (decoded), to rebuild the next link and to bind a skip token to them. */
    readonly raw: { readonly filter?: string; readonly select?: string; readonly top?: string };
}

export function parseQueryOptions(search: URLSearchParams, spec: QuerySpec): ParsedQuery {
    const seen = new Set<string>();
    for (const name of search.keys()) {
        if (!name.startsWith('$')) {
            continue;
        }
        if (!(spec.allowed as readonly string[]).includes(name)) {
            throw badRequest(`Query option '${name}' is not supported on this resource.`);
        }
        if (seen.has(name)) {
            throw badRequest(`Query option '${name}' was specified more than once.`);
        }
        seen.add(name);
    }

    const filter = search.get('$filter') ?? undefined;
    const selectText = search.get('$select') ?? undefined;
    const topText = search.get('$top') ?? undefined;
    const skipToken = search.get('$skiptoken') ?? undefined;

    let top = spec.defaultTop ?? 0;
    if (topText !== undefined) {
        const max = spec.maxTop ?? Number.MAX_SAFE_INTEGER;
        if (!/^\d{1,9}$/.test(topText) || Number(topText) < 1) {
            throw badRequest(`Invalid value '${topText}' for $top: expected a positive integer.`);
        }
        top = Number(topText);
        if (top > max) {
            throw badRequest(`Invalid page size specified: $top=${top} exceeds the maximum of ${max}.`);
        }
    }

    let select: string[] | undefined;
    if (selectText !== undefined) {
        select = selectText.split(',').map((field) => field.trim());
        const selectable = spec.selectable ?? [];
        for (const field of select) {
            if (field === '') {
                throw badRequest('Syntax error in $select: empty property name.');
            }
            if (!selectable.includes(field)) {
                throw badRequest(`Could not find a property named '${field}' on type '${spec.entityType}'.`);
            }
        }
        select = [...new Set(select)];
    }

    if (filter !== undefined && filter.trim() === '') {
        throw badRequest('The $filter expression is empty.');
    }

    return { filter, select, top, skipToken, raw: { filter, select: selectText, top: topText } };
}

/** The selected fields of a record, in `$select` order; the record itself when nothing was selected. */
export function selectFields(
    record: Record<string, unknown>,
    select: readonly string[] | undefined,
): Record<string, unknown> {
    if (select === undefined) {
        return record;
    }
    const out: Record<string, unknown> = {};
    for (const field of select) {
        out[field] = record[field] ?? null;
    }
    return out;
}

/** The `@odata.context` suffix for a collection: `(a,b)` when fields were selected. */
export function selectSuffix(select: readonly string[] | undefined): string {
    return select === undefined ? '' : `(${select.join(',')})`;
}

/** The predicate of a `$filter` (everything passes when there is none); a bad filter is a 400 BadRequest. */
export function compileQueryFilter<T>(
    filter: string | undefined,
    schema: FilterSchema,
    read: (item: T, property: string) => FilterValue,
): (item: T) => boolean {
    if (filter === undefined) {
        return () => true;
    }
    try {
        return createFilterPredicate(filter, schema, read);
    } catch (error) {
        if (error instanceof ODataFilterError) {
            throw badRequest(`Invalid filter clause: ${error.message}`);
        }
        throw error;
    }
}
