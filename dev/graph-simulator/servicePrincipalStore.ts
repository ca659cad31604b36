/**
 * Service principals and their app role assignments (application permissions) in a simulated tenant, kept beside
 * the tenant rather than in it: `servicePrincipalsOf(tenant)` gives the tenant's store, created on first use with
 *
 * - the Microsoft Graph service principal (appId 00000003-0000-0000-c000-000000000000) and the app roles
 *   risk-responder may ask for, plus a few it never should, with Graph's real app role ids; and
 * - the app's own service principal, a managed identity whose object id is `tenant.automationPrincipalId` (the
 *   `initiatedBy` of the actions the app takes), with no app role assigned yet.
 *
 * Ids the store makes come from a generator seeded by the tenant id (not the tenant's own), so creating the store
 * changes no other id of the tenant.
 */
import { microsoftGraphAppId } from '../../shared/graph/appRoles';
import { canonicalFromDate } from './datetime';
import { createPrng, type Prng } from './prng';
import type { SimulatedTenant } from './tenant';

/** An app role as a resource service principal defines it. */
export interface SimulatedAppRole {
    id: string;
    value: string;
    displayName: string;
    description: string;
    allowedMemberTypes: string[];
    isEnabled: boolean;
    origin: 'Application';
}

export interface SimulatedServicePrincipal {
    id: string;
    appId: string;
    displayName: string;
    servicePrincipalType: 'Application' | 'ManagedIdentity';
    appRoles: SimulatedAppRole[];
}

export interface SimulatedAppRoleAssignment {
    id: string;
    appRoleId: string;
    principalId: string;
    principalDisplayName: string;
    principalType: 'ServicePrincipal';
    resourceId: string;
    resourceDisplayName: string;
    /** Canonical DateTimeOffset (datetime.ts). */
    createdDateTime: string;
    deletedDateTime: null;
}

/**
 * Application permissions of Microsoft Graph as its service principal defines them, with their real app role ids
 * (Microsoft Graph permissions reference). The first six are the ones risk-responder may need; the others are
 * there so a test can see that nothing broader is asked for.
 */
