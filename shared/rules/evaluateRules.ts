import { adminConfirmedEchoType, type Detection } from '../detection';
import { createGlobMatcher } from './globMatcher';
import { createIpMatcher } from './ipMatcher';
import { matcherKeys, type MatcherKey, type Matchers, type Rule, type RuleAction, type RulesFile } from './ruleSchema';

/**
 * What the caller knows about the user beyond the detection, fetched before evaluating (rules do no I/O).
 */
export interface UserFacts {
    /**
     * The user's transitive groups among `groupsReferencedBy(rulesFile)`: the caller checks exactly those, and a
     * group not in this set counts as "not a member". Ids compare case-insensitively.
     */
    readonly userGroupIds: ReadonlySet<string>;
    /** The user's current UPN from the directory, when read; otherwise the detection's `userPrincipalName` is used. */
    readonly userPrincipalName?: string | null;
}

interface OutcomeBase {
    readonly detectionId: string;
    readonly userId: string;
    /** One line for people: which rule decided, or why none did. Ids, types and states only, no content. */
    readonly reason: string;
}

/** The first enabled rule whose `when` matched and whose `unless` did not decided the detection. */
export interface MatchedOutcome extends OutcomeBase {
    readonly kind: 'matched';
    readonly action: RuleAction;
    readonly ruleId: string;
    /** Earlier rules whose `when` matched but whose `unless` vetoed them, in rule order. */
    readonly vetoedRuleIds: readonly string[];
}

/** No rule matched: the detection gets action `none`. */
export interface UnmatchedOutcome extends OutcomeBase {
    readonly kind: 'unmatched';
    readonly action: 'none';
    readonly ruleId: null;
    readonly vetoedRuleIds: readonly string[];
}

/**
 * The detection never triggers an action, whatever the rules say: it is the echo of a confirmation
 * (`adminConfirmedUserCompromised`), or it is no longer `atRisk` (remediated, dismissed, confirmed...).
 */
export interface IgnoredOutcome extends OutcomeBase {
    readonly kind: 'ignored';
    readonly action: 'none';
    readonly ruleId: null;
    readonly ignoredBecause: 'echo' | 'notAtRisk';
}

/** The per-detection result of the rules. A value, never an exception: "no rule matched" is an outcome too. */
export type DetectionOutcome = MatchedOutcome | UnmatchedOutcome | IgnoredOutcome;

type DetectionTest = (detection: Detection, facts: UserFacts) => boolean;

interface CompiledRule {
    readonly rule: Rule;
    readonly when: readonly DetectionTest[];
    readonly unless: readonly DetectionTest[] | undefined;
}

/**
 * One compiler per matcher key. The mapped type makes a new key in the schema fail to compile until it is
 * handled here. Missing detection fields never match.
 */
type MatcherValues<K extends MatcherKey> = NonNullable<Matchers[K]>;
type MatcherCompilers = { readonly [K in MatcherKey]: (values: MatcherValues<K>) => DetectionTest };

const matcherCompilers: MatcherCompilers = {
    riskEventType: (values) => equalsAnyIgnoringCase(values, (d) => d.riskEventType),
    riskLevel: (values) => equalsAnyIgnoringCase(values, (d) => d.riskLevel),
    detectionTimingType: (values) => equalsAnyIgnoringCase(values, (d) => d.detectionTimingType),
    activity: (values) => equalsAnyIgnoringCase(values, (d) => d.activity),
    source: (values) => equalsAnyIgnoringCase(values, (d) => d.source),
    country: (values) => equalsAnyIgnoringCase(values, (d) => d.location?.countryOrRegion),
    ipAddress: (values) => {
        const matches = createIpMatcher(values);
        return (d) => matches(d.ipAddress);
    },
    userPrincipalName: (values) => {
        const matches = createGlobMatcher(values);
        return (d, facts) => matches(facts.userPrincipalName ?? d.userPrincipalName);
    },
    memberOfGroup: (values) => {
        const wanted = new Set(values.map((id) => id.toLowerCase()));
        return (_d, facts) => [...facts.userGroupIds].some((id) => wanted.has(id.toLowerCase()));
    },
};

/**
 * Compiled rules per rules array: evaluation runs once per detection and the rules do not change between
 * detections. A pure memo (keyed weakly on the array), not state a caller can observe.
 */
const compiledRules = new WeakMap<readonly Rule[], readonly CompiledRule[]>();

