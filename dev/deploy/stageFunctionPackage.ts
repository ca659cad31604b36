/**
 * Builds the folder `azd deploy` zips for the Function App (azure.yaml `dist`), from the project root:
 *
 * 1. every file `.funcignore` keeps (gitignore syntax), minus what must never ship (`node_modules`, `.git`, the
 *    azd environment folder `.azure` with its `.env`, local state) and minus the output folder itself;
 * 2. the rules file the app will load (RULES_FILE, default `rules.yaml`) must be among them, and must be valid
 *    (`${NAME}` placeholders are filled on Azure from app settings, so here they get a stand-in);
 * 3. production dependencies only, installed from the lock file (`npm ci --omit=dev --ignore-scripts`).
 *
 * The root `node_modules` holds the dev tools too (TypeScript, Jest, Azurite, ESLint, about 420 MB); shipping
 * them would slow every cold start and deploy code that never runs. Run after `npm ci && npm run build`:
 *
 *     node dist/dev/deploy/stageFunctionPackage.js --out dist/azure-package [--rules rules.yaml] [--no-install]
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs, promisify } from 'node:util';

import { loadRulesFile } from '../../shared/rules/loadRules';

/** One line of an ignore file. */
export interface IgnoreRule {
    readonly pattern: string;
    readonly negated: boolean;
    readonly directoryOnly: boolean;
    readonly regExp: RegExp;
}

/** Paths never packaged, whatever `.funcignore` says: dependencies are installed fresh; the rest is local or secret. */
export const alwaysExcluded: readonly string[] = ['node_modules', '.git', '.azure', '.state', '.azurite', 'coverage'];

/** Parses gitignore-style text: `#` comments, `!` negation, trailing `/` for directories, `*`, `?`, `**`. */
export function parseIgnoreFile(text: string): IgnoreRule[] {
    const rules: IgnoreRule[] = [];
    for (const rawLine of text.split(/\r?\n/)) {
        let line = rawLine.replace(/(?<!\\)\s+$/, '');
        if (line === '' || line.startsWith('#')) {
            continue;
        }
        const negated = line.startsWith('!');
        if (negated) {
            line = line.slice(1);
        }
        const directoryOnly = line.endsWith('/');
        if (directoryOnly) {
            line = line.slice(0, -1);
        }
        // A slash at the start or in the middle anchors the pattern to the root; otherwise it matches at any depth.
        const anchored = line.includes('/');
        const body = line.startsWith('/') ? line.slice(1) : line;
        const source = globToRegExpSource(body);
        rules.push({
            pattern: rawLine.trim(),
            negated,
            directoryOnly,
            regExp: new RegExp(anchored ? `^${source}$` : `^(?:.*/)?${source}$`),
        });
    }
    return rules;
}

function globToRegExpSource(glob: string): string {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
        const char = glob.charAt(i);
        if (char === '*' && glob.charAt(i + 1) === '*') {
            const slashAfter = glob.charAt(i + 2) === '/';
            out += slashAfter ? '(?:.*/)?' : '.*';
            i += slashAfter ? 2 : 1;
        } else if (char === '*') {
            out += '[^/]*';
        } else if (char === '?') {
            out += '[^/]';
        } else if (char === '\\' && i + 1 < glob.length) {
            out += escapeRegExp(glob.charAt(i + 1));
            i++;
        } else {
            out += escapeRegExp(char);
        }
    }
    return out;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Whether the last rule matching `path` (relative, `/`-separated) excludes it. */
export function isIgnored(path: string, isDirectory: boolean, rules: readonly IgnoreRule[]): boolean {
    let ignored = false;
    for (const rule of rules) {
        if (rule.directoryOnly && !isDirectory) {
            continue;
        }
        if (rule.regExp.test(path)) {
            ignored = !rule.negated;
        }
    }
    return ignored;
}

/** The files under `root` the package keeps, relative and `/`-separated, sorted. An excluded folder is not entered. */
export async function selectPackageFiles(
    root: string,
    rules: readonly IgnoreRule[],
    skip: readonly string[] = [],
): Promise<string[]> {
    const skipped = new Set([...alwaysExcluded, ...skip]);
    const files: string[] = [];
    const walk = async (directory: string): Promise<void> => {
        const entries = await readdir(directory, { withFileTypes: true });
        for (const entry of entries) {
            const absolute = join(directory, entry.name);
            const path = relative(root, absolute).split(sep).join('/');
            if (skipped.has(path) || (entry.isDirectory() && skipped.has(entry.name))) {
                continue;
            }
            if (entry.isDirectory()) {
                if (!isIgnored(path, true, rules)) {
                    await walk(absolute);
                }
            } else if (entry.isFile() && !isIgnored(path, false, rules)) {
                files.push(path);
            }
        }
    };
    await walk(root);
    return files.sort();
}

