/**
 * Directory and mail endpoints the app uses (reference sections 9-11): user, manager, checkMemberGroups,
 * transitiveMemberOf, sendMail, revokeSignInSessions. None of them counts against the identity-protection limit.
 */
import { z } from 'zod';

import { formatGraphDateTime, toCanonical } from '../datetime';
import { GraphHttpError } from '../graphErrors';
import { collectionBody, odataContext, takePage } from '../paging';
import { isGuid } from '../prng';
import { parseQueryOptions, selectFields, selectSuffix } from '../queryOptions';
import { parseRequestBody } from '../requestBody';
import type { RequestContext, Route, RouteResult } from '../router';
import type { SimulatedGroup, SimulatedUser } from '../tenant';

const userFields = [
    'id',
    'userPrincipalName',
    'displayName',
    'givenName',
    'surname',
    'mail',
    'jobTitle',
    'department',
    'officeLocation',
    'mobilePhone',
    'businessPhones',
    'preferredLanguage',
    'accountEnabled',
    'userType',
    'companyName',
    'employeeId',
    'onPremisesSyncEnabled',
    'usageLocation',
    'createdDateTime',
    'signInSessionsValidFromDateTime',
] as const;

/** What Graph returns for a user without $select (reference 9.1). */
const defaultUserFields = [
    'businessPhones',
    'displayName',
    'givenName',
    'jobTitle',
    'mail',
    'mobilePhone',
    'officeLocation',
    'preferredLanguage',
    'surname',
    'userPrincipalName',
    'id',
] as const;

const groupFields = ['id', 'displayName', 'description', 'securityEnabled', 'mailEnabled'] as const;

/** Graph's cap on groupIds per checkMemberGroups call (reference 9.3). */
const maxGroupIdsPerCheck = 20;

function userToWire(user: SimulatedUser, select: readonly string[] | undefined): Record<string, unknown> {
    const record: Record<string, unknown> = {
        ...user,
        createdDateTime: formatGraphDateTime(user.createdDateTime),
        signInSessionsValidFromDateTime:
            user.signInSessionsValidFromDateTime === null
                ? null
                : formatGraphDateTime(user.signInSessionsValidFromDateTime),
    };
    return selectFields(record, select ?? defaultUserFields);
}

