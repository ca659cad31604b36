import type { Detection } from '../detection';
import { evaluateDetection, type DetectionOutcome, type MatchedOutcome, type UserFacts } from '../rules/evaluateRules';
import type { Exclusions, Rule, RulesFile } from '../rules/ruleSchema';

/**
 * From per-detection outcomes to one decision per user (design R1-R3), as pure code: the caller fetched the
 * facts (groups, UPN) and the user's other at-risk detections; this module only reads them.
 *
 * - R2: a detection of the batch decided confirmCompromised confirms the user; the first confirming rule in rule
 *   order names the decision.
 * - R3: the user is dismissed only when every at-risk detection of the user (batch and other known ones,
 *   de-duplicated by id, echoes and non-atRisk ones left out) is decided dismiss; otherwise none, naming the
 *   uncovered detections.
 * - R1: an excluded user (object id or UPN, case-insensitive, or a member of an excluded group) gets none with
 *   reason `excluded`, and the decision that would have been taken is kept in `wouldHave`.
 *
 * Only batch detections trigger an action: the user's other detections can block a dismissal but never cause a
 * confirmation on their own (design R2 speaks of "the same batch"; they were or will be decided in their own batch).
 */

/** What the caller knows about one user of the batch. */
export interface UserContext extends UserFacts {
    /**
     * The user's other at-risk detections known outside the batch: from Graph in the consumer, from the detections
     * file in `risk-responder evaluate`. May repeat batch detections (de-duplicated by id, the newer
     * `lastUpdatedDateTime` winning) and may hold detections no longer at risk (left out).
     */
    readonly otherDetections: readonly Detection[];
}

/** Everything `decideForUsers` reads. */
export interface DecideInput {
    /** The parsed rules file. */
    readonly rules: RulesFile;
    /** The batch's detections (contract-valid), possibly several per user and several versions per id. */
    readonly detections: readonly Detection[];
    /** One entry per user id of the batch. A missing entry is a bug of the caller and throws. */
    readonly users: ReadonlyMap<string, UserContext>;
}

/** The decision before exclusions, one variant per action. */
export type ProposedDecision =
    | {
          readonly action: 'confirmCompromised';
          readonly ruleId: string;
          /** True when any confirming rule asks for it. */
          readonly revokeSessions: boolean;
          readonly reason: string;
          readonly notify: readonly string[];
      }
    | {
          readonly action: 'dismiss';
          readonly ruleId: string;
          readonly revokeSessions: false;
          readonly reason: string;
          readonly notify: readonly string[];
      }
    | {
          readonly action: 'none';
          /** The first rule in rule order that decided `none` for a batch detection; null when no rule did. */
          readonly ruleId: string | null;
          readonly revokeSessions: false;
          readonly reason: string;
          readonly notify: readonly string[];
      };

/** Why a user is excluded: the exclusions entry that matched. */
export type ExclusionMatch =
    | { readonly kind: 'user'; /** the entry of exclusions.users, as written */ readonly entry: string }
    | { readonly kind: 'group'; /** the entry of exclusions.groups, as written */ readonly groupId: string };

/** What every decision carries. */
interface DecisionCommon {
    readonly userId: string;
    /** From the user facts, else from the detections; null when neither has one. */
    readonly userPrincipalName: string | null;
    /** The user's detection ids in this batch, de-duplicated, in batch order. */
    readonly detectionIds: readonly string[];
    /** Owner names and/or "manager": the union of the notify lists of the rules that decided, in rule order. */
    readonly notify: readonly string[];
    /** Per-detection outcomes of the batch detections, for the audit record and `evaluate --json`. */
    readonly outcomes: readonly DetectionOutcome[];
    /** Outcomes of the other known detections that took part in the R3 check. */
    readonly otherOutcomes: readonly DetectionOutcome[];
}

/** A decision for a user who is not excluded. */
export type IncludedDecision = DecisionCommon & ProposedDecision & { readonly excluded: false };

/** A decision for an excluded user: never acted on, still reported (R1). */
export type ExcludedDecision = DecisionCommon & {
    readonly action: 'none';
    readonly ruleId: null;
    readonly revokeSessions: false;
    readonly reason: 'excluded';
    readonly excluded: true;
    readonly exclusion: ExclusionMatch;
    /** The decision the rules made, which the exclusion overrode. */
    readonly wouldHave: ProposedDecision;
};

/** One decision per user: a value, switched over on `action` (and `excluded`). */
export type UserDecision = IncludedDecision | ExcludedDecision;

