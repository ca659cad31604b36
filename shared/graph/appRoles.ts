import { z } from 'zod';

import { AppError } from '../errors';
import { GraphApi } from './graphApi';

/**
 * Typed Graph calls for application permissions (app roles) granted to a service principal, such as the app's
 * managed identity: find service principals, list their app role assignments, assign one. Application permissions
 * are app roles of the resource API's service principal (Microsoft Graph's for Graph permissions), granted with
 * `POST /servicePrincipals/{principalId}/appRoleAssignments` `{ principalId, resourceId, appRoleId }`.
 * The caller needs AppRoleAssignment.ReadWrite.All and Application.Read.All; signed in as a user, also a directory
 * role that may grant Microsoft Graph app roles (Privileged Role Administrator or Global Administrator).
 */

/** The application (client) id of Microsoft Graph, the same in every tenant and national cloud. */
export const microsoftGraphAppId = '00000003-0000-0000-c000-000000000000';

/** One app role a resource API defines; `value` is the permission name (e.g. `User.Read.All`). */
export const appRoleSchema = z.object({
    id: z.string().min(1),
    value: z.string().nullish(),
    allowedMemberTypes: z.array(z.string()).nullish(),
    isEnabled: z.boolean().nullish(),
});
export type AppRole = z.infer<typeof appRoleSchema>;

/** A service principal as these calls `$select` it. */
export const servicePrincipalSchema = z.object({
    id: z.string().min(1),
    appId: z.string().nullish(),
    displayName: z.string().nullish(),
    servicePrincipalType: z.string().nullish(),
});
export type ServicePrincipal = z.infer<typeof servicePrincipalSchema>;

/** A resource service principal with the app roles it defines. */
export const resourceServicePrincipalSchema = servicePrincipalSchema.extend({
    appRoles: z.array(appRoleSchema).default([]),
});
export type ResourceServicePrincipal = z.infer<typeof resourceServicePrincipalSchema>;

/** An application permission granted to a principal. */
export const appRoleAssignmentSchema = z.object({
    id: z.string().min(1),
    appRoleId: z.string().min(1),
    principalId: z.string().min(1),
    resourceId: z.string().min(1),
    resourceDisplayName: z.string().nullish(),
});
export type AppRoleAssignment = z.infer<typeof appRoleAssignmentSchema>;

const principalFields = 'id,appId,displayName,servicePrincipalType';
const assignmentFields = 'id,appRoleId,principalId,resourceId,resourceDisplayName';

function odataString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

function query(parameters: Record<string, string>): string {
    return Object.entries(parameters)
        .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
        .join('&');
}

async function firstWithAppId<S extends z.ZodType>(
    graph: GraphApi,
    appId: string,
    select: string,
    schema: S,
): Promise<z.infer<S> | null> {
    const path = `servicePrincipals?${query({ $filter: `appId eq ${odataString(appId)}`, $select: select })}`;
    for await (const page of graph.pages(path, schema)) {
        const [first] = page;
        if (first !== undefined) {
            return first;
        }
    }
    return null;
}

/** The tenant's service principal of an API with its app roles, by application id (e.g. Microsoft Graph's). */
export function findResourceServicePrincipal(graph: GraphApi, appId: string): Promise<ResourceServicePrincipal | null> {
    return firstWithAppId(graph, appId, `${principalFields},appRoles`, resourceServicePrincipalSchema);
}

/** A service principal by its application (client) id; a managed identity's appId is its client id. */
export function findServicePrincipalByAppId(graph: GraphApi, appId: string): Promise<ServicePrincipal | null> {
    return firstWithAppId(graph, appId, principalFields, servicePrincipalSchema);
}

/** A service principal by object id; Graph answers 404 when there is none. */
export function getServicePrincipal(graph: GraphApi, objectId: string): Promise<ServicePrincipal> {
    return graph.get(
        `servicePrincipals/${encodeURIComponent(objectId)}?${query({ $select: principalFields })}`,
        servicePrincipalSchema,
    );
}

/** Every application permission granted to the principal, all resources, every page. */
export async function listAppRoleAssignments(graph: GraphApi, principalId: string): Promise<AppRoleAssignment[]> {
    const path = `servicePrincipals/${encodeURIComponent(principalId)}/appRoleAssignments?${query({ $select: assignmentFields })}`;
    const all: AppRoleAssignment[] = [];
    for await (const page of graph.pages(path, appRoleAssignmentSchema)) {
        all.push(...page);
    }
    return all;
}

/** What one assignment grants: `appRoleId` of the resource `resourceId` to the principal `principalId`. */
export interface AppRoleGrant {
    principalId: string;
    resourceId: string;
    appRoleId: string;
}

/** Grants one application permission (201 with the assignment); Graph refuses one that already exists (400). */
export async function assignAppRole(graph: GraphApi, grant: AppRoleGrant): Promise<AppRoleAssignment> {
    const body = await graph.post(`servicePrincipals/${encodeURIComponent(grant.principalId)}/appRoleAssignments`, {
        principalId: grant.principalId,
        resourceId: grant.resourceId,
        appRoleId: grant.appRoleId,
    });
    const parsed = appRoleAssignmentSchema.safeParse(body);
    if (!parsed.success) {
        throw new AppError('graph.malformed', 'Graph returned an unexpected appRoleAssignment response', false);
    }
    return parsed.data;
}
