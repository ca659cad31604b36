import { z } from 'zod';

import { AppError, ensureError } from '../../shared/errors';
import {
    AppRole,
    AppRoleAssignment,
    assignAppRole,
    findResourceServicePrincipal,
    findServicePrincipalByAppId,
    getServicePrincipal,
    listAppRoleAssignments,
    microsoftGraphAppId,
    ServicePrincipal,
} from '../../shared/graph/appRoles';
import { createGraphFromSettings } from '../../shared/graph/createGraphFromSettings';
import { GraphApi, graphStatusOf } from '../../shared/graph/graphApi';
import { loadRulesFile } from '../../shared/rules/loadRules';
import { parseSettings } from '../../shared/settings/parseSettings';
import { graphSettingsSchema } from '../../shared/settings/settings';
import { parseCommandArgs } from '../args';
import { createStderrLogger } from '../stderrLogger';
import { UsageError } from '../usageError';

export const grantPermissionsUsage = `risk-responder grant-permissions (--principal-id OBJECT_ID | --client-id CLIENT_ID) [--rules FILE] [--no-mail-send] [--yes] [--graph-endpoint URL] [--json]
  Grants the app's managed identity the Microsoft Graph application permissions risk-responder needs, and no
  others: IdentityRiskEvent.Read.All, IdentityRiskyUser.ReadWrite.All, User.Read.All, GroupMember.Read.All,
  Mail.Send, and User.RevokeSessions.All only when a rule in --rules FILE uses revokeSessions. Prints the plan,
  asks before assigning (--yes assigns without asking), and assigns only what is missing, so it is safe to run
  again. --no-mail-send leaves Mail.Send out: grant it with Exchange RBAC for Applications, scoped to the sender
  mailbox. Run it signed in (az login) as a Privileged Role Administrator or Global Administrator.`;

/** A Microsoft Graph application permission risk-responder may need, with where and why it is used. */
export interface GraphPermission {
    /** The app role value, e.g. `User.Read.All`. */
    readonly value: string;
    /** The functions that use it. */
    readonly usedBy: string;
    readonly why: string;
}

/** Every permission risk-responder may ask for: the least-privilege set of the README's permissions table. */
export const graphPermissions: readonly GraphPermission[] = [
    {
        value: 'IdentityRiskEvent.Read.All',
        usedBy: 'pollRiskDetections, remediateRisk',
        why: "list risk detections; a user's other at-risk detections before a dismissal",
    },
    {
        value: 'IdentityRiskyUser.ReadWrite.All',
        usedBy: 'remediateRisk',
        why: 're-read risky users; confirmCompromised and dismiss',
    },
    {
        value: 'User.Read.All',
        usedBy: 'remediateRisk, deliverNotifications',
        why: "exclusion-group checks (checkMemberGroups); the user's manager",
    },
    {
        value: 'GroupMember.Read.All',
        usedBy: 'remediateRisk',
        why: 'transitive membership of exclusion and memberOfGroup groups (checkMemberGroups)',
    },
    {
        value: 'Mail.Send',
        usedBy: 'deliverNotifications',
        why: 'email from MAIL_SENDER; scope it to that mailbox with Exchange RBAC for Applications',
    },
    {
        value: 'User.RevokeSessions.All',
        usedBy: 'remediateRisk',
        why: 'revokeSignInSessions after confirmCompromised, for rules with revokeSessions: true',
    },
];

/** Which rules of a rules file use `revokeSessions`, by id. */
export interface RevokeSessionsUse {
    readonly file: string;
    readonly enabledRules: readonly string[];
    readonly disabledRules: readonly string[];
}

/** What was asked: whether Mail.Send is wanted, and what the rules file says about revokeSessions. */
export interface GrantRequest {
    readonly mailSend: boolean;
    readonly revokeSessions: RevokeSessionsUse | null;
}

export type PlannedStatus = 'present' | 'assign' | 'skip';

/** One line of the plan: a permission, what happens to it, and why. */
export interface PlannedPermission {
    readonly value: string;
    /** Undefined only for a skipped permission Microsoft Graph does not define here. */
    readonly appRoleId: string | undefined;
    readonly status: PlannedStatus;
    readonly reason: string;
}