/**
 * Decides one detection: rules in order, disabled ones skipped; a rule matches when every key of its `when`
 * matches and its `unless` (if any) does not; the first match decides. An `unless` veto lets later rules try.
 * Echo detections and detections not `atRisk` are `ignored` before any rule is looked at.
 *
 * @param detection a contract-valid detection
 * @param rules the `rules` of a parsed rules file, in file order
 * @param facts what the caller fetched about the detection's user
 */
export function evaluateDetection(detection: Detection, rules: readonly Rule[], facts: UserFacts): DetectionOutcome {
    const base = { detectionId: detection.id, userId: detection.userId };
    if (detection.riskEventType.toLowerCase() === adminConfirmedEchoType.toLowerCase()) {
        return {
            ...base,
            kind: 'ignored',
            action: 'none',
            ruleId: null,
            ignoredBecause: 'echo',
            reason: `type ${adminConfirmedEchoType} is the echo of a confirmation; never acted on`,
        };
    }
    if (detection.riskState !== 'atRisk') {
        return {
            ...base,
            kind: 'ignored',
            action: 'none',
            ruleId: null,
            ignoredBecause: 'notAtRisk',
            reason: `riskState is ${JSON.stringify(detection.riskState)}, not atRisk; never acted on`,
        };
    }
    const vetoedRuleIds: string[] = [];
    for (const { rule, when, unless } of compile(rules)) {
        if (!rule.enabled || !when.every((test) => test(detection, facts))) {
            continue;
        }
        if (unless !== undefined && unless.every((test) => test(detection, facts))) {
            vetoedRuleIds.push(rule.id);
            continue;
        }
        return {
            ...base,
            kind: 'matched',
            action: rule.then.action,
            ruleId: rule.id,
            vetoedRuleIds,
            reason: `rule "${rule.id}" matched (${rule.then.action})${describeVetoes(vetoedRuleIds)}`,
        };
    }
    return {
        ...base,
        kind: 'unmatched',
        action: 'none',
        ruleId: null,
        vetoedRuleIds,
        reason: `no rule matched${describeVetoes(vetoedRuleIds)}`,
    };
}

/**
 * Every group id the rules file names (exclusions first, then `memberOfGroup` of enabled rules, in file order),
 * lower-cased and de-duplicated: the memberships the caller must check to build `UserFacts.userGroupIds`.
 */
export function groupsReferencedBy(rulesFile: Pick<RulesFile, 'exclusions' | 'rules'>): string[] {
    const ids = new Set<string>(rulesFile.exclusions.groups.map((id) => id.toLowerCase()));
    for (const rule of rulesFile.rules) {
        if (!rule.enabled) {
            continue;
        }
        for (const matchers of [rule.when, rule.unless]) {
            for (const id of matchers?.memberOfGroup ?? []) {
                ids.add(id.toLowerCase());
            }
        }
    }
    return [...ids];
}

function compile(rules: readonly Rule[]): readonly CompiledRule[] {
    let compiled = compiledRules.get(rules);
    if (compiled === undefined) {
        compiled = rules.map((rule) => ({
            rule,
            when: compileMatchers(rule.when),
            unless: rule.unless === undefined ? undefined : compileMatchers(rule.unless),
        }));
        compiledRules.set(rules, compiled);
    }
    return compiled;
}

function compileMatchers(matchers: Matchers): DetectionTest[] {
    const tests: DetectionTest[] = [];
    for (const key of matcherKeys) {
        const test = compileMatcher(key, matchers);
        if (test !== undefined) {
            tests.push(test);
        }
    }
    return tests;
}

function compileMatcher<K extends MatcherKey>(key: K, matchers: Matchers): DetectionTest | undefined {
    // Matchers[K] is MatcherValues<K> | undefined; TypeScript cannot see that through the generic index.
    const values = matchers[key] as MatcherValues<K> | undefined;
    if (values === undefined) {
        return undefined;
    }
    const compiler: MatcherCompilers[K] = matcherCompilers[key];
    return compiler(values);
}

function equalsAnyIgnoringCase(
    values: readonly string[],
    field: (detection: Detection) => string | null | undefined,
): DetectionTest {
    const wanted = new Set(values.map((v) => v.toLowerCase()));
    return (detection) => {
        const value = field(detection);
        return value !== null && value !== undefined && wanted.has(value.toLowerCase());
    };
}

function describeVetoes(vetoedRuleIds: readonly string[]): string {
    return vetoedRuleIds.length === 0 ? '' : `; vetoed by unless: ${vetoedRuleIds.map((id) => `"${id}"`).join(', ')}`;
}
