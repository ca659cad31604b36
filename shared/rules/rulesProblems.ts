import type { z } from 'zod';

import { knownKeysAt, type RulesIssueParams } from './ruleSchema';
import type { DocumentPath } from './substituteSettings';

/**
 * One problem in a rules file, as operators read it: `FILE: path: message`, e.g.
 * `rules.yaml: rules[2].then.action: invalid value "lock"; expected confirmCompromised | dismiss | none`.
 */
export interface RulesProblem {
    /** Where in the document (`rules[2].then.action`, `owners.secops.teams`); empty for the file as a whole. */
    readonly path: string;
    /** What is wrong and what was expected. Never contains a value substituted from an app setting. */
    readonly message: string;
    /** 1-based line of the place in the file, where known. */
    readonly line?: number;
    /** 1-based column of the place in the file, where known. */
    readonly column?: number;
}

/** A problem before it is placed in the file: the raw path is kept to find the line. */
export interface PathProblem {
    readonly segments: DocumentPath;
    readonly message: string;
}

/** What the formatter needs besides the issues. */
export interface IssueContext {
    /** The document that was validated (after substitution), to show offending values. */
    readonly document: unknown;
    /** Formatted paths whose value came from app settings, with the setting names: their values are never shown. */
    readonly secretPaths: ReadonlyMap<string, readonly string[]>;
    /** Formatted paths already reported (e.g. an unset setting), whose schema issues would only repeat it. */
    readonly skipPaths: ReadonlySet<string>;
}

/** `rules[2].then.action`; keys that are not identifiers are quoted: `owners["sec ops"]`. */
export function formatDocumentPath(path: readonly PropertyKey[]): string {
    let out = '';
    for (const segment of path) {
        if (typeof segment === 'number') {
            out += `[${segment}]`;
        } else {
            const key = String(segment);
            if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) {
                out += out === '' ? key : `.${key}`;
            } else {
                out += `[${JSON.stringify(key)}]`;
            }
        }
    }
    return out;
}

/** `FILE: path: message`, or `FILE: line L, column C: message` for a problem without a path. */
export function formatRulesProblem(fileName: string, problem: RulesProblem): string {
    if (problem.path !== '') {
        return `${fileName}: ${problem.path}: ${problem.message}`;
    }
    if (problem.line !== undefined) {
        return `${fileName}: line ${problem.line}, column ${problem.column ?? 1}: ${problem.message}`;
    }
    return `${fileName}: ${problem.message}`;
}

/** Turns zod issues into one problem per place, in words that name what was expected. */
export function describeRulesIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext): PathProblem[] {
    const problems: PathProblem[] = [];
    for (const issue of issues) {
        const segments = issue.path.map((s) => (typeof s === 'number' ? s : String(s)));
        if (context.skipPaths.has(formatDocumentPath(segments))) {
            continue;
        }
        if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) {
                problems.push({
                    segments: [...segments, key],
                    message: describeUnknownKey(key, knownKeysAt(segments)),
                });
            }
            continue;
        }
        problems.push({ segments, message: describeIssue(issue, segments, context) });
    }
    return problems;
}

function describeIssue(issue: z.core.$ZodIssue, segments: DocumentPath, context: IssueContext): string {
    const value = valueAt(context.document, segments);
    const settingNames = context.secretPaths.get(formatDocumentPath(segments));
    const secret = settingNames !== undefined;
    const shown = secret ? `(from app setting ${settingNames.join(', ')})` : display(value);
    switch (issue.code) {
        case 'invalid_type': {
            if (value === undefined) {
                return 'required';
            }
            let message = `expected ${noun(issue.expected)}, got ${nounOf(value)}`;
            if (issue.expected === 'array' && !secret && isScalar(value)) {
                message += ` (write [${String(value)}])`;
            } else if (issue.expected === 'object' && value === null) {
                message += ' (write {} for an empty mapping)';
            }
            return message;
        }
        case 'invalid_value': {
            const expected = issue.values.map((v) => String(v)).join(' | ');
            return value === undefined
                ? `required; expected ${expected}`
                : `invalid value ${shown}; expected ${expected}`;
        }
        case 'invalid_key':
            return `invalid key; ${issue.issues.map((i) => i.message).join('; ')}`;
        case 'invalid_format':
        case 'custom': {
            const params: RulesIssueParams = (issue.code === 'custom' ? issue.params : undefined) ?? {};
            const showValue = (issue.code === 'invalid_format' || params.showValue === true) && isScalar(value);
            let message = showValue ? `invalid value ${shown}; ${issue.message}` : issue.message;
            if (params.hint !== undefined && !secret) {
                message += `; ${params.hint}`;
            }
            return message;
        }
        default:
            return issue.message;
    }
}

function describeUnknownKey(key: string, known: readonly string[] | undefined): string {
    if (known === undefined) {
        return 'unknown key';
    }
    const close = known.find(
        (k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= Math.max(1, Math.floor(k.length / 4)),
    );
    const suggestion = close === undefined ? '' : ` (did you mean "${close}"?)`;
    return `unknown key${suggestion}; expected one of: ${known.join(', ')}`;
}

function valueAt(document: unknown, path: DocumentPath): unknown {
    let node = document;
    for (const segment of path) {
        if (typeof node !== 'object' || node === null) {
            return undefined;
        }
        node = Object.prototype.hasOwnProperty.call(node, segment)
            ? (node as Record<string, unknown>)[segment]
            : undefined;
    }
    return node;
}

function isScalar(value: unknown): value is string | number | boolean {
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function display(value: unknown): string {
    if (typeof value === 'string') {
        const shortened = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shortened);
    }
    return isScalar(value) ? String(value) : nounOf(value);
}

function noun(expected: string): string {
    switch (expected) {
        case 'array':
            return 'a list';
        case 'object':
            return 'a mapping (key: value)';
        case 'boolean':
            return 'true or false';
        default:
            return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
    }
}

function nounOf(value: unknown): string {
    if (value === null) {
        return 'an empty value';
    }
    if (Array.isArray(value)) {
        return 'a list';
    }
    return typeof value === 'object' ? 'a mapping' : noun(typeof value);
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length] ?? 0;
}

/** The structured problems of a `rules.invalid` error (from this or another copy of the package), else undefined. */
export function getRulesProblems(error: unknown): readonly RulesProblem[] | undefined {
    if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 'rules.invalid') {
        return undefined;
    }
    const problems = (error as { problems?: unknown }).problems;
    return Array.isArray(problems) ? (problems as RulesProblem[]) : undefined;
}