export interface StageOptions {
    /** The project root (package.json, host.json, .funcignore). */
    readonly root: string;
    /** The folder to build; emptied first. Must not be the root. */
    readonly outDir: string;
    /** The rules file the app loads (RULES_FILE), relative to the app root; checked when relative. */
    readonly rulesFile: string;
    /** Install production dependencies into the folder (default true). */
    readonly install?: boolean;
    /** App settings for `${NAME}` placeholders of the rules file; unset ones get a stand-in. */
    readonly settings?: Readonly<Record<string, string | undefined>>;
}

export interface StageResult {
    readonly files: readonly string[];
    readonly bytes: number;
}

/** Builds the package folder; throws with a message naming what is missing or invalid. */
export async function stageFunctionPackage(options: StageOptions): Promise<StageResult> {
    const root = resolve(options.root);
    const outDir = resolve(options.outDir);
    const outRelative = relative(root, outDir).split(sep).join('/');
    if (outRelative === '' || outRelative.startsWith('..')) {
        throw new Error(`--out must be a folder inside the project, not ${outDir}`);
    }
    const ignoreText = await readFile(join(root, '.funcignore'), 'utf8').catch(() => '');
    const files = await selectPackageFiles(root, parseIgnoreFile(ignoreText), [outRelative]);

    for (const required of ['host.json', 'package.json', 'package-lock.json']) {
        if (!files.includes(required)) {
            throw new Error(`${required} is missing from the package (check .funcignore)`);
        }
    }
    const main = await mainEntry(root);
    if (!files.some((file) => main.test(file))) {
        throw new Error('no compiled function entry point matches package.json "main": run `npm run build` first');
    }
    if (!isAbsolute(options.rulesFile)) {
        const rulesPath = options.rulesFile.replace(/^\.\//, '');
        if (!files.includes(rulesPath)) {
            throw new Error(
                `the rules file ${rulesPath} (RULES_FILE) is not in the package: copy rules.sample.yaml to ${rulesPath}, adapt it and check it with \`risk-responder validate-rules ${rulesPath}\``,
            );
        }
        await loadRulesFile(join(root, rulesPath), withStandIns(options.settings ?? {}));
    }

    await rm(outDir, { recursive: true, force: true });
    let bytes = 0;
    for (const file of files) {
        const target = join(outDir, file);
        await mkdir(join(target, '..'), { recursive: true });
        await copyFile(join(root, file), target);
        bytes += (await stat(target)).size;
    }
    if (options.install ?? true) {
        await promisify(execFile)(
            process.platform === 'win32' ? 'npm.cmd' : 'npm',
            ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
            { cwd: outDir, shell: process.platform === 'win32' },
        );
    }
    return { files, bytes };
}

/** package.json `main` (a glob such as `dist/functions/*.js`) as a path pattern. */
async function mainEntry(root: string): Promise<RegExp> {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { main?: unknown };
    const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
    return new RegExp(`^${globToRegExpSource(main.replace(/^\.\//, ''))}$`);
}

/** Settings for placeholder substitution where unset ones read as an https URL: the file's shape is what is checked. */
function withStandIns(settings: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> {
    return new Proxy(settings, {
        get: (target, name) =>
            typeof name === 'string' ? target[name] || 'https://placeholder.invalid/unset' : undefined,
    }) as Readonly<Record<string, string>>;
}

async function runFromCommandLine(): Promise<void> {
    const { values } = parseArgs({
        options: {
            out: { type: 'string', default: 'dist/azure-package' },
            rules: { type: 'string' },
            root: { type: 'string', default: '.' },
            'no-install': { type: 'boolean', default: false },
        },
        strict: true,
    });
    const rulesFile = values.rules ?? process.env.RULES_FILE ?? 'rules.yaml';
    const result = await stageFunctionPackage({
        root: values.root,
        outDir: values.out,
        rulesFile,
        install: !values['no-install'],
    });
    process.stdout.write(
        `staged ${result.files.length} files (${(result.bytes / 1024).toFixed(0)} KiB before dependencies) in ${values.out}, rules file ${rulesFile}\n`,
    );
}

if (require.main === module) {
    runFromCommandLine().catch((error: unknown) => {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
