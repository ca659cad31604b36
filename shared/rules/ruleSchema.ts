import { z } from 'zod';

import { riskLevels } from '../detection';
import { parseIpRange } from './ipMatcher';

/**
 * The rules file, version 1: the contract between the operator and the remediation consumer (issue 3).
 * This schema is the documentation: `rulesJsonSchema.ts` publishes it as JSON Schema for editors, and
 * `loadRules.ts` turns its issues into `FILE: path: problem` lines.
 *
 * Strict throughout: an unknown key is an error, because a misspelt matcher (`riskEventTypes`) would otherwise
 * be ignored and widen a rule to every detection. Lists are always lists (`riskLevel: [high]`), never a scalar.
 *
 * Custom issues raised here never put the offending value in their message; the formatter adds it where it is
 * safe (values substituted from app settings are secrets and are never shown).
 */

/** What a rule does with a matching detection. */
export const ruleActions = ['confirmCompromised', 'dismiss', 'none'] as const;
/** `dryRun` decides and records exactly as `enforce` would, and calls no write endpoint (design R5). */
export const rulesModes = ['dryRun', 'enforce'] as const;
/** Graph `riskDetectionTimingType` values a rule may name. */
export const detectionTimingTypes = ['realtime', 'nearRealtime', 'offline', 'notDefined'] as const;
/** Graph `activityType` values a rule may name. */
export const activityTypes = ['signin', 'user'] as const;
/** The notify name that means "the user's manager" rather than a named owner. */
export const managerRecipient = 'manager';

const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ruleIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ownerNamePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** An object id (GUID) or a UPN (`name@domain`, no spaces, no wildcards: exclusions are exact). */
const userRefPattern =
    /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^\s@*?]+@[^\s@*?]+)$/;

/** Params on custom issues, read by the problem formatter. */
export interface RulesIssueParams {
    /** Show the offending value before the message (`invalid value "x"; expected ...`), unless it is a secret. */
    readonly showValue?: boolean;
    /** A suggestion appended to the message; dropped when the value is a secret, as it may quote it. */
    readonly hint?: string;
}

function valueList<T extends z.ZodType>(item: T, description: string) {
    return z
        .array(item)
        .min(1, { error: 'expected at least one value (leave the key out to match any value)' })
        .optional()
        .describe(description);
}

const nonEmptyString = z.string().min(1, { error: 'expected a non-empty string' });

const groupId = z.string().regex(guidPattern, { error: 'expected a group object id (GUID)' });

const ipRangeText = z.string().superRefine((value, ctx) => {
    const parsed = parseIpRange(value);
    if (!parsed.ok) {
        const params: RulesIssueParams = {
            showValue: true,
            ...(parsed.hint === undefined ? {} : { hint: parsed.hint }),
        };
        ctx.addIssue({ code: 'custom', message: parsed.problem, params, input: value });
    }
});

/**
 * A webhook URL: https, or http on loopback for the local webhook sink (which the notifier calls only when
 * ALLOW_LOOPBACK_WEBHOOKS=true, so such a file does nothing in Azure).
 */
const webhookUrl = z
    .string()
    .refine((text) => isHttpsUrl(text) || isLoopbackHttpUrl(text), {
        error: 'expected an https URL',
        params: { showValue: true } satisfies RulesIssueParams,
    })
    .meta({ format: 'uri', pattern: '^(https://|http://(127\\.0\\.0\\.1|localhost)[:/])' });

/**
 * Conditions on one detection. Every key given must match; within a list any value matches; a key left out
 * matches anything. A detection field that is missing never matches a key that names it.
 */
export const matchersSchema = z
    .strictObject({
        riskEventType: valueList(
            nonEmptyString,
            'Detection types (riskEventType), e.g. leakedCredentials; case-insensitive. Types are open: a type no list names matches only rules without this key.',
        ),
        riskLevel: valueList(z.enum(riskLevels), 'Risk levels of the detection: low | medium | high.'),
        detectionTimingType: valueList(
            z.enum(detectionTimingTypes),
            'When the detection was made: realtime | nearRealtime | offline | notDefined.',
        ),
        activity: valueList(z.enum(activityTypes), 'What the risk is tied to: signin | user.'),
        source: valueList(nonEmptyString, 'Origin of the detection, e.g. IdentityProtection; case-insensitive.'),
        ipAddress: valueList(
            ipRangeText,
            'IP addresses or CIDR ranges, IPv4 and IPv6 (203.0.113.0/24, 2001:db8::/32, 198.51.100.7). IPv4-mapped IPv6 addresses count as IPv4.',
        ),
        country: valueList(
            z.string().regex(/^[A-Za-z]{2}$/, { error: 'expected a two-letter country code, e.g. US' }),
            'Two-letter country or region of the sign-in (location.countryOrRegion); case-insensitive.',
        ),
        userPrincipalName: valueList(
            nonEmptyString,
            'Globs on the user principal name, case-insensitive: * any run of characters, ? one character.',
        ),
        memberOfGroup: valueList(groupId, 'Group object ids; the user matches when a transitive member of any.'),
    })
    .meta({ id: 'Matchers', description: 'Conditions on one detection: every key given must match.' });