export interface GrantPlan {
    readonly permissions: readonly PlannedPermission[];
    /** Microsoft Graph permissions the principal holds that risk-responder does not need (left as they are). */
    readonly unneeded: readonly string[];
    readonly warnings: readonly string[];
}

/**
 * The plan, from Microsoft Graph's app roles and the principal's current assignments (pure). A permission the
 * request does not need is `skip`; one already assigned is `present`; the rest are `assign`.
 *
 * @throws AppError `graph.failed` when Microsoft Graph here defines no application role for a needed permission
 */
export function planGrants(
    request: GrantRequest,
    graphAppRoles: readonly AppRole[],
    graphResourceId: string,
    existing: readonly AppRoleAssignment[],
): GrantPlan {
    const roleIdOf = new Map(
        graphAppRoles
            .filter(
                (role) =>
                    role.value && role.isEnabled !== false && (role.allowedMemberTypes ?? []).includes('Application'),
            )
            .map((role) => [role.value as string, role.id]),
    );
    const valueOf = new Map(graphAppRoles.map((role) => [role.id, role.value ?? role.id]));
    const held = new Set(
        existing
            .filter((assignment) => assignment.resourceId === graphResourceId)
            .map((assignment) => assignment.appRoleId),
    );
    const warnings: string[] = [];

    const permissions = graphPermissions.map((permission): PlannedPermission => {
        const appRoleId = roleIdOf.get(permission.value);
        const skipReason = whySkipped(permission.value, request);
        if (skipReason !== undefined) {
            return { value: permission.value, appRoleId, status: 'skip', reason: skipReason };
        }
        if (appRoleId === undefined) {
            throw new AppError(
                'graph.failed',
                `Microsoft Graph in this tenant defines no application permission ${permission.value}`,
                false,
            );
        }
        const revoking = permission.value === 'User.RevokeSessions.All' ? request.revokeSessions : null;
        const reason =
            `${permission.why} (${permission.usedBy})` +
            (revoking ? `: rule(s) ${revoking.enabledRules.join(', ')} of ${revoking.file}` : '');
        return { value: permission.value, appRoleId, status: held.has(appRoleId) ? 'present' : 'assign', reason };
    });

    const planned = new Set(permissions.filter((p) => p.status !== 'skip').map((p) => p.appRoleId));
    const unneeded = [...held]
        .filter((appRoleId) => !planned.has(appRoleId))
        .map((appRoleId) => valueOf.get(appRoleId) ?? appRoleId)
        .sort();
    if (!request.mailSend && unneeded.includes('Mail.Send')) {
        warnings.push(
            'Mail.Send is granted tenant-wide in Entra ID: while it stays, an Exchange RBAC scope restricts nothing. Remove it (see "Deploy to Azure").',
        );
    }
    const revoke = request.revokeSessions;
    if (revoke && revoke.enabledRules.length === 0 && revoke.disabledRules.length > 0) {
        warnings.push(
            `Disabled rule(s) ${revoke.disabledRules.join(', ')} use revokeSessions: run grant-permissions again after enabling them.`,
        );
    }
    return { permissions, unneeded, warnings };
}

function whySkipped(value: string, request: GrantRequest): string | undefined {
    if (value === 'Mail.Send' && !request.mailSend) {
        return '--no-mail-send: grant it with Exchange RBAC for Applications, scoped to the sender mailbox';
    }
    if (value === 'User.RevokeSessions.All') {
        const use = request.revokeSessions;
        if (use === null) {
            return 'no --rules FILE given, so no rule is known to use revokeSessions';
        }
        if (use.enabledRules.length === 0) {
            return `no enabled rule in ${use.file} uses revokeSessions`;
        }
    }
    return undefined;
}

/** Where the command reads its confirmation and writes its output; the process's streams by default. */
export interface CommandIo {
    readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown };
}

const processIo: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

const guid = z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');

