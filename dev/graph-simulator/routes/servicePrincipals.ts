/**
 * Service principals and application permissions (app role assignments), for `risk-responder grant-permissions`:
 *
 * | Route (under `/v1.0`)                                 | Notes                                                       |
 * | ----------------------------------------------------- | ----------------------------------------------------------- |
 * | `GET /servicePrincipals`                              | `$filter` (`eq` on appId, displayName, servicePrincipalType), `$select`, `$top` (default 100, max 999), paging |
 * | `GET /servicePrincipals/{id}`                         | `$select`; 404 `Request_ResourceNotFound`                   |
 * | `GET /servicePrincipals/{id}/appRoleAssignments`      | `$select`, `$top` (default 100, max 999), paging            |
 * | `POST /servicePrincipals/{id}/appRoleAssignments`     | `{principalId, resourceId, appRoleId}`, 201 with the assignment |
 *
 * The POST checks what Graph checks, with Graph's messages where they are known: the principal in the path exists
 * (404), `principalId` is that principal, the resource exists, the app role is an enabled application role of the
 * resource ("Permission being assigned was not found on application"), and the principal does not hold it yet
 * ("Permission being assigned already exists on the object", 400 `Request_BadRequest`, as Graph answers a
 * duplicate). Which status Graph gives an unknown resource id is [U]; the simulator answers 400.
 * State lives in servicePrincipalStore.ts. None of these count against the identity-protection limit.
 */
import { z } from 'zod';

import { formatGraphDateTime } from '../datetime';
import { GraphHttpError, badRequest } from '../graphErrors';
import { type FilterSchema } from '../odataFilter';
import { collectionBody, odataContext, takePage } from '../paging';
import { isGuid } from '../prng';
import { compileQueryFilter, parseQueryOptions, selectFields, selectSuffix } from '../queryOptions';
import { parseRequestBody } from '../requestBody';
import type { RequestContext, Route, RouteResult } from '../router';
import {
    servicePrincipalsOf,
    type SimulatedAppRoleAssignment,
    type SimulatedServicePrincipal,
} from '../servicePrincipalStore';

const servicePrincipalFields = [
    'id',
    'appId',
    'displayName',
    'servicePrincipalType',
    'accountEnabled',
    'appRoles',
] as const;

const assignmentFields = [
    'id',
    'appRoleId',
    'createdDateTime',
    'deletedDateTime',
    'principalDisplayName',
    'principalId',
    'principalType',
    'resourceDisplayName',
    'resourceId',
] as const;

const servicePrincipalFilter: FilterSchema = {
    entityType: 'microsoft.graph.servicePrincipal',
    properties: {
        appId: { type: 'string', operators: ['eq'] },
        displayName: { type: 'string', operators: ['eq'] },
        servicePrincipalType: { type: 'string', operators: ['eq'] },
    },
};

/** Graph's default and largest page of directory object collections. */
const defaultTop = 100;
const maxTop = 999;

function principalToWire(principal: SimulatedServicePrincipal): Record<string, unknown> {
    return {
        id: principal.id,
        appId: principal.appId,
        displayName: principal.displayName,
        servicePrincipalType: principal.servicePrincipalType,
        accountEnabled: true,
        appRoles: principal.appRoles,
    };
}

function assignmentToWire(assignment: SimulatedAppRoleAssignment): Record<string, unknown> {
    return { ...assignment, createdDateTime: formatGraphDateTime(assignment.createdDateTime) };
}

