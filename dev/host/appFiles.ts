import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Finding the app's entry files as the Node.js worker does: the `main` field of package.json, a path or a glob,
 * relative to the app root (the folder holding host.json and package.json).
 */

/** The nearest folder at or above `from` that holds both host.json and package.json. */
export function findAppRoot(from: string): string {
    for (let folder = from; ; folder = dirname(folder)) {
        if (existsSync(join(folder, 'host.json')) && existsSync(join(folder, 'package.json'))) {
            return folder;
        }
        if (dirname(folder) === folder) {
            throw new Error(`No function app (host.json next to package.json) at or above ${from}`);
        }
    }
}

/** The `main` field of the app's package.json. */
export async function readPackageMain(appRoot: string): Promise<string> {
    const file = join(appRoot, 'package.json');
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { main?: unknown };
    if (typeof parsed.main !== 'string' || parsed.main.trim() === '') {
        throw new Error(`${file} has no "main" field: the host cannot find the function files`);
    }
    return parsed.main;
}

/**
 * The TypeScript sources of a compiled entry glob: `dist/functions/*.js` becomes `functions/*.ts` (tsconfig
 * `rootDir: "."`, `outDir: "dist"`). Used when the host runs from sources through a transpile-on-require hook.
 */
export function sourceGlobOf(mainGlob: string, outDir = 'dist'): string {
    const normalized = mainGlob.replace(/^\.\//, '');
    const withoutOutDir = normalized.startsWith(`${outDir}/`) ? normalized.slice(outDir.length + 1) : normalized;
    return withoutOutDir.replace(/\.js(?=$|[,}])/g, '.ts');
}

/**
 * Files under `root` matching `pattern` (forward slashes): `*` and `?` within a path segment, `**` across
 * segments, `{a,b}` alternatives. Sorted, absolute paths; `node_modules` is never entered by `**`.
 */
export async function globFiles(root: string, pattern: string): Promise<string[]> {
    const found = new Set<string>();
    for (const alternative of expandBraces(pattern.replace(/^\.\//, ''))) {
        const segments = alternative.split('/').filter((segment) => segment !== '' && segment !== '.');
        for (const file of await walk(root, segments)) {
            found.add(file);
        }
    }
    return [...found].sort();
}

function expandBraces(pattern: string): string[] {
    const match = /\{([^{}]*)\}/.exec(pattern);
    if (!match) {
        return [pattern];
    }
    const [whole, inner] = match;
    return (inner ?? '')
        .split(',')
        .flatMap((choice) => expandBraces(pattern.replace(whole, choice)));
}

function segmentRegex(segment: string): RegExp {
    const body = segment
        .split('')
        .map((char) => (char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
    return new RegExp(`^${body}$`);
}

async function walk(folder: string, segments: readonly string[]): Promise<string[]> {
    const [segment, ...rest] = segments;
    if (segment === undefined) {
        return [];
    }
    let entries: Array<{ name: string; isDirectory(): boolean; isFile(): boolean }>;
    try {
        entries = await readdir(folder, { withFileTypes: true });
    } catch {
        return [];
    }
    if (segment === '**') {
        const here = await walk(folder, rest);
        const deeper = await Promise.all(
            entries
                .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
                .map((entry) => walk(join(folder, entry.name), segments)),
        );
        return [...here, ...deeper.flat()];
    }
    const regex = segmentRegex(segment);
    const matches = entries.filter((entry) => regex.test(entry.name));
    if (rest.length === 0) {
        return matches.filter((entry) => entry.isFile()).map((entry) => join(folder, entry.name));
    }
    const nested = await Promise.all(
        matches.filter((entry) => entry.isDirectory()).map((entry) => walk(join(folder, entry.name), rest)),
    );
    return nested.flat();
}

/** `path` relative to `root`, with forward slashes, for messages. */
export function displayPath(root: string, path: string): string {
    return relative(root, path).split(sep).join('/');
}