const argsSchema = z
    .object({
        'principal-id': guid.optional(),
        'client-id': guid.optional(),
        rules: z.string().min(1).optional(),
        'no-mail-send': z.boolean().default(false),
        yes: z.boolean().default(false),
        'graph-endpoint': z.string().min(1).optional(),
        json: z.boolean().default(false),
    })
    .refine((args) => (args['principal-id'] === undefined) !== (args['client-id'] === undefined), {
        path: ['principal-id'],
        error: "give the managed identity's service principal: exactly one of --principal-id or --client-id",
    });

export async function runGrantPermissions(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    io: CommandIo = processIo,
): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            'principal-id': { type: 'string' },
            'client-id': { type: 'string' },
            rules: { type: 'string' },
            'no-mail-send': { type: 'boolean' },
            yes: { type: 'boolean' },
            'graph-endpoint': { type: 'string' },
            json: { type: 'boolean' },
        },
        argsSchema,
    );
    const settings = parseSettings(graphSettingsSchema.extend({ TENANT_ID: z.string().min(1).optional() }), {
        ...env,
        ...(args['graph-endpoint'] ? { GRAPH_ENDPOINT: args['graph-endpoint'] } : {}),
    });
    const request: GrantRequest = {
        mailSend: !args['no-mail-send'],
        revokeSessions: args.rules === undefined ? null : await revokeSessionsUse(args.rules, env),
    };
    const graph = createGraphFromSettings(
        { ...settings, TENANT_ID: settings.TENANT_ID ?? '' },
        createStderrLogger(false),
    );

    const principal = await resolvePrincipal(graph, args['principal-id'], args['client-id']);
    const microsoftGraph = await findResourceServicePrincipal(graph, microsoftGraphAppId);
    if (microsoftGraph === null) {
        throw new AppError('graph.failed', 'This tenant has no Microsoft Graph service principal', false);
    }
    const existing = await listAppRoleAssignments(graph, principal.id);
    const plan = planGrants(request, microsoftGraph.appRoles, microsoftGraph.id, existing);
    const toAssign = plan.permissions.filter((permission) => permission.status === 'assign');

    if (!args.json) {
        io.stdout.write(formatPlan(principal, plan));
    }
    for (const warning of plan.warnings) {
        io.stderr.write(`warning: ${warning}\n`);
    }
    if (toAssign.length === 0) {
        report(io, args.json, principal, plan, [], 'Nothing to assign: every permission needed is already granted.');
        return 0;
    }
    if (!args.yes) {
        if (io.stdin.isTTY !== true) {
            throw new UsageError(
                'not confirmed: standard input is not a terminal, so nothing was assigned; run again with --yes to assign without a prompt',
            );
        }
        const answer = await ask(
            io,
            `Assign ${toAssign.length} application permission(s) to ${describePrincipal(principal)}? [y/N] `,
        );
        if (!/^y(es)?$/i.test(answer.trim())) {
            io.stderr.write('cancelled: nothing was assigned\n');
            return 1;
        }
    }

    const assigned: string[] = [];
    for (const permission of toAssign) {
        try {
            await assignAppRole(graph, {
                principalId: principal.id,
                resourceId: microsoftGraph.id,
                appRoleId: permission.appRoleId as string,
            });
        } catch (thrown) {
            if (assigned.length > 0) {
                io.stderr.write(`assigned before the failure: ${assigned.join(', ')}\n`);
            }
            throw explainAssignFailure(ensureError(thrown), permission.value);
        }
        assigned.push(permission.value);
        if (!args.json) {
            io.stderr.write(`assigned ${permission.value}\n`);
        }
    }
    report(io, args.json, principal, plan, assigned, `Assigned ${assigned.length}: ${assigned.join(', ')}.`);
    return 0;
}

/** The rules using revokeSessions. Unset `${NAME}` placeholders get a stand-in: only the rules matter here. */
async function revokeSessionsUse(file: string, env: NodeJS.ProcessEnv): Promise<RevokeSessionsUse> {
    const standIn = 'https://placeholder.invalid/unset-setting';
    const tolerant = new Proxy(env, {
        get: (target, name) => (typeof name === 'string' ? target[name] || standIn : undefined),
    }) as Readonly<Record<string, string | undefined>>;
    const rules = await loadRulesFile(file, tolerant);
    const using = rules.rules.filter((rule) => rule.then.revokeSessions);
    return {
        file,
        enabledRules: using.filter((rule) => rule.enabled).map((rule) => rule.id),
        disabledRules: using.filter((rule) => !rule.enabled).map((rule) => rule.id),
    };
}