const ruleThenSchema = z.strictObject({
    action: z.enum(ruleActions).describe('confirmCompromised | dismiss | none'),
    revokeSessions: z
        .boolean()
        .default(false)
        .describe('Revoke the user\u2019s sign-in sessions after confirmCompromised. Only with confirmCompromised.'),
    notify: z
        .array(nonEmptyString)
        .default([])
        .describe('Owner names from `owners`, or "manager" for the user\u2019s manager.'),
});

/** One rule: evaluated in file order per detection; the first rule that matches decides the detection. */
export const ruleSchema = z
    .strictObject({
        id: z
            .string()
            .regex(ruleIdPattern, {
                error: 'expected a rule id of letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit)',
            })
            .describe('Unique id, recorded in every decision the rule makes.'),
        description: z.string().optional().describe('Free text for the people who read the file.'),
        enabled: z.boolean().default(true).describe('false skips the rule without deleting it.'),
        when: matchersSchema.default({}).describe('The rule matches a detection when all of these match.'),
        unless: matchersSchema.optional().describe('Vetoes the rule when all of these match; later rules are tried.'),
        then: ruleThenSchema,
    })
    .meta({ id: 'Rule' });

/** A named notification target; `teams` is usually a `${SETTING}` placeholder since webhook URLs are secrets. */
export const ownerSchema = z
    .strictObject({
        teams: webhookUrl.optional().describe('Teams Workflows webhook URL (https), e.g. "${TEAMS_SECOPS_WEBHOOK}".'),
        email: z
            .array(z.email({ error: 'expected an email address' }))
            .min(1, { error: 'expected at least one address (leave the key out for none)' })
            .optional()
            .describe('Email addresses.'),
    })
    .meta({ id: 'Owner' });

const exclusionsSchema = z.strictObject({
    users: z
        .array(
            z
                .string()
                .regex(userRefPattern, { error: 'expected a user object id (GUID) or a UPN (exact, no wildcards)' }),
        )
        .default([])
        .describe('User object ids or UPNs (case-insensitive, exact).'),
    groups: z.array(groupId).default([]).describe('Group object ids; transitive members are excluded.'),
});

/** The whole rules file, version 1. */
export const rulesFileSchema = z
    .strictObject({
        $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
        version: z.literal(1).describe('File format version: 1.'),
        mode: z.enum(rulesModes).default('dryRun').describe('dryRun (default) decides and reports only; enforce acts.'),
        exclusions: exclusionsSchema
            .default(() => ({ users: [], groups: [] }))
            .describe('Never acted on: still decided and reported.'),
        owners: z
            .record(
                z.string().regex(ownerNamePattern, {
                    error: 'expected an owner name of letters, digits, "_" and "-", starting with a letter',
                }),
                ownerSchema,
            )
            .default(() => ({}))
            .describe('Named notification targets, used by the notify lists of rules.'),
        rules: z.array(ruleSchema).describe('Evaluated in order per detection; the first match decides it.'),
    })
    .superRefine(checkAcrossFields, { when: () => true })
    .meta({
        title: 'risk-responder rules file',
        description: 'Rules that decide how to respond to Entra ID Protection risk detections.',
    });

/** The parsed rules file, defaults applied. */
export type RulesFile = z.infer<typeof rulesFileSchema>;
/** A rules file as written (defaults not yet applied): handy for building one in code or tests. */
export type RulesFileInput = z.input<typeof rulesFileSchema>;
/** One rule, defaults applied. */
export type Rule = z.infer<typeof ruleSchema>;
/** The conditions of `when` and `unless`. */
export type Matchers = z.infer<typeof matchersSchema>;
/** A matcher key such as `riskEventType`. */
export type MatcherKey = keyof Matchers;
/** What a rule does: confirmCompromised | dismiss | none. */
export type RuleAction = (typeof ruleActions)[number];
/** dryRun | enforce. */
export type RulesMode = (typeof rulesModes)[number];
/** A named notification target. */
export type Owner = z.infer<typeof ownerSchema>;
/** Users and groups never acted on. */
export type Exclusions = z.infer<typeof exclusionsSchema>;

/** The matcher keys, in schema order. */
export const matcherKeys = Object.keys(matchersSchema.shape) as MatcherKey[];

