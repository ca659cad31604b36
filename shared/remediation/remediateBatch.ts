import { Clock } from '../clock';
import { Detection, latestVersions } from '../detection';
import { ensureError, hasErrorCode, isRetryable } from '../errors';
import { Logger } from '../logger';
import { Alert, DecisionReport, Notifier } from '../notify/notifier';
import { parseDetectionMessage, RiskDetectionMessage } from '../queue/message';
import { sentKey } from '../intake/checkpoint';
import { getRulesProblems } from '../rules/rulesProblems';
import { groupsReferencedBy } from '../rules/evaluateRules';
import { RulesFile } from '../rules/ruleSchema';
import { AuditOutcome, AuditRecord, decisionIdOf, maxRawBodyChars } from './auditRecord';
import { AuditStore } from './auditStore';
import { applyBreaker, BreakerCaps, breakerWindowMs } from './breaker';
import { decideForUsers, UserContext, UserDecision } from './decide';
import { applyRiskActions, RiskActionCall } from './applyRiskActions';
import { CurrentRiskState, RiskStateReader, UserDirectory } from './riskStateReader';

/** A message as the trigger hands it over: the body, and the metadata the host gives for it. */
export interface ReceivedMessage {
    body: unknown;
    messageId: string | null;
    /** 1 on first delivery (host semantics). */
    deliveryCount: number | null;
}

/** Loads the rules file; throws `rules.invalid` (with problems) when it is not usable. */
export interface RulesSource {
    load(): Promise<RulesFile>;
    /** Where the rules come from, for messages. */
    readonly location: string;
}

export interface RemediationDependencies {
    rules: RulesSource;
    directory: UserDirectory;
    riskState: RiskStateReader;
    act: RiskActionCall;
    revokeSessions: (userId: string) => Promise<void>;
    audit: AuditStore;
    notifier: Notifier;
    clock: Clock;
}

export interface RemediationConfig {
    tenantId: string;
    /** Dry-run whatever the rules file says. */
    forceDryRun: boolean;
    breakerCaps: BreakerCaps;
}

/** What one batch did, for the summary line, the local host and tests. */
export interface BatchReport {
    received: number;
    rejected: number;
    decisions: DecisionReport[];
    counts: Record<AuditOutcome, number>;
    breakerTripped: boolean;
}

type Acting = Extract<UserDecision, { action: 'confirmCompromised' | 'dismiss' }>;

/**
 * The consumer's use case for one batch (design R1-R7): validate each message, decide one action per user with
 * the rules, re-read the users' risk state, apply the breaker, act in calls of up to 60 users, record every
 * decision, then notify. A message that fails the contract is recorded as rejected and alerted, never retried;
 * an invalid rules file or a transient failure throws, so Service Bus redelivers the batch, and the re-read of
 * risk state on redelivery keeps actions from repeating.
 */
