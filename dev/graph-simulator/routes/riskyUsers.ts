/**
 * riskyUsers: list, get, history, and the confirmCompromised / dismiss actions (reference sections 4 and 5).
 */
import { z } from 'zod';

import { formatGraphDateTime } from '../datetime';
import { riskLevelValues, riskStateValues, wireRiskDetail } from '../graphEnums';
import { GraphHttpError, badRequest } from '../graphErrors';
import type { FilterSchema } from '../odataFilter';
import { collectionBody, odataContext, takePage } from '../paging';
import { compileQueryFilter, parseQueryOptions, selectFields, selectSuffix } from '../queryOptions';
import { parseRequestBody } from '../requestBody';
import type { RequestContext, Route, RouteResult } from '../router';
import type { RiskyUserAction, RiskyUserHistoryItem, SimulatedRiskyUser } from '../tenant';

/**
 * Only equality on riskLevel and riskState is evidenced (reference 4.3); everything else, `id` filters
 * included, is refused with 400 so client code does not come to rely on it [U].
 */
export const riskyUserFilterSchema: FilterSchema = {
    entityType: 'microsoft.graph.riskyUser',
    properties: {
        riskLevel: {
            type: 'enum',
            enumType: 'microsoft.graph.riskLevel',
            enumValues: riskLevelValues,
            operators: ['eq'],
        },
        riskState: {
            type: 'enum',
            enumType: 'microsoft.graph.riskState',
            enumValues: riskStateValues,
            operators: ['eq'],
        },
    },
};

const riskyUserFields = [
    'id',
    'isDeleted',
    'isProcessing',
    'riskLastUpdatedDateTime',
    'riskLevel',
    'riskState',
    'riskDetail',
    'userDisplayName',
    'userPrincipalName',
] as const;

const historyFields = [...riskyUserFields, 'userId', 'initiatedBy', 'activity'] as const;

function toWire(riskyUser: SimulatedRiskyUser, context: RequestContext): Record<string, unknown> {
    return {
        id: riskyUser.id,
        isDeleted: riskyUser.isDeleted,
        isProcessing: context.tenant.isProcessing(riskyUser, context.now),
        riskLastUpdatedDateTime: formatGraphDateTime(riskyUser.riskLastUpdatedDateTime),
        riskLevel: riskyUser.riskLevel,
        riskState: riskyUser.riskState,
        riskDetail: wireRiskDetail(riskyUser.riskDetail, context.includeUnknownEnumMembers),
        userDisplayName: riskyUser.userDisplayName,
        userPrincipalName: riskyUser.userPrincipalName,
    };
}

function historyToWire(item: RiskyUserHistoryItem, context: RequestContext): Record<string, unknown> {
    return {
        id: item.id,
        isDeleted: item.isDeleted,
        isProcessing: item.isProcessing,
        riskLastUpdatedDateTime: formatGraphDateTime(item.riskLastUpdatedDateTime),
        riskLevel: item.riskLevel,
        riskState: item.riskState,
        riskDetail: wireRiskDetail(item.riskDetail, context.includeUnknownEnumMembers),
        userDisplayName: item.userDisplayName,
        userPrincipalName: item.userPrincipalName,
        userId: item.userId,
        initiatedBy: item.initiatedBy,
        activity: {
            riskEventTypes: item.activity.riskEventTypes,
            detail: wireRiskDetail(item.activity.detail, context.includeUnknownEnumMembers),
        },
    };
}

function requireRiskyUser(context: RequestContext): SimulatedRiskyUser {
    const id = context.params.id ?? '';
    const riskyUser = context.tenant.riskyUsers.get(id);
    if (riskyUser === undefined) {
        // A user who was never risky [U]: 404, as the reference expects.
        throw new GraphHttpError(404, 'itemNotFound', `The risky user '${id}' was not found.`);
    }
    return riskyUser;
}