function resourceNotFound(what: string): GraphHttpError {
    return new GraphHttpError(
        404,
        'Request_ResourceNotFound',
        `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
    );
}

function requireUser(context: RequestContext): SimulatedUser {
    const idOrUpn = context.params.id ?? '';
    const user = context.tenant.findUser(idOrUpn);
    if (user === undefined) {
        throw resourceNotFound(idOrUpn);
    }
    return user;
}

function getUser(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.user',
        selectable: userFields,
        allowed: ['$select'],
    });
    const user = requireUser(context);
    const contextUrl = odataContext(context.baseUrl, `users${selectSuffix(query.select)}/$entity`);
    return { status: 200, body: { '@odata.context': contextUrl, ...userToWire(user, query.select) } };
}

/** The manager, or 404 Request_ResourceNotFound when there is none (reference 9.2, widely reported [O]). */
function getManager(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.user',
        selectable: userFields,
        allowed: ['$select'],
    });
    const user = requireUser(context);
    const manager = user.managerId === undefined ? undefined : context.tenant.users.get(user.managerId);
    if (manager === undefined) {
        throw resourceNotFound('manager');
    }
    return {
        status: 200,
        body: {
            '@odata.context': odataContext(context.baseUrl, 'directoryObjects/$entity'),
            '@odata.type': '#microsoft.graph.user',
            ...userToWire(manager, query.select),
        },
    };
}

const checkMemberGroupsBody = z.strictObject({ groupIds: z.array(z.string()) });

function checkMemberGroups(context: RequestContext): RouteResult {
    parseQueryOptions(context.search, { entityType: 'microsoft.graph.user', allowed: [] });
    const { groupIds } = parseRequestBody(checkMemberGroupsBody, context.body);
    if (groupIds.length === 0 || groupIds.length > maxGroupIdsPerCheck) {
        throw new GraphHttpError(
            400,
            'Request_BadRequest',
            `groupIds must contain between 1 and ${maxGroupIdsPerCheck} ids; got ${groupIds.length}.`,
        );
    }
    const invalid = groupIds.find((id) => !isGuid(id));
    if (invalid !== undefined) {
        throw new GraphHttpError(400, 'Request_BadRequest', `Invalid GUID: '${invalid}'.`);
    }
    const user = requireUser(context);
    const memberOf = context.tenant.transitiveGroupIdsOf(user.id);
    return {
        status: 200,
        body: {
            '@odata.context': odataContext(context.baseUrl, 'Collection(Edm.String)'),
            value: [...new Set(groupIds.filter((id) => memberOf.has(id)))],
        },
    };
}

function groupToWire(group: SimulatedGroup, select: readonly string[] | undefined): Record<string, unknown> {
    return selectFields({ ...group }, select ?? groupFields);
}

function listTransitiveGroups(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        entityType: 'microsoft.graph.group',
        selectable: groupFields,
        allowed: ['$select', '$top', '$skiptoken'],
        defaultTop: 100,
        maxTop: 999,
    });
    const user = requireUser(context);
    const memberOf = context.tenant.transitiveGroupIdsOf(user.id);
    const page = takePage({
        items: context.tenant.groupsInIdOrder(),
        keyOf: (group) => group.id,
        predicate: (group) => memberOf.has(group.id),
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    const value = page.items.map((group) => ({
        '@odata.type': '#microsoft.graph.group',
        ...groupToWire(group, query.select),
    }));
    const contextUrl = odataContext(context.baseUrl, `groups${selectSuffix(query.select)}`);
    return { status: 200, body: collectionBody(contextUrl, value, page.nextLink) };
}

const recipient = z.object({
    emailAddress: z.object({
        address: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address'),
        name: z.string().optional(),
    }),
});

/** The parts of a message resource Graph requires or the app uses; other message properties pass through. */
const sendMailBody = z.strictObject({
    message: z.looseObject({
        subject: z.string(),
        body: z.object({
            contentType: z
                .string()
                .refine((value) => ['text', 'html'].includes(value.toLowerCase()), 'must be Text or HTML'),
            content: z.string(),
        }),
        toRecipients: z.array(recipient).min(1),
        ccRecipients: z.array(recipient).optional(),
        bccRecipients: z.array(recipient).optional(),
        replyTo: z.array(recipient).optional(),
        // [U] names must start with x- (general Graph rule quoted by the reference, section 10)
        internetMessageHeaders: z
            .array(z.object({ name: z.string().regex(/^x-/i, 'must start with x-'), value: z.string() }))
            .optional(),
    }),
    saveToSentItems: z.boolean().optional(),
});

function sendMail(context: RequestContext): RouteResult {
    parseQueryOptions(context.search, { entityType: 'microsoft.graph.user', allowed: [] });
    const { message } = parseRequestBody(sendMailBody, context.body);
    const sender = context.tenant.findUser(context.params.id ?? '');
    if (sender === undefined) {
        throw new GraphHttpError(
            404,
            'ErrorInvalidUser',
            `The requested user '${context.params.id ?? ''}' is invalid.`,
        );
    }
    if (sender.mail === null) {
        throw new GraphHttpError(
            404,
            'MailboxNotEnabledForRESTAPI',
            'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
        );
    }
    context.recorder.recordMail(sender.mail, message, context.now);
    return { status: 202 };
}

/** 200 with `{ value: true }`, the known-issue answer (reference 11.1); sets signInSessionsValidFromDateTime. */
function revokeSignInSessions(context: RequestContext): RouteResult {
    parseQueryOptions(context.search, { entityType: 'microsoft.graph.user', allowed: [] });
    if (
        context.body !== undefined &&
        (typeof context.body !== 'object' || context.body === null || Object.keys(context.body).length > 0)
    ) {
        throw new GraphHttpError(400, 'Request_BadRequest', 'revokeSignInSessions takes no parameters.');
    }
    const user = requireUser(context);
    user.signInSessionsValidFromDateTime = toCanonical(context.now);
    context.recorder.recordRevocation(user.id, context.now);
    return { status: 200, body: { '@odata.context': odataContext(context.baseUrl, 'Edm.Boolean'), value: true } };
}

export const userRoutes: readonly Route[] = [
    { method: 'GET', template: '/users/{id}', handle: getUser },
    { method: 'GET', template: '/users/{id}/manager', handle: getManager },
    { method: 'POST', template: '/users/{id}/checkMemberGroups', handle: checkMemberGroups },
    { method: 'GET', template: '/users/{id}/transitiveMemberOf/microsoft.graph.group', handle: listTransitiveGroups },
    { method: 'POST', template: '/users/{id}/sendMail', handle: sendMail },
    { method: 'POST', template: '/users/{id}/revokeSignInSessions', handle: revokeSignInSessions },
];