/** A decision that asks for a write: confirmCompromised or dismiss. */
export type ActingDecision = Extract<UserDecision, { action: 'confirmCompromised' | 'dismiss' }>;

/** True when the decision asks for an action (the breaker, R4 and dry-run apply to these). */
export function isActing(decision: UserDecision): decision is ActingDecision {
    return decision.action !== 'none';
}

/**
 * Folds the batch into one decision per user, in order of the users' first detection in the batch.
 *
 * @throws Error when `users` has no entry for a user of the batch (a bug of the caller)
 */
export function decideForUsers(input: DecideInput): UserDecision[] {
    const ruleIndex = new Map(input.rules.rules.map((rule, index) => [rule.id, { rule, index }]));
    const batchByUser = new Map<string, Detection[]>();
    for (const detection of input.detections) {
        const list = batchByUser.get(detection.userId) ?? [];
        list.push(detection);
        batchByUser.set(detection.userId, list);
    }
    return [...batchByUser].map(([userId, batch]) => {
        const context = input.users.get(userId);
        if (context === undefined) {
            throw new Error(`decideForUsers: no user context for user ${userId}`);
        }
        return decideForUser(userId, batch, context, input.rules, ruleIndex);
    });
}

type RuleIndex = ReadonlyMap<string, { readonly rule: Rule; readonly index: number }>;

function decideForUser(
    userId: string,
    batch: readonly Detection[],
    context: UserContext,
    rules: RulesFile,
    ruleIndex: RuleIndex,
): UserDecision {
    const merged = mergeDetections(userId, batch, context.otherDetections);
    const outcomes: DetectionOutcome[] = [];
    const otherOutcomes: DetectionOutcome[] = [];
    for (const { detection, inBatch } of merged) {
        (inBatch ? outcomes : otherOutcomes).push(evaluateDetection(detection, rules.rules, context));
    }
    const proposal = propose(outcomes, otherOutcomes, ruleIndex);

    const upns = [
        context.userPrincipalName,
        ...batch.map((d) => d.userPrincipalName),
        ...context.otherDetections.map((d) => d.userPrincipalName),
    ].filter((upn): upn is string => typeof upn === 'string' && upn !== '');
    const common: DecisionCommon = {
        userId,
        userPrincipalName: upns[0] ?? null,
        detectionIds: [...new Set(batch.map((d) => d.id))],
        notify: proposal.notify,
        outcomes,
        otherOutcomes,
    };
    const exclusion = findExclusion(userId, upns, context.userGroupIds, rules.exclusions);
    if (exclusion !== undefined) {
        return {
            ...common,
            action: 'none',
            ruleId: null,
            revokeSessions: false,
            reason: 'excluded',
            excluded: true,
            exclusion,
            wouldHave: proposal,
        };
    }
    return { ...common, ...proposal, excluded: false };
}

/**
 * The user's detections by id, batch first: a later version of the same id replaces an earlier one (by
 * `lastUpdatedDateTime`; on a tie the batch copy stays), and an id seen in the batch stays a batch detection.
 */
function mergeDetections(
    userId: string,
    batch: readonly Detection[],
    others: readonly Detection[],
): { detection: Detection; inBatch: boolean }[] {
    const byId = new Map<string, { detection: Detection; inBatch: boolean }>();
    const add = (detection: Detection, inBatch: boolean): void => {
        const existing = byId.get(detection.id);
        if (existing === undefined) {
            byId.set(detection.id, { detection, inBatch });
        } else {
            const newer =
                Date.parse(detection.lastUpdatedDateTime) > Date.parse(existing.detection.lastUpdatedDateTime);
            byId.set(detection.id, {
                detection: newer ? detection : existing.detection,
                inBatch: existing.inBatch || inBatch,
            });
        }
    };
    batch.forEach((d) => add(d, true));
    others.filter((d) => d.userId === userId).forEach((d) => add(d, false));
    return [...byId.values()];
}

