/**
 * `GET /organization`: the tenant's organization object, which carries the tenant id. The CLI uses it to find
 * the tenant when TENANT_ID is not set (permission Organization.Read.All in a real tenant).
 */
import { odataContext } from '../paging';
import { parseQueryOptions, selectFields } from '../queryOptions';
import type { RequestContext, Route, RouteResult } from '../router';

const organizationFields = ['id', 'displayName', 'tenantType'] as const;

function listOrganization(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.organization',
        selectable: organizationFields,
        allowed: ['$select'],
    });
    const organization = { id: context.tenant.tenantId, displayName: 'Contoso', tenantType: 'AAD' };
    return {
        status: 200,
        body: {
            '@odata.context': odataContext(context.baseUrl, 'organization'),
            value: [selectFields(organization, query.select)],
        },
    };
}

export const organizationRoutes: readonly Route[] = [
    { method: 'GET', template: '/organization', handle: listOrganization },
];
