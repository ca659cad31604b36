import { z } from 'zod';

import { Detection } from '../../shared/detection';
import { sentKey } from '../../shared/intake/checkpoint';
import { DecisionReport } from '../../shared/notify/notifier';
import { planManagerDigest, planOwnerDigests, PlannedMessage } from '../../shared/notify/planMessages';
import { decisionIdOf } from '../../shared/remediation/auditRecord';
import { UserDecision } from '../../shared/remediation/decide';
import { decideOffline } from '../../shared/remediation/decideOffline';
import { groupsReferencedBy } from '../../shared/rules/evaluateRules';
import { loadRulesFile } from '../../shared/rules/loadRules';
import { managerRecipient, RulesFile } from '../../shared/rules/ruleSchema';
import { notifySettingsSchema } from '../../shared/settings/notifySettings';
import { parseSettings } from '../../shared/settings/parseSettings';
import { parseCommandArgs } from '../args';
import { readDetectionsFile } from '../detectionsFile';
import { createStderrLogger } from '../stderrLogger';

export const previewUsage = `risk-responder preview --rules FILE --detections FILE [--channel teams|email]
  Decides as evaluate does and prints, without sending anything, every message the owners would receive: one
  JSON line per message, {"owner","channel","message"}, where message is the Teams envelope as it would be
  posted, or {"subject","html","text"} for email. The detections file is a JSON array of riskDetection objects,
  a Graph list response {"value":[...]}, or JSON lines (poll --print output works too).
  Without Graph: exclusions are checked by user id and UPN only (not groups), memberOfGroup never matches,
  every decided action counts as applied (enforce) or dryRun (nobody is already remediated, the breaker does not
  trip), and "manager" is listed as owner "manager", one email per user, without looking the manager up.
  \${NAME} placeholders in the rules file are filled from the environment (any https value will do for
  webhooks); ENTRA_PORTAL_URL and TENANT_ID are used when set.`;

const argsSchema = z.object({
    rules: z.string({ error: 'is required' }).min(1, 'is required'),
    detections: z.string({ error: 'is required' }).min(1, 'is required'),
    channel: z.enum(['teams', 'email']).optional(),
});

const previewSettingsSchema = z.object({
    ENTRA_PORTAL_URL: notifySettingsSchema.shape.ENTRA_PORTAL_URL,
    TENANT_ID: z.string().min(1).default('preview'),
});

/** Where the messages go: stdout unless a test passes another writer. */
export interface PreviewOutput {
    write(text: string): unknown;
}

/** One printed line. */
export interface PreviewLine {
    owner: string;
    channel: 'teams' | 'email';
    message: unknown;
}

export async function runPreview(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    out: PreviewOutput = process.stdout,
): Promise<number> {
    const args = parseCommandArgs(
        argv,
        { rules: { type: 'string' }, detections: { type: 'string' }, channel: { type: 'string' } },
        argsSchema,
    );
    const logger = createStderrLogger(false);
    const settings = parseSettings(previewSettingsSchema, env);
    const rules = await loadRulesFile(args.rules, env);
    const detections = await readDetectionsFile(args.detections);
    if (groupsReferencedBy(rules).length > 0) {
        logger.warn(
            'preview: group exclusions and memberOfGroup matchers are not evaluated (no Graph): nobody counts as a member',
        );
    }
    const reports = previewDecisions(rules, detections, settings.TENANT_ID);
    const lines = previewMessages(
        reports,
        rules,
        { tenantId: settings.TENANT_ID, portalUrl: settings.ENTRA_PORTAL_URL },
        (problem) => logger.warn(`preview: ${problem}`),
    ).filter((line) => args.channel === undefined || line.channel === args.channel);
    for (const line of lines) {
        out.write(`${JSON.stringify(line)}\n`);
    }
    logger.info(`preview: ${detections.length} detections, ${reports.length} decisions, ${lines.length} messages`);
    return 0;
}

/**
 * The decisions the consumer would report for `detections` as one batch, without Graph: no group facts, every
 * user still at risk, every action succeeding, no breaker. Each detection id counts once, its newest version.
 */
export function previewDecisions(
    rules: RulesFile,
    detections: readonly Detection[],
    tenantId: string,
): DecisionReport[] {
    const { decisions, detectionsByUser } = decideOffline(rules, detections);
    return decisions.map((decision) => {
        const own = detectionsByUser.get(decision.userId) ?? [];
        const { outcome, reason } = previewOutcome(decision, rules.mode);
        return {
            decisionId: decisionIdOf(tenantId, decision.userId, own.map(sentKey)),
            userId: decision.userId,
            userPrincipalName: decision.userPrincipalName,
            action: decision.action,
            ...(decision.excluded ? { wouldHave: decision.wouldHave.action } : {}),
            ruleId: decision.ruleId,
            reason,
            outcome,
            mode: rules.mode,
            notify: decision.excluded ? decision.wouldHave.notify : decision.notify,
            detections: own,
        };
    });
}

/**
 * The messages of one batch as lines: one per named owner and channel, and one email per user for `manager`
 * (each user has their own manager, whom preview does not look up). Names that lead nowhere go to `warn`.
 */
export function previewMessages(
    reports: readonly DecisionReport[],
    rules: RulesFile,
    context: { tenantId: string; portalUrl: string },
    warn: (problem: string) => void,
): PreviewLine[] {
    const forManager = reports.filter((report) => report.notify.includes(managerRecipient));
    const managerNotes = new Map(forManager.map((report) => [report.userId, 'looked up in the directory when sent']));
    const { messages, problems } = planOwnerDigests(reports, rules.owners, {
        ...context,
        emailEnabled: true,
        managerNotes,
    });
    problems.forEach((problem) => warn(problem.reason));
    const managerMessages = forManager.map((report) =>
        planManagerDigest(
            [report],
            { kind: 'managerOf', userId: report.userId },
            `managerOf:${report.userId}`,
            context,
        ),
    );
    return [...messages, ...managerMessages].map(toLine);
}

function toLine(planned: PlannedMessage): PreviewLine {
    return { owner: planned.owner, channel: planned.channel, message: planned.message };
}

function previewOutcome(decision: UserDecision, mode: RulesFile['mode']): Pick<DecisionReport, 'outcome' | 'reason'> {
    if (decision.excluded) {
        return { outcome: 'excluded', reason: decision.reason };
    }
    if (decision.action === 'none') {
        return { outcome: 'noAction', reason: decision.reason };
    }
    return mode === 'enforce'
        ? { outcome: 'applied', reason: decision.reason }
        : { outcome: 'dryRun', reason: `dry-run: would ${decision.action}; ${decision.reason}` };
}