export async function remediateBatch(
    messages: readonly ReceivedMessage[],
    deps: RemediationDependencies,
    config: RemediationConfig,
    logger: Logger,
): Promise<BatchReport> {
    const now = () => new Date(deps.clock.now()).toISOString();
    const valid: Array<{ message: RiskDetectionMessage; messageId: string | null }> = [];
    const rejectedRecords: AuditRecord[] = [];
    for (const received of messages) {
        const parsed = parseDetectionMessage(received.body);
        if (parsed.ok) {
            valid.push({ message: parsed.message, messageId: received.messageId });
        } else {
            logger.warn(`remediate: message ${received.messageId ?? '(no id)'} set aside: ${parsed.reason}`);
            rejectedRecords.push(rejectedRecord(config.tenantId, received, parsed.reason, now()));
        }
    }
    if (rejectedRecords.length > 0) {
        await deps.audit.put(rejectedRecords);
        for (const record of rejectedRecords) {
            await sendAlert(
                deps,
                config.tenantId,
                { kind: 'messageRejected', messageId: record.messageIds[0] ?? null, reason: record.reason },
                logger,
            );
        }
    }
    const emptyReport = (): BatchReport => ({
        received: messages.length,
        rejected: rejectedRecords.length,
        decisions: [],
        counts: countOutcomes([]),
        breakerTripped: false,
    });
    if (valid.length === 0) {
        return emptyReport();
    }

    const rules = await loadRulesOrAlert(deps, config.tenantId, logger);
    const mode = config.forceDryRun ? 'dryRun' : rules.mode;
    const detections = latestVersions(valid.map((entry) => entry.message.detection));
    const messageIdsByUser = groupMessageIds(valid);

    // Facts first (directory), then a first pass tells which users are dismissal candidates needing R3 reads.
    const referencedGroups = groupsReferencedBy(rules);
    const userIds = [...new Set(detections.map((detection) => detection.userId))];
    const memberships = await deps.directory.groupsOfUsers(userIds, referencedGroups);
    const contexts = new Map<string, UserContext>(
        userIds.map((userId) => [
            userId,
            { userGroupIds: memberships.get(userId) ?? new Set<string>(), otherDetections: [] },
        ]),
    );
    const firstPass = decideForUsers({ rules, detections, users: contexts });
    const dismissCandidates = firstPass
        .filter((decision) => decision.action === 'dismiss')
        .map((decision) => decision.userId);
    // R4 and R3 reads go out together (the pacer keeps them within the tenant budget). The coverage check can only
    // turn a dismissal into none, so the users the first pass would act on include every user acted on below.
    const wouldAct = firstPass.filter((decision) => decision.action !== 'none').map((decision) => decision.userId);
    const [states, coverage] = await Promise.all([
        wouldAct.length > 0
            ? deps.riskState.currentStates(wouldAct)
            : Promise.resolve(new Map<string, CurrentRiskState>()),
        dismissCandidates.length > 0
            ? deps.riskState.atRiskDetectionsOf(dismissCandidates)
            : Promise.resolve(new Map<string, Detection[]>()),
    ]);
    for (const [userId, others] of coverage) {
        contexts.set(userId, { ...contexts.get(userId)!, otherDetections: others });
    }
    const decisions = decideForUsers({ rules, detections, users: contexts });
    const detectionsByUser = groupBy(detections, (detection) => detection.userId);
    const decisionIds = new Map(
        decisions.map((decision) => [
            decision.userId,
            decisionIdOf(config.tenantId, decision.userId, (detectionsByUser.get(decision.userId) ?? []).map(sentKey)),
        ]),
    );
    const outcomes = new Map<string, { outcome: AuditOutcome; reason: string }>();

    // R4: act only on users still at risk; a redelivery or an admin's decision after queueing shows up here.
    const acting = decisions.filter((decision): decision is Acting => decision.action !== 'none');
    // Earlier records matter only for users no longer at risk: was it our own action (a redelivery)?
    const noLongerAtRisk = acting.filter((decision) => states.get(decision.userId)?.riskState !== 'atRisk');
    const previous = await deps.audit.get(noLongerAtRisk.map((decision) => decisionIds.get(decision.userId)!));
    const stillAtRisk: Acting[] = [];
    for (const decision of acting) {
        const state = states.get(decision.userId);
        const earlier = previous.get(decisionIds.get(decision.userId)!);
        if (!state || state.riskState !== 'atRisk') {
            const current = state?.riskState ?? 'not at risk';
            const ours = earlier && (earlier.outcome === 'pending' || earlier.outcome === 'applied');
            outcomes.set(decision.userId, {
                outcome: ours ? 'applied' : 'skipped',
                reason: ours
                    ? `${decision.reason}; applied earlier (user now ${current})`
                    : `user is ${current} now; no action`,
            });
        } else if (decision.action === 'dismiss' && state.isDeleted) {
            outcomes.set(decision.userId, {
                outcome: 'skipped',
                reason: 'user is deleted; Graph cannot dismiss deleted users',
            });
        } else {
            stillAtRisk.push(decision);
        }
    }

    // R6: the breaker counts this hour's automatic actions (dry-run ones too, so dry-run holds what enforce would).
    // Records of this batch's own decisions (a redelivery) are not counted twice.
    const batchDecisionIds = new Set(decisionIds.values());
    const recent = (await deps.audit.list({ since: new Date(deps.clock.now() - breakerWindowMs) })).filter(
        (entry) => !batchDecisionIds.has(entry.decisionId),
    );
    const counted: readonly AuditOutcome[] =
        mode === 'enforce' ? ['applied', 'pending'] : ['applied', 'pending', 'dryRun'];
    const breaker = applyBreaker({
        now: new Date(deps.clock.now()),
        caps: config.breakerCaps,
        recentActions: {
            confirmCompromised: actionTimes(recent, 'confirmCompromised', counted),
            dismiss: actionTimes(recent, 'dismiss', counted),
        },
        candidates: stillAtRisk,
    });
    for (const decision of breaker.held) {
        outcomes.set(decision.userId, {
            outcome: 'held',
            reason: `breaker: hourly cap of ${config.breakerCaps[decision.action]} ${decision.action} reached; ${decision.reason}`,
        });
    }

    // Act: dry-run decides and records the same, and calls no write endpoint (R5).
    const enforce = mode === 'enforce';
    const allowed = [...breaker.allowed];
    for (const decision of decisions) {
        if (!outcomes.has(decision.userId) && decision.action === 'none') {
            outcomes.set(decision.userId, {
                outcome: decision.excluded ? 'excluded' : 'noAction',
                reason: decision.reason,
            });
        }
    }
    // One write before acting: the final record of every decision already settled, and `pending` for each action
    // about to go out, so a redelivery after a crash can tell our own action from someone else's.
    const toAct = new Set(enforce ? allowed.map((decision) => decision.userId) : []);
    await deps.audit.put(
        decisions
            .filter((decision) => toAct.has(decision.userId) || outcomes.has(decision.userId))
            .map((decision) =>
                toAct.has(decision.userId)
                    ? record(decision, 'pending', decision.reason)
                    : record(decision, outcomes.get(decision.userId)!.outcome, outcomes.get(decision.userId)!.reason),
            ),
    );
    if (!enforce) {
        for (const decision of allowed) {
            outcomes.set(decision.userId, {
                outcome: 'dryRun',
                reason: `dry-run: would ${decision.action}; ${decision.reason}`,
            });
        }
    } else {
        const results = await applyRiskActions(
            deps.act,
            allowed.map((decision) => ({ userId: decision.userId, action: decision.action })),
            logger,
        );
        const byUser = new Map(allowed.map((decision) => [decision.userId, decision]));
        for (const result of results) {
            outcomes.set(
                result.userId,
                result.ok
                    ? { outcome: 'applied', reason: byUser.get(result.userId)!.reason }
                    : { outcome: 'failed', reason: result.reason },
            );
        }
    }
    // Revocation follows every confirmation of ours, including one a redelivery finds applied earlier: the process
    // may have died between the two calls, and revoking again is harmless.
    for (const decision of acting.filter(
        (candidate) => candidate.action === 'confirmCompromised' && candidate.revokeSessions,
    )) {
        if (enforce && outcomes.get(decision.userId)?.outcome === 'applied') {
            await revokeSessions(deps, decision.userId, outcomes, logger);
        }
    }

    // Record what the actions became (and dry-run's decisions), then hand every decision to the owners.
    const records = decisions.map((decision) => {
        const { outcome, reason } = outcomes.get(decision.userId)!;
        return record(decision, outcome, reason);
    });
    await deps.audit.put(
        records.filter((entry, index) => toAct.has(decisions[index]!.userId) || entry.outcome === 'dryRun'),
    );

    const reports: DecisionReport[] = decisions.map((decision, index) => ({
        decisionId: records[index]!.decisionId,
        userId: decision.userId,
        userPrincipalName: decision.userPrincipalName,
        action: decision.action,
        ...(decision.excluded ? { wouldHave: decision.wouldHave.action } : {}),
        ruleId: decision.ruleId,
        reason: records[index]!.reason,
        outcome: records[index]!.outcome,
        mode,
        notify: decision.excluded ? decision.wouldHave.notify : decision.notify,
        detections: detectionsByUser.get(decision.userId) ?? [],
    }));
    for (const decision of reports) {
        const line = `remediate: user ${decision.userId} ${decision.action} by ${decision.ruleId ?? '(no rule)'} in ${mode}: ${decision.outcome}`;
        if (decision.outcome === 'held' || decision.outcome === 'failed' || decision.outcome === 'excluded') {
            logger.warn(line);
        } else {
            logger.info(line);
        }
    }
    await notifySafely(deps, config.tenantId, reports, logger);
    if (breaker.tripped) {
        for (const action of ['confirmCompromised', 'dismiss'] as const) {
            const kind = breaker.kinds[action];
            if (kind.tripped) {
                await sendAlert(
                    deps,
                    config.tenantId,
                    {
                        kind: 'breakerTripped',
                        action,
                        cap: kind.cap,
                        held: kind.held,
                        resetsAt: kind.resetsAt?.toISOString() ?? 'never (cap is 0)',
                    },
                    logger,
                );
            }
        }
    }

    const counts = countOutcomes(records.map((entry) => entry.outcome));
    logger.info(
        `remediate: ${messages.length} messages, ${rejectedRecords.length} rejected, ${decisions.length} users in ${mode}: ` +
            Object.entries(counts)
                .filter(([, count]) => count > 0)
                .map(([outcome, count]) => `${outcome} ${count}`)
                .join(', '),
    );
    return {
        received: messages.length,
        rejected: rejectedRecords.length,
        decisions: reports,
        counts,
        breakerTripped: breaker.tripped,
    };

    function record(decision: UserDecision, outcome: AuditOutcome, reason: string): AuditRecord {
        return {
            decisionId: decisionIds.get(decision.userId)!,
            tenantId: config.tenantId,
            time: now(),
            userId: decision.userId,
            userPrincipalName: decision.userPrincipalName,
            action: decision.excluded ? 'none' : decision.action,
            mode,
            outcome,
            ruleId: decision.ruleId ?? (decision.excluded ? decision.wouldHave.ruleId : null),
            detectionIds: [...decision.detectionIds],
            reason,
            messageIds: messageIdsByUser.get(decision.userId) ?? [],
        };
    }
}