function resourceNotFound(id: string): GraphHttpError {
    return new GraphHttpError(
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
}

function requirePrincipal(context: RequestContext): SimulatedServicePrincipal {
    const id = context.params.id ?? '';
    const principal = servicePrincipalsOf(context.tenant).get(id);
    if (principal === undefined) {
        throw resourceNotFound(id);
    }
    return principal;
}

function listServicePrincipals(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.servicePrincipal',
        selectable: servicePrincipalFields,
        allowed: ['$filter', '$select', '$top', '$skiptoken'],
        defaultTop,
        maxTop,
    });
    const predicate = compileQueryFilter<SimulatedServicePrincipal>(
        query.filter,
        servicePrincipalFilter,
        (item, property) => {
            switch (property) {
                case 'appId':
                    return item.appId;
                case 'displayName':
                    return item.displayName;
                case 'servicePrincipalType':
                    return item.servicePrincipalType;
                default:
                    return undefined;
            }
        },
    );
    const page = takePage({
        items: servicePrincipalsOf(context.tenant).inIdOrder(),
        keyOf: (item) => item.id,
        predicate,
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    return {
        status: 200,
        body: collectionBody(
            odataContext(context.baseUrl, `servicePrincipals${selectSuffix(query.select)}`),
            page.items.map((item) => selectFields(principalToWire(item), query.select)),
            page.nextLink,
        ),
    };
}

function getServicePrincipal(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.servicePrincipal',
        selectable: servicePrincipalFields,
        allowed: ['$select'],
    });
    const principal = requirePrincipal(context);
    return {
        status: 200,
        body: {
            '@odata.context': odataContext(context.baseUrl, `servicePrincipals${selectSuffix(query.select)}/$entity`),
            ...selectFields(principalToWire(principal), query.select),
        },
    };
}

function listAppRoleAssignments(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.appRoleAssignment',
        selectable: assignmentFields,
        allowed: ['$select', '$top', '$skiptoken'],
        defaultTop,
        maxTop,
    });
    const principal = requirePrincipal(context);
    const page = takePage({
        items: servicePrincipalsOf(context.tenant).assignmentsOf(principal.id),
        keyOf: (item) => item.id,
        predicate: () => true,
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    return {
        status: 200,
        body: collectionBody(
            odataContext(
                context.baseUrl,
                `servicePrincipals('${principal.id}')/appRoleAssignments${selectSuffix(query.select)}`,
            ),
            page.items.map((item) => selectFields(assignmentToWire(item), query.select)),
            page.nextLink,
        ),
    };
}

const guid = z.string().refine(isGuid, { error: 'expected a GUID' });
const assignmentBodySchema = z.object({ principalId: guid, resourceId: guid, appRoleId: guid });

function createAppRoleAssignment(context: RequestContext): RouteResult {
    parseQueryOptions(context.search, { entityType: 'microsoft.graph.appRoleAssignment', allowed: [] });
    const principal = requirePrincipal(context);
    const body = parseRequestBody(assignmentBodySchema, context.body);
    const store = servicePrincipalsOf(context.tenant);
    if (body.principalId !== principal.id) {
        throw badRequest(
            `Invalid value specified for property 'principalId' of resource 'AppRoleAssignment': it must be '${principal.id}', the service principal in the request path.`,
        );
    }
    const resource = store.get(body.resourceId);
    if (resource === undefined) {
        throw badRequest(`Invalid value specified for property 'resourceId' of resource 'AppRoleAssignment'.`);
    }
    const role = resource.appRoles.find((candidate) => candidate.id === body.appRoleId);
    if (role === undefined || !role.isEnabled || !role.allowedMemberTypes.includes('Application')) {
        throw new GraphHttpError(
            400,
            'Request_BadRequest',
            `Permission being assigned was not found on application '${resource.appId}'.`,
        );
    }
    if (store.hasAssignment(principal.id, resource.id, role.id)) {
        throw new GraphHttpError(400, 'Request_BadRequest', 'Permission being assigned already exists on the object.');
    }
    const assignment = store.assign(principal, resource, role.id, context.now);
    return {
        status: 201,
        body: {
            '@odata.context': odataContext(
                context.baseUrl,
                `servicePrincipals('${principal.id}')/appRoleAssignments/$entity`,
            ),
            ...assignmentToWire(assignment),
        },
    };
}

export const servicePrincipalRoutes: readonly Route[] = [
    { method: 'GET', template: '/servicePrincipals', handle: listServicePrincipals },
    { method: 'GET', template: '/servicePrincipals/{id}', handle: getServicePrincipal },
    { method: 'GET', template: '/servicePrincipals/{id}/appRoleAssignments', handle: listAppRoleAssignments },
    { method: 'POST', template: '/servicePrincipals/{id}/appRoleAssignments', handle: createAppRoleAssignment },
];
