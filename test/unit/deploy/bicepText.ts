/**
 * Just enough of a Bicep reader for the template tests: the Bicep compiler is not available here, so the tests
 * read the templates as text. Comments and strings are respected when matching braces; values are kept as the
 * source text of the expression (`names.riskQueue`, `'PT5M'`, `true`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const infraDir = join(repoRoot, 'infra');

/** Every `.bicep` file under infra/, by path relative to the repo root. */
export function readBicepFiles(): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (directory: string): void => {
        for (const entry of readdirSync(directory, { withFileTypes: true })) {
            const path = join(directory, entry.name);
            if (entry.isDirectory()) {
                walk(path);
            } else if (entry.name.endsWith('.bicep')) {
                files.set(relative(repoRoot, path).split('\\').join('/'), readFileSync(path, 'utf8'));
            }
        }
    };
    walk(infraDir);
    return files;
}

/** The text with comments blanked (same length, so offsets stay valid); strings are left as they are. */
export function withoutComments(text: string): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
        if (text.startsWith("'''", i)) {
            const end = text.indexOf("'''", i + 3);
            const stop = end < 0 ? text.length : end + 3;
            out += text.slice(i, stop);
            i = stop;
        } else if (text[i] === "'") {
            let j = i + 1;
            while (j < text.length && text[j] !== "'") {
                j += text[j] === '\\' ? 2 : 1;
            }
            out += text.slice(i, j + 1);
            i = j + 1;
        } else if (text.startsWith('//', i)) {
            const end = text.indexOf('\n', i);
            const stop = end < 0 ? text.length : end;
            out += ' '.repeat(stop - i);
            i = stop;
        } else if (text.startsWith('/*', i)) {
            const end = text.indexOf('*/', i + 2);
            const stop = end < 0 ? text.length : end + 2;
            out += text.slice(i, stop).replace(/[^\n]/g, ' ');
            i = stop;
        } else {
            out += text[i];
            i++;
        }
    }
    return out;
}

/** The text with the contents of single-quoted strings blanked (quotes kept). Comments must be gone already. */
export function withoutStrings(text: string): string {
    return text.replace(/'(?:[^'\\]|\\.)*'/g, (match) => `'${' '.repeat(match.length - 2)}'`);
}

/** The index just after the bracket that closes the one at `open`, string-aware; -1 when unbalanced. */
export function closingIndex(text: string, open: number): number {
    const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
    const stack: string[] = [];
    const code = withoutStrings(text);
    for (let i = open; i < code.length; i++) {
        const char = code[i] as string;
        if (pairs[char] !== undefined) {
            stack.push(pairs[char]);
        } else if (char === '}' || char === ']' || char === ')') {
            if (stack.pop() !== char) {
                return -1;
            }
            if (stack.length === 0) {
                return i + 1;
            }
        }
    }
    return -1;
}

/** True when every bracket of the (comment-free) text closes in order. */
export function bracketsBalance(text: string): boolean {
    const code = withoutStrings(withoutComments(text));
    const closing: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
    const stack: string[] = [];
    for (const char of code) {
        if (char === '{' || char === '[' || char === '(') {
            stack.push(char);
        } else if (closing[char] !== undefined && stack.pop() !== closing[char]) {
            return false;
        }
    }
    return stack.length === 0;
}

/** The `{ ... }` object text that follows `marker` (e.g. `var appSettings =`), or undefined. */
export function objectAfter(text: string, marker: RegExp): string | undefined {
    const code = withoutComments(text);
    const match = marker.exec(code);
    if (!match) {
        return undefined;
    }
    const open = code.indexOf('{', match.index + match[0].length);
    const close = closingIndex(code, open);
    return open < 0 || close < 0 ? undefined : code.slice(open, close);
}

/** The top-level `key: value` entries of an object text; a value opening `{` or `[` runs to its closing bracket. */
export function entriesOf(objectText: string): Map<string, string> {
    const entries = new Map<string, string>();
    const inner = objectText.slice(1, -1);
    const code = withoutStrings(inner);
    let depth = 0;
    let lineStart = 0;
    let depthAtLineStart = 0;
    for (let i = 0; i <= code.length; i++) {
        const char = code[i];
        if (i === code.length || char === '\n') {
            const line = inner.slice(lineStart, i);
            const match =
                depthAtLineStart === 0 ? /^(\s*)(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))\s*:\s*/.exec(line) : null;
            if (match) {
                const valueStart = lineStart + match[0].length;
                const opener = inner[valueStart];
                const valueEnd = opener === '{' || opener === '[' ? closingIndex(inner, valueStart) : i;
                entries.set(match[2] ?? match[3] ?? '', inner.slice(valueStart, valueEnd < 0 ? i : valueEnd).trim());
            }
            lineStart = i + 1;
            depthAtLineStart = depth;
            continue;
        }
        if (char === '{' || char === '[' || char === '(') {
            depth++;
        } else if (char === '}' || char === ']' || char === ')') {
            depth--;
        }
    }
    return entries;
}

/** The body `{ ... }` of `resource <symbol> '...'` (or `module <symbol> '...'`) in a file. */
export function declarationBody(text: string, kind: 'resource' | 'module', symbol: string): string | undefined {
    return objectAfter(text, new RegExp(`^${kind}\\s+${symbol}\\s+'[^']+'[^=\\n]*=\\s*`, 'm'));
}

/** `param name type = default` declarations: type, the default's source text, and whether it is `@secure()`. */
export function paramsOf(
    text: string,
): Map<string, { type: string; defaultValue: string | undefined; secure: boolean }> {
    const params = new Map<string, { type: string; defaultValue: string | undefined; secure: boolean }>();
    let decorators: string[] = [];
    for (const line of withoutComments(text).split('\n')) {
        const param = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+?))?\s*$/.exec(line);
        if (param) {
            params.set(param[1] as string, {
                type: param[2] as string,
                defaultValue: param[3],
                secure: decorators.some((decorator) => decorator.startsWith('@secure()')),
            });
        }
        if (line.startsWith('@')) {
            decorators.push(line.trim());
        } else if (/^(param|var|resource|module|output|targetScope|type|func|metadata|import)\b/.test(line)) {
            decorators = [];
        }
    }
    return params;
}

/** ISO 8601 duration (`PT5M`, `P14D`, `PT1H30M`) in seconds. */
export function isoDurationSeconds(text: string): number {
    const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
    if (!match || text === 'P' || text === 'PT') {
        throw new Error(`not an ISO 8601 duration: ${text}`);
    }
    const [, days, hours, minutes, seconds] = match;
    return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

/** A quoted Bicep string literal's content, or undefined for any other expression. */
export function stringLiteral(value: string | undefined): string | undefined {
    const match = /^'((?:[^'\\]|\\.)*)'$/.exec(value ?? '');
    return match ? match[1] : undefined;
}