export const microsoftGraphAppRoles: ReadonlyArray<Pick<SimulatedAppRole, 'id' | 'value' | 'displayName'>> = [
    {
        id: '6e472fd1-ad78-48da-a0f0-97ab2c6b769e',
        value: 'IdentityRiskEvent.Read.All',
        displayName: 'Read all identity risk event information',
    },
    {
        id: '656f6061-f9fe-4807-9708-6a2e0934df76',
        value: 'IdentityRiskyUser.ReadWrite.All',
        displayName: 'Read and write all risky user information',
    },
    {
        id: 'df021288-bdef-4463-88db-98f22de89214',
        value: 'User.Read.All',
        displayName: "Read all users' full profiles",
    },
    {
        id: '98830695-27a2-44f7-8c18-0c3ebc9698f6',
        value: 'GroupMember.Read.All',
        displayName: 'Read all group memberships',
    },
    { id: 'b633e1c5-b582-4048-a93e-9f11b44c7e96', value: 'Mail.Send', displayName: 'Send mail as any user' },
    {
        id: '77f3a031-c388-4f99-b373-dc68676a979e',
        value: 'User.RevokeSessions.All',
        displayName: 'Revoke all sign in sessions for a user',
    },
    {
        id: 'dc5007c0-2d7d-4c42-879c-2dab87571379',
        value: 'IdentityRiskyUser.Read.All',
        displayName: 'Read all identity risky user information',
    },
    { id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', value: 'Directory.Read.All', displayName: 'Read directory data' },
    {
        id: '741f803b-c850-494e-b5df-cde7c675a1ca',
        value: 'User.ReadWrite.All',
        displayName: "Read and write all users' full profiles",
    },
];

export class ServicePrincipalStore {
    private readonly principals = new Map<string, SimulatedServicePrincipal>();
    private readonly assignments: SimulatedAppRoleAssignment[] = [];
    private readonly random: Prng;
    /** The Microsoft Graph service principal of this tenant. */
    readonly microsoftGraph: SimulatedServicePrincipal;
    /** The app's managed identity (object id `tenant.automationPrincipalId`). */
    readonly appIdentity: SimulatedServicePrincipal;

    constructor(tenant: SimulatedTenant) {
        this.random = createPrng(`servicePrincipals:${tenant.tenantId}`);
        this.microsoftGraph = this.add({
            appId: microsoftGraphAppId,
            displayName: 'Microsoft Graph',
            servicePrincipalType: 'Application',
            appRoles: microsoftGraphAppRoles.map((role) => ({
                ...role,
                description: `Allows the app to ${role.displayName.toLowerCase()} without a signed-in user.`,
                allowedMemberTypes: ['Application'],
                isEnabled: true,
                origin: 'Application' as const,
            })),
        });
        this.appIdentity = this.add({
            id: tenant.automationPrincipalId,
            displayName: 'id-risk-responder',
            servicePrincipalType: 'ManagedIdentity',
        });
    }

    /** Adds a service principal; unset ids are generated. */
    add(input: {
        id?: string;
        appId?: string;
        displayName: string;
        servicePrincipalType?: SimulatedServicePrincipal['servicePrincipalType'];
        appRoles?: SimulatedAppRole[];
    }): SimulatedServicePrincipal {
        const principal: SimulatedServicePrincipal = {
            id: input.id ?? this.random.guid(),
            appId: input.appId ?? this.random.guid(),
            displayName: input.displayName,
            servicePrincipalType: input.servicePrincipalType ?? 'Application',
            appRoles: input.appRoles ?? [],
        };
        if (this.principals.has(principal.id)) {
            throw new Error(`service principal ${principal.id} already exists`);
        }
        this.principals.set(principal.id, principal);
        return principal;
    }

    get(id: string): SimulatedServicePrincipal | undefined {
        return this.principals.get(id);
    }

    /** Every service principal, in id order (the order lists page in). */
    inIdOrder(): SimulatedServicePrincipal[] {
        return [...this.principals.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }

    /** The app role assignments granted to `principalId`, in id order. */
    assignmentsOf(principalId: string): SimulatedAppRoleAssignment[] {
        return this.assignments
            .filter((assignment) => assignment.principalId === principalId)
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }

    /** The permission names (app role values) granted to `principalId` on `resourceId`, sorted. */
    grantedValues(principalId: string, resourceId: string = this.microsoftGraph.id): string[] {
        const resource = this.principals.get(resourceId);
        return this.assignmentsOf(principalId)
            .filter((assignment) => assignment.resourceId === resourceId)
            .map(
                (assignment) =>
                    resource?.appRoles.find((role) => role.id === assignment.appRoleId)?.value ?? assignment.appRoleId,
            )
            .sort();
    }

    /** Records an assignment; the route has already checked it (see routes/servicePrincipals.ts). */
    assign(
        principal: SimulatedServicePrincipal,
        resource: SimulatedServicePrincipal,
        appRoleId: string,
        at: Date,
    ): SimulatedAppRoleAssignment {
        const assignment: SimulatedAppRoleAssignment = {
            // Real ids are 43-character base64url strings, not GUIDs.
            id: Buffer.from(this.random.hex(64), 'hex').toString('base64url').slice(0, 43),
            appRoleId,
            principalId: principal.id,
            principalDisplayName: principal.displayName,
            principalType: 'ServicePrincipal',
            resourceId: resource.id,
            resourceDisplayName: resource.displayName,
            createdDateTime: canonicalFromDate(at),
            deletedDateTime: null,
        };
        this.assignments.push(assignment);
        return assignment;
    }

    /** True when `principalId` already holds `appRoleId` of `resourceId`. */
    hasAssignment(principalId: string, resourceId: string, appRoleId: string): boolean {
        return this.assignments.some(
            (assignment) =>
                assignment.principalId === principalId &&
                assignment.resourceId === resourceId &&
                assignment.appRoleId === appRoleId,
        );
    }
}

const stores = new WeakMap<SimulatedTenant, ServicePrincipalStore>();

/** The service principal store of `tenant`, created on first use. */
export function servicePrincipalsOf(tenant: SimulatedTenant): ServicePrincipalStore {
    let store = stores.get(tenant);
    if (store === undefined) {
        store = new ServicePrincipalStore(tenant);
        stores.set(tenant, store);
    }
    return store;
}