async function loadRulesOrAlert(deps: RemediationDependencies, tenantId: string, logger: Logger): Promise<RulesFile> {
    try {
        return await deps.rules.load();
    } catch (error) {
        if (hasErrorCode(error, 'rules.invalid')) {
            const problems = getRulesProblems(error)?.map((problem) => `${problem.path}: ${problem.message}`) ?? [
                error.message,
            ];
            logger.error(
                `remediate: rules file ${deps.rules.location} is invalid; no action taken, the batch goes back to the queue`,
            );
            await sendAlert(deps, tenantId, { kind: 'rulesInvalid', file: deps.rules.location, problems }, logger);
        }
        throw error;
    }
}

async function revokeSessions(
    deps: RemediationDependencies,
    userId: string,
    outcomes: Map<string, { outcome: AuditOutcome; reason: string }>,
    logger: Logger,
): Promise<void> {
    const current = outcomes.get(userId)!;
    try {
        await deps.revokeSessions(userId);
        outcomes.set(userId, { ...current, reason: `${current.reason}; sessions revoked` });
    } catch (error) {
        // The confirmation stands; a failed follow-up is reported, not retried by redelivering the batch.
        logger.warn(`remediate: revoking sessions of ${userId} failed: ${ensureError(error).message}`);
        outcomes.set(userId, { ...current, reason: `${current.reason}; revoking sessions failed` });
    }
}

