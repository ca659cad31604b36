import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

import { AppError } from '../errors';
import { rulesFileSchema, type RulesFile } from './ruleSchema';
import { formatRulesJsonSchema } from './rulesJsonSchema';
import {
    describeRulesIssues,
    formatDocumentPath,
    formatRulesProblem,
    type PathProblem,
    type RulesProblem,
} from './rulesProblems';
import { substituteSettings, type DocumentPath } from './substituteSettings';

export { formatRulesProblem, getRulesProblems, type RulesProblem } from './rulesProblems';

/** How to read a rules text. */
export interface ParseRulesOptions {
    /** The name used in messages and to pick the syntax: `.json` reads strict JSON, anything else YAML 1.2. */
    readonly fileName: string;
    /** App settings for `${NAME}` placeholders (usually the typed settings' raw map). Values are secrets. */
    readonly settings: Readonly<Record<string, string | undefined>>;
}

/**
 * The rules file is invalid: code `rules.invalid`, not retryable (design R7: no action at all until it is fixed;
 * intake keeps running). The message has one line per problem, `FILE: path.in.document: problem`; `problems`
 * holds the same list structured, in document order. Branch on `code` and read the list with `getRulesProblems`.
 */
export class RulesValidationError extends AppError {
    constructor(
        readonly fileName: string,
        readonly problems: readonly RulesProblem[],
        options?: { cause?: unknown },
    ) {
        super('rules.invalid', problems.map((p) => formatRulesProblem(fileName, p)).join('\n'), false, options);
        this.name = 'RulesValidationError';
    }
}

/**
 * Parses and validates a rules file: syntax (YAML 1.2, or strict JSON for `.json`; JSON is also valid YAML), then
 * `${NAME}` substitution in string values, then the schema. Every problem found is reported at once.
 *
 * @throws RulesValidationError (`rules.invalid`) listing every problem; substituted values never appear in it
 */
export function parseRulesText(text: string, options: ParseRulesOptions): RulesFile {
    const { fileName, settings } = options;
    const isJson = fileName.toLowerCase().endsWith('.json');
    const lineCounter = new LineCounter();
    const document = parseDocument(text, {
        lineCounter,
        prettyErrors: false,
        uniqueKeys: true,
        schema: isJson ? 'json' : 'core',
    });
    const position = (offset: number): { line: number; column: number } => {
        const { line, col } = lineCounter.linePos(offset);
        return { line, column: col };
    };

    if (document.errors.length > 0) {
        const syntax = isJson ? 'JSON' : 'YAML';
        throw new RulesValidationError(
            fileName,
            document.errors.map((e) => ({
                path: '',
                message: `${syntax} syntax error: ${e.message}`,
                ...position(e.pos[0]),
            })),
        );
    }

    let parsed: unknown;
    try {
        parsed = document.toJS();
    } catch (error) {
        // e.g. too many aliases (a resource-exhaustion guard of the yaml package)
        const message = error instanceof Error ? error.message : 'unreadable document';
        throw new RulesValidationError(fileName, [{ path: '', message: `cannot read the document: ${message}` }], {
            cause: error,
        });
    }
    if (parsed === null || parsed === undefined) {
        throw new RulesValidationError(fileName, [
            { path: '', message: 'the file is empty; expected a rules file (version: 1, rules: [...])' },
        ]);
    }

    const substituted = substituteSettings(parsed, settings);
    const result = rulesFileSchema.safeParse(substituted.value);
    const pathProblems: PathProblem[] = [
        ...substituted.problems.map((p) => ({ segments: p.path, message: p.message })),
        ...(result.success
            ? []
            : describeRulesIssues(result.error.issues, {
                  document: substituted.value,
                  secretPaths: new Map(
                      substituted.substitutions.map((s) => [formatDocumentPath(s.path), s.settingNames]),
                  ),
                  skipPaths: new Set(substituted.problems.map((p) => formatDocumentPath(p.path))),
              })),
    ];
    if (pathProblems.length === 0 && result.success) {
        return result.data;
    }

    const located = pathProblems.map((p, order) => {
        const offset = locate(document.contents, p.segments);
        return {
            order,
            problem: {
                path: formatDocumentPath(p.segments),
                message: scrub(p.message, substituted.secrets),
                ...(offset === undefined ? {} : position(offset)),
            } satisfies RulesProblem,
        };
    });
    located.sort((a, b) => (a.problem.line ?? 0) - (b.problem.line ?? 0) || a.order - b.order);
    throw new RulesValidationError(fileName, dedupe(located.map((l) => l.problem)));
}

/**
 * Reads and validates the rules file at `path` (named as given in messages).
 *
 * @throws RulesValidationError (`rules.invalid`) when the file cannot be read or is invalid
 */
export async function loadRulesFile(
    path: string,
    settings: Readonly<Record<string, string | undefined>>,
): Promise<RulesFile> {
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
        const code = (error as { code?: unknown }).code;
        const why = typeof code === 'string' ? code : 'unreadable';
        throw new RulesValidationError(path, [{ path: '', message: `cannot read the rules file (${why})` }], {
            cause: error,
        });
    }
    return parseRulesText(text, { fileName: path, settings });
}

/**
 * Writes the JSON Schema of the rules file to `path` (normally `schemas/rules.schema.json`). The only other I/O of
 * the rules folder, so it lives beside the loader; the CLI wires it as `risk-responder rules-schema`.
 */
export async function writeRulesJsonSchema(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatRulesJsonSchema(), 'utf8');
}

/** The offset of the node at `path` (the key for a mapping entry), or of the nearest ancestor that exists. */
function locate(root: unknown, path: DocumentPath): number | undefined {
    let node: unknown = root;
    let offset = rangeStart(root);
    for (const segment of path) {
        if (isAlias(node) || !(isMap(node) || isSeq(node))) {
            break;
        }
        if (isMap(node)) {
            const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
            if (pair === undefined) {
                break;
            }
            offset = rangeStart(pair.key) ?? offset;
            node = pair.value;
        } else {
            const item: unknown = typeof segment === 'number' ? node.items[segment] : undefined;
            if (item === undefined) {
                break;
            }
            offset = rangeStart(item) ?? offset;
            node = item;
        }
    }
    return offset;
}

function rangeStart(node: unknown): number | undefined {
    const range = (node as Partial<Node> | null | undefined)?.range;
    return range === undefined || range === null ? undefined : range[0];
}

/**
 * Last line of defence: a substituted value never leaves in a message, whatever produced the message. Values under
 * 4 characters are left alone (they would mangle ordinary words); the formatter already never shows a value at a
 * substituted path, which is what keeps those out.
 */
function scrub(message: string, secrets: readonly string[]): string {
    let out = message;
    for (const secret of secrets) {
        if (secret.length >= 4) {
            out = out.split(secret).join('[redacted]');
        }
    }
    return out;
}

function dedupe(problems: readonly RulesProblem[]): RulesProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const key = `${p.path}\u0000${p.message}`;
        if (seen.has(key)) {
            return false;
        }
        seen.add(key);
        return true;
    });
}