async function resolvePrincipal(
    graph: GraphApi,
    objectId: string | undefined,
    clientId: string | undefined,
): Promise<ServicePrincipal> {
    if (clientId !== undefined) {
        const found = await findServicePrincipalByAppId(graph, clientId);
        if (found === null) {
            throw new AppError(
                'args.invalid',
                `--client-id: no service principal has the client id ${clientId}`,
                false,
            );
        }
        return found;
    }
    try {
        return await getServicePrincipal(graph, objectId as string);
    } catch (error) {
        if (error instanceof AppError && graphStatusOf(error) === 404) {
            throw new AppError(
                'args.invalid',
                `--principal-id: no service principal has the object id ${objectId} (give the managed identity's principal id, not its client id)`,
                false,
                { cause: error },
            );
        }
        throw error;
    }
}

function explainAssignFailure(error: Error, value: string): Error {
    const status = error instanceof AppError ? graphStatusOf(error) : undefined;
    const hint =
        status === 403
            ? ': the signed-in account may not grant Microsoft Graph application permissions (it needs Privileged Role Administrator or Global Administrator)'
            : '';
    return new AppError('graph.failed', `Could not assign ${value}: ${error.message}${hint}`, false, { cause: error });
}

function describePrincipal(principal: ServicePrincipal): string {
    return `${principal.displayName ?? '(no display name)'} (${principal.id})`;
}

function formatPlan(principal: ServicePrincipal, plan: GrantPlan): string {
    const width = Math.max(...plan.permissions.map((permission) => permission.value.length));
    const kind = principal.servicePrincipalType ? `, ${principal.servicePrincipalType}` : '';
    const lines = [
        `Microsoft Graph application permissions for ${describePrincipal(principal)}${kind}:`,
        ...plan.permissions.map(
            (permission) => `  ${permission.status.padEnd(7)}  ${permission.value.padEnd(width)}  ${permission.reason}`,
        ),
    ];
    if (plan.unneeded.length > 0) {
        lines.push(
            `Also granted, not needed by risk-responder (left as they are; remove them for least privilege): ${plan.unneeded.join(', ')}`,
        );
    }
    const count = (status: PlannedStatus) => plan.permissions.filter((p) => p.status === status).length;
    lines.push(`${count('assign')} to assign, ${count('present')} already granted, ${count('skip')} not needed.`);
    return `${lines.join('\n')}\n`;
}

function report(
    io: CommandIo,
    json: boolean,
    principal: ServicePrincipal,
    plan: GrantPlan,
    assigned: readonly string[],
    text: string,
): void {
    if (json) {
        io.stdout.write(
            `${JSON.stringify({
                principal: { id: principal.id, displayName: principal.displayName ?? null },
                permissions: plan.permissions,
                assigned,
                unneeded: plan.unneeded,
                warnings: plan.warnings,
            })}\n`,
        );
        return;
    }
    io.stdout.write(`${text}\n`);
}

/** One line from stdin, prompting on stderr (stdout carries results); empty when stdin ends first. */
function ask(io: CommandIo, prompt: string): Promise<string> {
    io.stderr.write(prompt);
    return new Promise((resolve) => {
        let buffered = '';
        const finish = (answer: string) => {
            io.stdin.removeListener('data', onData);
            io.stdin.removeListener('end', onEnd);
            io.stdin.pause();
            resolve(answer);
        };
        const onData = (chunk: Buffer | string) => {
            buffered += chunk.toString();
            const newline = buffered.indexOf('\n');
            if (newline >= 0) {
                finish(buffered.slice(0, newline));
            }
        };
        const onEnd = () => finish(buffered);
        io.stdin.on('data', onData);
        io.stdin.on('end', onEnd);
        io.stdin.resume();
    });
}
