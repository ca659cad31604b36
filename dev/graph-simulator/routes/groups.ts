/**
 * `GET /groups/{id}/transitiveMembers/microsoft.graph.user`: the users in a group, directly or through nested
 * groups (reference section 9.3; app permission GroupMember.Read.All). Default page 100, `$top` up to 999. Not
 * counted against the identity-protection limit.
 */
import { GraphHttpError } from '../graphErrors';
import { collectionBody, odataContext, takePage } from '../paging';
import { parseQueryOptions, selectFields, selectSuffix } from '../queryOptions';
import type { RequestContext, Route, RouteResult } from '../router';
import type { SimulatedTenant } from '../tenant';

const memberFields = ['id', 'userPrincipalName', 'displayName', 'mail'] as const;

function transitiveUserIds(tenant: SimulatedTenant, groupId: string): Set<string> {
    const users = new Set<string>();
    const seenGroups = new Set<string>();
    const queue = [groupId];
    for (let current = queue.pop(); current !== undefined; current = queue.pop()) {
        if (seenGroups.has(current)) {
            continue;
        }
        seenGroups.add(current);
        for (const memberId of tenant.groups.get(current)?.memberIds ?? []) {
            if (tenant.groups.has(memberId)) {
                queue.push(memberId);
            } else if (tenant.users.has(memberId)) {
                users.add(memberId);
            }
        }
    }
    return users;
}

function listTransitiveUserMembers(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.user',
        selectable: memberFields,
        allowed: ['$select', '$top', '$skiptoken'],
        defaultTop: 100,
        maxTop: 999,
    });
    const groupId = context.params.id ?? '';
    if (!context.tenant.groups.has(groupId)) {
        throw new GraphHttpError(
            404,
            'Request_ResourceNotFound',
            `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
        );
    }
    const members = transitiveUserIds(context.tenant, groupId);
    const page = takePage({
        items: [...context.tenant.users.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        keyOf: (user) => user.id,
        predicate: (user) => members.has(user.id),
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    const value = page.items.map((user) => ({
        '@odata.type': '#microsoft.graph.user',
        ...selectFields(
            { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName, mail: user.mail },
            query.select,
        ),
    }));
    return {
        status: 200,
        body: collectionBody(odataContext(context.baseUrl, `users${selectSuffix(query.select)}`), value, page.nextLink),
    };
}

export const groupRoutes: readonly Route[] = [
    {
        method: 'GET',
        template: '/groups/{id}/transitiveMembers/microsoft.graph.user',
        handle: listTransitiveUserMembers,
    },
];