function listRiskyUsers(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.riskyUser',
        selectable: riskyUserFields,
        allowed: ['$filter', '$select', '$top', '$skiptoken'],
        defaultTop: 20, // [U] the default page size of riskyUsers is not documented
        maxTop: context.pageSizeCap,
    });
    const filter = compileQueryFilter(query.filter, riskyUserFilterSchema, (riskyUser: SimulatedRiskyUser, property) =>
        property === 'riskLevel' ? riskyUser.riskLevel : property === 'riskState' ? riskyUser.riskState : undefined,
    );
    const page = takePage({
        items: context.tenant.riskyUsersInIdOrder(),
        keyOf: (riskyUser) => riskyUser.id,
        predicate: filter,
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    const value = page.items.map((riskyUser) => selectFields(toWire(riskyUser, context), query.select));
    const contextUrl = odataContext(context.baseUrl, `identityProtection/riskyUsers${selectSuffix(query.select)}`);
    return { status: 200, body: collectionBody(contextUrl, value, page.nextLink) };
}

function getRiskyUser(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.riskyUser',
        selectable: riskyUserFields,
        allowed: ['$select'],
    });
    const riskyUser = requireRiskyUser(context);
    const contextUrl = odataContext(
        context.baseUrl,
        `identityProtection/riskyUsers${selectSuffix(query.select)}/$entity`,
    );
    return {
        status: 200,
        body: { '@odata.context': contextUrl, ...selectFields(toWire(riskyUser, context), query.select) },
    };
}

/** The whole history in order of change; paging of history is not simulated [U]. */
function listHistory(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.riskyUserHistoryItem',
        selectable: historyFields,
        allowed: ['$select'],
    });
    const riskyUser = requireRiskyUser(context);
    const value = riskyUser.history.map((item) => selectFields(historyToWire(item, context), query.select));
    const contextUrl = odataContext(
        context.baseUrl,
        `identityProtection/riskyUsers('${riskyUser.id}')/history${selectSuffix(query.select)}`,
    );
    return { status: 200, body: collectionBody(contextUrl, value, undefined) };
}

function getHistoryItem(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.riskyUserHistoryItem',
        selectable: historyFields,
        allowed: ['$select'],
    });
    const riskyUser = requireRiskyUser(context);
    const item = riskyUser.history.find((entry) => entry.id === context.params.itemId);
    if (item === undefined) {
        throw new GraphHttpError(
            404,
            'itemNotFound',
            `The history item '${context.params.itemId ?? ''}' was not found.`,
        );
    }
    const contextUrl = odataContext(
        context.baseUrl,
        `identityProtection/riskyUsers('${riskyUser.id}')/history${selectSuffix(query.select)}/$entity`,
    );
    return {
        status: 200,
        body: { '@odata.context': contextUrl, ...selectFields(historyToWire(item, context), query.select) },
    };
}

const actionBodySchema = z.strictObject({ userIds: z.array(z.string().min(1)) });

function actOnRiskyUsers(action: RiskyUserAction): (context: RequestContext) => RouteResult {
    return (context) => {
        parseQueryOptions(context.search, { entityType: 'microsoft.graph.riskyUser', allowed: [] });
        const { userIds } = parseRequestBody(actionBodySchema, context.body);
        // One bad id fails the whole call (reference 5.3); no partial success exists, so nothing is applied.
        const problem = context.tenant.checkActionTargets(action, userIds);
        if (problem !== undefined) {
            throw badRequest(problem);
        }
        const distinct = [...new Set(userIds)];
        if (action === 'confirmCompromised') {
            context.tenant.confirmCompromised(distinct, { at: context.now });
        } else {
            context.tenant.dismiss(distinct, { at: context.now });
        }
        context.recorder.countWrite(action, distinct.length);
        return { status: 204 };
    };
}

export const riskyUserRoutes: readonly Route[] = [
    { method: 'GET', template: '/identityProtection/riskyUsers', handle: listRiskyUsers },
    { method: 'GET', template: '/identityProtection/riskyUsers/{id}', handle: getRiskyUser },
    { method: 'GET', template: '/identityProtection/riskyUsers/{id}/history', handle: listHistory },
    { method: 'GET', template: '/identityProtection/riskyUsers/{id}/history/{itemId}', handle: getHistoryItem },
    {
        method: 'POST',
        template: '/identityProtection/riskyUsers/confirmCompromised',
        handle: actOnRiskyUsers('confirmCompromised'),
    },
    { method: 'POST', template: '/identityProtection/riskyUsers/dismiss', handle: actOnRiskyUsers('dismiss') },
];
