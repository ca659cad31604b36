import { z } from 'zod';

import { AppError } from '../errors';
import { GraphApi, graphStatusOf } from './graphApi';

const organizationPageSchema = z.object({ value: z.array(z.object({ id: z.string().min(1) })).min(1) });

/** The tenant id of the signed-in app's tenant (`GET /organization`), for when TENANT_ID is not set. */
export async function discoverTenantId(graph: GraphApi): Promise<string> {
    const page = await graph.get('organization?$select=id', organizationPageSchema);
    return page.value[0]!.id;
}

/** checkMemberGroups takes at most 20 group ids per call (reference section 9.3). */
export const maxGroupsPerMembershipCheck = 20;

const groupIdsSchema = z.object({ value: z.array(z.string()) });

/** The groups among `groupIds` the user is a transitive member of: one call per 20 groups. */
export async function checkMemberGroups(
    graph: GraphApi,
    userId: string,
    groupIds: readonly string[],
): Promise<Set<string>> {
    const member = new Set<string>();
    for (let start = 0; start < groupIds.length; start += maxGroupsPerMembershipCheck) {
        const chunk = groupIds.slice(start, start + maxGroupsPerMembershipCheck);
        const result = await graph.post(`users/${encodeURIComponent(userId)}/checkMemberGroups`, { groupIds: chunk });
        for (const id of parse(groupIdsSchema, result, 'checkMemberGroups').value) {
            member.add(id);
        }
    }
    return member;
}

/** A user's manager as notifications need it. */
export const managerSchema = z.object({
    id: z.string().min(1),
    displayName: z.string().nullish(),
    mail: z.string().nullish(),
    userPrincipalName: z.string().nullish(),
});
export type Manager = z.infer<typeof managerSchema>;

/** The user's manager, or null when the user has none (Graph answers 404 Request_ResourceNotFound). */
export async function getManager(graph: GraphApi, userId: string): Promise<Manager | null> {
    try {
        return await graph.get(
            `users/${encodeURIComponent(userId)}/manager?$select=id,displayName,mail,userPrincipalName`,
            managerSchema,
        );
    } catch (error) {
        if (error instanceof AppError && graphStatusOf(error) === 404) {
            return null;
        }
        throw error;
    }
}

/** Invalidates the user's refresh tokens and session cookies (200 `{value:true}` or 204, reference 11.1). */
export async function revokeSignInSessions(graph: GraphApi, userId: string): Promise<void> {
    await graph.post(`users/${encodeURIComponent(userId)}/revokeSignInSessions`, {});
}

/** A directory user, looked up by object id or UPN. */
export const directoryUserSchema = z.object({
    id: z.string().min(1),
    displayName: z.string().nullish(),
    userPrincipalName: z.string().nullish(),
    mail: z.string().nullish(),
});
export type DirectoryUser = z.infer<typeof directoryUserSchema>;

export function getUser(graph: GraphApi, idOrUpn: string): Promise<DirectoryUser> {
    return graph.get(
        `users/${encodeURIComponent(idOrUpn)}?$select=id,displayName,userPrincipalName,mail`,
        directoryUserSchema,
    );
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
        throw new AppError('graph.malformed', `Graph returned an unexpected ${what} response`, false);
    }
    return parsed.data;
}

const memberPageSchema = z.object({ id: z.string().min(1) });

/** Pages of the ids of a group's users, direct or through nested groups (999 per page). */
export function listTransitiveUserMembers(graph: GraphApi, groupId: string): AsyncGenerator<Array<{ id: string }>> {
    return graph.pages(
        `groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`,
        memberPageSchema,
    );
}