/**
 * The keys an object at `path` may have, or undefined when `path` is not an object of the schema. Used to list
 * the expected keys next to an unknown one.
 */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
    const [first, second, third] = path;
    const keysOf = (schema: { shape: object }): string[] => Object.keys(schema.shape);
    switch (path.length) {
        case 0:
            return keysOf(rulesFileSchema);
        case 1:
            return first === 'exclusions' ? keysOf(exclusionsSchema) : undefined;
        case 2:
            if (first === 'owners') {
                return keysOf(ownerSchema);
            }
            return first === 'rules' && typeof second === 'number' ? keysOf(ruleSchema) : undefined;
        case 3:
            if (first !== 'rules' || typeof second !== 'number') {
                return undefined;
            }
            if (third === 'when' || third === 'unless') {
                return matcherKeys;
            }
            return third === 'then' ? keysOf(ruleThenSchema) : undefined;
        default:
            return undefined;
    }
}

function isLoopbackHttpUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
    } catch {
        return false;
    }
}

function isHttpsUrl(text: string): boolean {
    if (!/^https:\/\/[^\s/?#]+/i.test(text)) {
        return false;
    }
    try {
        return new URL(text).protocol === 'https:';
    } catch {
        return false;
    }
}

/**
 * Checks that span fields, written against `unknown` because it also runs when the shape is wrong (so one pass
 * reports every problem): unique rule ids, notify names that exist, revokeSessions only with confirmCompromised,
 * no confirmCompromised or dismiss rule that matches everything, no empty `unless`, owners that can be reached,
 * no owner named like the manager keyword, and no rule hidden behind a catch-all.
 */
function checkAcrossFields(value: unknown, ctx: z.RefinementCtx): void {
    if (!isRecord(value)) {
        return;
    }
    const problem = (path: PropertyKey[], message: string, params: RulesIssueParams = {}): void => {
        ctx.addIssue({ code: 'custom', path, message, params, input: undefined });
    };

    const owners = isRecord(value.owners) ? value.owners : {};
    const ownerNames = Object.keys(owners).filter((name) => name !== managerRecipient);
    for (const [name, owner] of Object.entries(owners)) {
        if (name === managerRecipient) {
            problem(
                ['owners', name],
                `"${managerRecipient}" is reserved for the user's manager; choose another owner name`,
            );
        } else if (isRecord(owner) && owner.teams === undefined && owner.email === undefined) {
            problem(['owners', name], 'expected at least one of teams or email');
        }
    }

    const rules = Array.isArray(value.rules) ? (value.rules as unknown[]) : [];
    const firstIndexOfId = new Map<string, number>();
    let catchAll: { index: number; id: string } | undefined;
    for (const [index, rule] of rules.entries()) {
        if (!isRecord(rule)) {
            continue;
        }
        const at = (...rest: PropertyKey[]): PropertyKey[] => ['rules', index, ...rest];
        if (typeof rule.id === 'string') {
            const first = firstIndexOfId.get(rule.id);
            if (first === undefined) {
                firstIndexOfId.set(rule.id, index);
            } else {
                problem(at('id'), `rule ids must be unique (also used by rules[${first}])`, { showValue: true });
            }
        }
        if (catchAll !== undefined) {
            problem(
                at(),
                `never evaluated: rules[${catchAll.index}] "${catchAll.id}" matches every detection before it`,
            );
        }

        const then = isRecord(rule.then) ? rule.then : {};
        const action = then.action;
        if (then.revokeSessions === true && action !== 'confirmCompromised') {
            problem(at('then', 'revokeSessions'), 'revokeSessions applies only to action confirmCompromised');
        }
        if (Array.isArray(then.notify)) {
            for (const [k, name] of (then.notify as unknown[]).entries()) {
                if (typeof name === 'string' && name !== managerRecipient && !ownerNames.includes(name)) {
                    const known = ownerNames.length === 0 ? 'none defined' : ownerNames.join(', ');
                    problem(at('then', 'notify', k), `expected an owner name (${known}) or "${managerRecipient}"`, {
                        showValue: true,
                    });
                }
            }
        }

        const whenIsEmpty = rule.when === undefined || (isRecord(rule.when) && Object.keys(rule.when).length === 0);
        if (whenIsEmpty && (action === 'confirmCompromised' || action === 'dismiss')) {
            problem(
                at('when'),
                `a ${action} rule needs at least one matcher: a rule that ${action === 'dismiss' ? 'dismisses' : 'confirms'} every detection is too dangerous`,
            );
        }
        if (isRecord(rule.unless) && Object.keys(rule.unless).length === 0) {
            problem(at('unless'), 'expected at least one matcher (an empty unless vetoes every detection)');
        }
        // Catch-alls that confirm or dismiss are already errors above; only a valid catch-all hides later rules.
        if (
            catchAll === undefined &&
            whenIsEmpty &&
            rule.unless === undefined &&
            rule.enabled !== false &&
            action === 'none'
        ) {
            catchAll = { index, id: typeof rule.id === 'string' ? rule.id : '?' };
        }
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