/**
 * Hands the decisions on. The actions and records stand whatever happens here; a transient failure of the
 * hand-off is rethrown so Service Bus redelivers the batch (at-least-once, N1): the re-read of risk state keeps
 * the redelivery from acting again, and the notifier's deterministic job ids keep it from notifying twice.
 */
async function notifySafely(
    deps: RemediationDependencies,
    tenantId: string,
    reports: DecisionReport[],
    logger: Logger,
): Promise<void> {
    try {
        await deps.notifier.notifyDecisions(tenantId, reports);
    } catch (error) {
        if (isRetryable(error)) {
            logger.error(
                `remediate: notification hand-off failed (${ensureError(error).message}); actions stand, the batch will be redelivered to notify`,
            );
            throw error;
        }
        logger.warn(`remediate: notification hand-off failed (${ensureError(error).message}); actions stand`);
    }
}

async function sendAlert(deps: RemediationDependencies, tenantId: string, alert: Alert, logger: Logger): Promise<void> {
    try {
        await deps.notifier.alert(tenantId, alert);
    } catch (error) {
        logger.warn(`remediate: ${alert.kind} alert hand-off failed (${ensureError(error).message})`);
    }
}

function rejectedRecord(tenantId: string, received: ReceivedMessage, reason: string, time: string): AuditRecord {
    const raw =
        typeof received.body === 'string'
            ? received.body
            : Buffer.isBuffer(received.body)
              ? received.body.toString('utf8')
              : safeJson(received.body);
    return {
        decisionId: decisionIdOf(tenantId, 'rejected', [received.messageId ?? raw]),
        tenantId,
        time,
        userId: null,
        userPrincipalName: null,
        action: 'none',
        mode: 'enforce',
        outcome: 'rejected',
        ruleId: null,
        detectionIds: [],
        reason: `message.invalid: ${reason}`,
        messageIds: received.messageId ? [received.messageId] : [],
        rawBody: raw.slice(0, maxRawBodyChars),
    };
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

function groupMessageIds(
    valid: ReadonlyArray<{ message: RiskDetectionMessage; messageId: string | null }>,
): Map<string, string[]> {
    const byUser = new Map<string, string[]>();
    for (const { message, messageId } of valid) {
        if (messageId) {
            byUser.set(message.detection.userId, [...(byUser.get(message.detection.userId) ?? []), messageId]);
        }
    }
    return byUser;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
    }
    return groups;
}

/** Times of automatic actions in the window: applied and pending (may have gone out); in dry-run, dry-run ones too. */
function actionTimes(
    records: readonly AuditRecord[],
    action: 'confirmCompromised' | 'dismiss',
    counted: readonly AuditOutcome[],
): Date[] {
    return records
        .filter((entry) => entry.action === action && counted.includes(entry.outcome))
        .map((entry) => new Date(entry.time));
}

function countOutcomes(outcomes: readonly AuditOutcome[]): Record<AuditOutcome, number> {
    const counts: Record<AuditOutcome, number> = {
        applied: 0,
        dryRun: 0,
        pending: 0,
        skipped: 0,
        held: 0,
        excluded: 0,
        noAction: 0,
        failed: 0,
        rejected: 0,
    };
    for (const outcome of outcomes) {
        counts[outcome]++;
    }
    return counts;
}