function propose(
    outcomes: readonly DetectionOutcome[],
    otherOutcomes: readonly DetectionOutcome[],
    ruleIndex: RuleIndex,
): ProposedDecision {
    const matched = outcomes.filter((o): o is MatchedOutcome => o.kind === 'matched');
    const rulesOf = (list: readonly MatchedOutcome[]): string[] =>
        inRuleOrder(
            list.map((o) => o.ruleId),
            ruleIndex,
        );
    const notifyOf = (ruleIds: readonly string[]): string[] => [
        ...new Set(ruleIds.flatMap((id) => ruleIndex.get(id)?.rule.then.notify ?? [])),
    ];

    // R2: confirmCompromised beats everything else.
    const confirming = matched.filter((o) => o.action === 'confirmCompromised');
    const [firstConfirming] = rulesOf(confirming);
    if (firstConfirming !== undefined) {
        const ruleIds = rulesOf(confirming);
        return {
            action: 'confirmCompromised',
            ruleId: firstConfirming,
            revokeSessions: ruleIds.some((id) => ruleIndex.get(id)?.rule.then.revokeSessions === true),
            reason: `${quoteRules(ruleIds)} confirmed ${listIds(confirming)}`,
            notify: notifyOf(ruleIds),
        };
    }

    // R3: dismiss only when every at-risk detection, in the batch or not, is covered by a dismiss rule.
    const dismissing = matched.filter((o) => o.action === 'dismiss');
    const [firstDismissing] = rulesOf(dismissing);
    if (firstDismissing !== undefined) {
        const atRisk = [...outcomes, ...otherOutcomes].filter((o) => o.kind !== 'ignored');
        const uncovered = atRisk.filter((o) => !(o.kind === 'matched' && o.action === 'dismiss'));
        if (uncovered.length === 0) {
            const coveringRules = rulesOf(atRisk.filter((o): o is MatchedOutcome => o.kind === 'matched'));
            return {
                action: 'dismiss',
                ruleId: firstDismissing,
                revokeSessions: false,
                reason: `every at-risk detection (${listIds(atRisk)}) is covered by a dismiss rule: ${quoteRules(coveringRules)}`,
                notify: notifyOf(coveringRules),
            };
        }
        const batchIds = new Set(outcomes.map((o) => o.detectionId));
        const described = uncovered.map(
            (o) =>
                `${o.detectionId} (${describeOutcome(o)}${batchIds.has(o.detectionId) ? '' : ', not in this batch'})`,
        );
        const [firstNone] = rulesOf(matched.filter((o) => o.action === 'none'));
        return {
            action: 'none',
            ruleId: firstNone ?? null,
            revokeSessions: false,
            reason: `not dismissed: not every at-risk detection is covered by a dismiss rule: ${described.join(', ')}`,
            notify: notifyOf(rulesOf(matched)),
        };
    }

    // Nothing to do: say why per detection.
    const noneRules = rulesOf(matched);
    const reason = outcomes.every((o) => o.kind === 'ignored')
        ? `no actionable detection: ${outcomes.map((o) => `${o.detectionId}: ${o.reason}`).join('; ')}`
        : outcomes.map((o) => `${o.detectionId}: ${describeOutcome(o)}`).join('; ');
    return { action: 'none', ruleId: noneRules[0] ?? null, revokeSessions: false, reason, notify: notifyOf(noneRules) };
}

function describeOutcome(outcome: DetectionOutcome): string {
    switch (outcome.kind) {
        case 'matched':
            return `rule "${outcome.ruleId}": ${outcome.action}`;
        case 'unmatched':
            return 'no rule matched';
        case 'ignored':
            return outcome.ignoredBecause === 'echo' ? 'echo of a confirmation, ignored' : 'not atRisk, ignored';
        default:
            return assertNever(outcome);
    }
}

function findExclusion(
    userId: string,
    upns: readonly string[],
    groupIds: ReadonlySet<string>,
    exclusions: Exclusions,
): ExclusionMatch | undefined {
    const names = new Set([userId, ...upns].map((s) => s.toLowerCase()));
    const entry = exclusions.users.find((e) => names.has(e.toLowerCase()));
    if (entry !== undefined) {
        return { kind: 'user', entry };
    }
    const memberOf = new Set([...groupIds].map((id) => id.toLowerCase()));
    const groupId = exclusions.groups.find((g) => memberOf.has(g.toLowerCase()));
    return groupId === undefined ? undefined : { kind: 'group', groupId };
}

/** Unique rule ids sorted by their position in the rules file. */
function inRuleOrder(ruleIds: readonly string[], ruleIndex: RuleIndex): string[] {
    const position = (id: string): number => ruleIndex.get(id)?.index ?? Number.MAX_SAFE_INTEGER;
    return [...new Set(ruleIds)].sort((a, b) => position(a) - position(b));
}

function quoteRules(ruleIds: readonly string[]): string {
    return `${ruleIds.length === 1 ? 'rule' : 'rules'} ${ruleIds.map((id) => `"${id}"`).join(', ')}`;
}

function listIds(outcomes: readonly DetectionOutcome[]): string {
    return [...new Set(outcomes.map((o) => o.detectionId))].join(', ');
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
