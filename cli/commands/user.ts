import { z } from 'zod';

import { AppError } from '../../shared/errors';
import { graphStatusOf } from '../../shared/graph/graphApi';
import { createGraphFromSettings } from '../../shared/graph/createGraphFromSettings';
import { getUser } from '../../shared/graph/directory';
import { getRiskyUser, listRiskyUserHistory, RiskyUserHistoryItem } from '../../shared/graph/identityProtection';
import { parseSettings } from '../../shared/settings/parseSettings';
import { graphSettingsSchema } from '../../shared/settings/settings';
import { parseCommandArgs } from '../args';
import { auditStoreFromArgs } from '../auditStoreFromArgs';
import { formatAuditLine } from './audit';
import { createStderrLogger } from '../stderrLogger';

export const userUsage = `risk-responder user ID-or-UPN [--state-dir DIR] [--graph-endpoint URL] [--json]
  The user's current risky-user state and risk history from Graph, beside this app's audit records for the user:
  why an action was or was not taken. Read-only; identity-protection reads are paced like intake.`;

const argsSchema = z.object({
    'state-dir': z.string().min(1).optional(),
    'graph-endpoint': z.string().min(1).optional(),
    json: z.boolean().default(false),
    positionals: z.tuple([z.string().min(1)], { error: 'takes exactly one user object id or UPN' }),
});

export async function runUser(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        { 'state-dir': { type: 'string' }, 'graph-endpoint': { type: 'string' }, json: { type: 'boolean' } },
        argsSchema,
        true,
    );
    const settings = parseSettings(graphSettingsSchema.extend({ TENANT_ID: z.string().min(1).optional() }), {
        ...env,
        ...(args['graph-endpoint'] ? { GRAPH_ENDPOINT: args['graph-endpoint'] } : {}),
    });
    const graph = createGraphFromSettings(
        { ...settings, TENANT_ID: settings.TENANT_ID ?? '' },
        createStderrLogger(false),
    );
    const [idOrUpn] = args.positionals;
    const user = await getUser(graph, idOrUpn);
    // 404: the user was never risky.
    const riskyUser = await getRiskyUser(graph, user.id).catch((error: unknown) => {
        if (error instanceof AppError && graphStatusOf(error) === 404) {
            return null;
        }
        throw error;
    });
    const history: RiskyUserHistoryItem[] = [];
    if (riskyUser) {
        for await (const page of listRiskyUserHistory(graph, user.id)) {
            history.push(...page);
        }
    }
    const audit = await auditStoreFromArgs(args['state-dir'], env).list({ userId: user.id });
    if (args.json) {
        process.stdout.write(`${JSON.stringify({ user, riskyUser, history, audit })}\n`);
        return 0;
    }
    const lines = [
        `${user.userPrincipalName ?? user.id} (${user.id})`,
        riskyUser
            ? `risk now: ${riskyUser.riskState}, level ${riskyUser.riskLevel}, detail ${riskyUser.riskDetail ?? '-'}, updated ${riskyUser.riskLastUpdatedDateTime ?? '-'}`
            : 'risk now: never a risky user',
        `history (${history.length}):`,
        ...history.map(
            (item) =>
                `  ${item.riskLastUpdatedDateTime ?? '-'}  ${item.riskState}  ${item.riskDetail ?? '-'}  by ${item.initiatedBy ?? '-'}  ${(item.activity?.riskEventTypes ?? []).join(',')}`,
        ),
        `audit records (${audit.length}):`,
        ...audit.map((record) => `  ${formatAuditLine(record)}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
}
