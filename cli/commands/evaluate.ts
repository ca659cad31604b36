import { z } from 'zod';

import { Detection } from '../../shared/detection';
import { createGraphFromSettings } from '../../shared/graph/createGraphFromSettings';
import { listRiskDetectionsUpdatedSince } from '../../shared/graph/identityProtection';
import { decideOffline } from '../../shared/remediation/decideOffline';
import { UserDecision } from '../../shared/remediation/decide';
import { loadRulesFile } from '../../shared/rules/loadRules';
import { parseSettings } from '../../shared/settings/parseSettings';
import { graphSettingsSchema } from '../../shared/settings/settings';
import { parseCommandArgs } from '../args';
import { readDetectionsFile } from '../detectionsFile';
import { createStderrLogger } from '../stderrLogger';
import { UsageError } from '../usageError';

export const evaluateUsage = `risk-responder evaluate --rules FILE (--detections FILE | --from-graph --since ISO-8601|DURATION) [--json]
  Decides without acting, for backtesting rules. --detections takes a JSON array of riskDetection objects, a Graph
  list response ({"value": [...]}) or JSON lines; the user's other at-risk detections are those in the file.
  --from-graph reads the tenant's detections updated since a time (e.g. 2026-11-01T00:00:00Z) or a duration (P30D,
  PT12H), read-only and paced like intake. Group exclusions and memberOfGroup are not checked (no directory reads):
  a warning says so when the rules use them. Output: a table, or with --json one line per user
  {"userId", "action", "ruleId", "detectionIds", "reason"}.`;

/** ISO-8601 durations of days and hours (P30D, PT12H, P1DT6H), for `--since`. */
const durationPattern = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

const sinceSchema = z.string().transform((value, ctx) => {
    const duration = durationPattern.exec(value);
    if (duration && value !== 'P' && value !== 'PT') {
        const [, days = '0', hours = '0', minutes = '0'] = duration;
        return new Date(Date.now() - ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000);
    }
    const instant = z.iso.datetime({ offset: true }).safeParse(value);
    if (instant.success) {
        return new Date(instant.data);
    }
    ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 instant or a duration such as P30D' });
    return z.NEVER;
});

const argsSchema = z.object({
    rules: z.string().min(1, 'is required'),
    detections: z.string().min(1).optional(),
    'from-graph': z.boolean().default(false),
    since: sinceSchema.optional(),
    'graph-endpoint': z.string().min(1).optional(),
    json: z.boolean().default(false),
});

export async function runEvaluate(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            rules: { type: 'string' },
            detections: { type: 'string' },
            'from-graph': { type: 'boolean' },
            since: { type: 'string' },
            'graph-endpoint': { type: 'string' },
            json: { type: 'boolean' },
        },
        argsSchema,
    );
    if (Boolean(args.detections) === args['from-graph']) {
        throw new UsageError('give either --detections FILE or --from-graph --since ...');
    }
    if (args['from-graph'] && !args.since) {
        throw new UsageError('--from-graph needs --since');
    }
    const rules = await loadRulesFile(args.rules, env);
    const detections = args.detections ? await readDetectionsFile(args.detections) : await readFromGraph(args, env);
    if (
        rules.exclusions.groups.length > 0 ||
        rules.rules.some((rule) => rule.when.memberOfGroup ?? rule.unless?.memberOfGroup)
    ) {
        process.stderr.write(
            'warning: group exclusions and memberOfGroup are not evaluated here (no directory reads)\n',
        );
    }
    const { decisions } = decideOffline(rules, detections);
    for (const line of args.json ? decisions.map(toJsonLine) : formatTable(decisions)) {
        process.stdout.write(`${line}\n`);
    }
    process.stderr.write(`${detections.length} detections, ${decisions.length} users\n`);
    return 0;
}

async function readFromGraph(
    args: { since?: Date | undefined; 'graph-endpoint'?: string | undefined },
    env: NodeJS.ProcessEnv,
): Promise<Detection[]> {
    const logger = createStderrLogger(false);
    const settings = parseSettings(graphSettingsSchema.extend({ TENANT_ID: z.string().optional() }), {
        ...env,
        ...(args['graph-endpoint'] ? { GRAPH_ENDPOINT: args['graph-endpoint'] } : {}),
    });
    const graph = createGraphFromSettings({ ...settings, TENANT_ID: settings.TENANT_ID ?? '' }, logger);
    const detections: Detection[] = [];
    for await (const page of listRiskDetectionsUpdatedSince(graph, args.since!, [])) {
        detections.push(...page);
        process.stderr.write(`read ${detections.length} detections\r`);
    }
    process.stderr.write('\n');
    return detections;
}

function toJsonLine(decision: UserDecision): string {
    return JSON.stringify({
        userId: decision.userId,
        action: decision.action,
        ruleId: decision.ruleId,
        detectionIds: decision.detectionIds,
        reason: decision.reason,
    });
}

function formatTable(decisions: readonly UserDecision[]): string[] {
    const rows = decisions.map((decision) => [
        decision.userPrincipalName ?? decision.userId,
        decision.action,
        decision.ruleId ?? '-',
        String(decision.detectionIds.length),
        decision.reason,
    ]);
    const header = ['user', 'action', 'rule', 'detections', 'reason'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const format = (row: string[]) =>
        row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
    return [format(header), ...rows.map(format)];
}
