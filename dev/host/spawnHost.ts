import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { readPackageMain, sourceGlobOf } from './appFiles';
import type { HostEvent, IndexedFunctionSummary } from './hostEvents';
import type { ChildMessage, HostProcessStartOptions, ParentMessage } from './hostProcess';
import type { HostLogEntry } from './invoker';

/**
 * Runs the local host in a child process, as Azure runs the worker beside its host: the environment given is the
 * app settings, logs and events come back over IPC, and the process can be stopped cleanly or killed outright
 * (the fault tests kill it mid-batch).
 *
 * From compiled code (`npm start`) the child runs `dist/dev/host/hostProcess.js` and loads the files package.json
 * `main` names (`dist/functions/*.js`). From TypeScript sources (the tests, under ts-jest) there is no compiled
 * code to run, so the child installs a transpile-on-require hook (`typescript.transpileModule`, the same
 * isolated-module transpilation ts-jest uses) and loads the sources of the same glob (`functions/*.ts`).
 */

export interface SpawnHostOptions {
    /** The function app folder (host.json, package.json). */
    appRoot: string;
    /** The app settings: the child's whole environment (PATH and the like are added). */
    settings: Readonly<Record<string, string | undefined>>;
    /** Entry files glob; default package.json `main` (its TypeScript sources when running from sources). */
    functionFiles?: string;
    runTimersAtStart?: boolean;
    scheduleStatusDir?: string;
    stopGraceMs?: number;
    onLog?: (entry: HostLogEntry) => void;
    onEvent?: (event: HostEvent) => void;
    /** Lines the child writes to stdout/stderr outside the host's logging (a library's console output). */
    onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
    /** How long to wait for the host to report `started`. Default 60 s. */
    startTimeoutMs?: number;
}

export interface HostProcess {
    readonly pid: number;
    /** Every event so far, in order. */
    readonly events: readonly HostEvent[];
    /** Resolves with the first event (past or future) that matches; rejects on timeout or exit. */
    waitForEvent<E extends HostEvent>(predicate: (event: HostEvent) => event is E, timeoutMs: number): Promise<E>;
    waitForEvent(predicate: (event: HostEvent) => boolean, timeoutMs: number): Promise<HostEvent>;
    /** Asks for a clean stop and waits for the exit. */
    stop(): Promise<void>;
    /** SIGKILL: no clean-up at all, as when an instance dies. */
    kill(): Promise<void>;
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runningFromSources = __filename.endsWith('.ts');

/**
 * The `-e` program of a child running from sources: the transpile hook, then the host entry point. Output is
 * cached on disk by file content, so only the first child after a change pays for loading TypeScript.
 */
function sourceBootstrap(entry: string): string {
    const typescript = require.resolve('typescript');
    const cacheDir = join(tmpdir(), `risk-responder-host-ts-${createHash('sha256').update(typescript).digest('hex').slice(0, 12)}`);
    return [
        `const fs = require('node:fs');`,
        `const path = require('node:path');`,
        `const crypto = require('node:crypto');`,
        `const cacheDir = ${JSON.stringify(cacheDir)};`,
        `let ts;`,
        `require.extensions['.ts'] = (module, filename) => {`,
        `  const source = fs.readFileSync(filename, 'utf8');`,
        `  const key = crypto.createHash('sha256').update(filename).update('\\0').update(source).digest('hex');`,
        `  const cached = path.join(cacheDir, key + '.js');`,
        `  let output;`,
        `  try { output = fs.readFileSync(cached, 'utf8'); } catch {`,
        `    ts ??= require(${JSON.stringify(typescript)});`,
        `    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,`,
        `      resolveJsonModule: true, inlineSourceMap: true, inlineSources: true };`,
        `    output = ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;`,
        `    fs.mkdirSync(cacheDir, { recursive: true });`,
        `    const temporary = cached + '.' + process.pid + '.tmp';`,
        `    fs.writeFileSync(temporary, output);`,
        `    fs.renameSync(temporary, cached);`,
        `  }`,
        `  module._compile(output, filename);`,
        `};`,
        // Node16 sources name their relative imports `./x.js`; from sources that file is `./x.ts`.
        `const Module = require('node:module');`,
        `const resolve = Module._resolveFilename;`,
        `Module._resolveFilename = function (request, ...rest) {`,
        `  try { return resolve.call(this, request, ...rest); } catch (error) {`,
        `    if (/^\\.\\.?\\//.test(request) && request.endsWith('.js')) { return resolve.call(this, request.slice(0, -3) + '.ts', ...rest); }`,
        `    throw error;`,
        `  }`,
        `};`,
        `require(${JSON.stringify(entry)}).runHostProcess();`,
    ].join('\n');
}

function childArguments(): string[] {
    if (runningFromSources) {
        return ['--enable-source-maps', '-e', sourceBootstrap(join(__dirname, 'hostProcess.ts'))];
    }
    return ['--enable-source-maps', join(__dirname, 'hostProcess.js')];
}

async function functionFilesFor(options: SpawnHostOptions): Promise<string | undefined> {
    if (options.functionFiles !== undefined || !runningFromSources) {
        return options.functionFiles;
    }
    return sourceGlobOf(await readPackageMain(options.appRoot));
}

function startChild(options: SpawnHostOptions, onMessage: (message: ChildMessage) => void): ChildProcess {
    const env: Record<string, string> = {};
    for (const key of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT', 'LANG']) {
        const value = process.env[key];
        if (value !== undefined) {
            env[key] = value;
        }
    }
    for (const [key, value] of Object.entries(options.settings)) {
        if (value !== undefined) {
            env[key] = value;
        }
    }
    const child = spawn(process.execPath, childArguments(), {
        cwd: options.appRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
    });
    child.on('message', (message: ChildMessage) => onMessage(message));
    for (const stream of ['stdout', 'stderr'] as const) {
        const readable = child[stream];
        if (readable) {
            createInterface({ input: readable }).on('line', (line) => options.onOutput?.(line, stream));
        }
    }
    return child;
}

/** Starts the host in a child process and resolves once every listener runs. */
export async function spawnHostProcess(options: SpawnHostOptions): Promise<HostProcess> {
    const events: HostEvent[] = [];
    const waiters = new Set<{ predicate: (event: HostEvent) => boolean; resolve: (event: HostEvent) => void }>();
    let failure: string | undefined;
    const child = startChild(options, (message) => {
        if (message.type === 'log') {
            options.onLog?.(message.entry);
        } else if (message.type === 'event') {
            events.push(message.event);
            options.onEvent?.(message.event);
            for (const waiter of [...waiters]) {
                if (waiter.predicate(message.event)) {
                    waiters.delete(waiter);
                    waiter.resolve(message.event);
                }
            }
        } else if (message.type === 'failed') {
            failure = message.message;
        }
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const startOptions: HostProcessStartOptions = {
        mode: 'run',
        appRoot: options.appRoot,
        ...definedOnly({
            functionFiles: await functionFilesFor(options),
            runTimersAtStart: options.runTimersAtStart,
            scheduleStatusDir: options.scheduleStatusDir,
            stopGraceMs: options.stopGraceMs,
        }),
    };
    child.send({ type: 'start', options: startOptions } satisfies ParentMessage);

    const waitForEvent = (predicate: (event: HostEvent) => boolean, timeoutMs: number): Promise<HostEvent> => {
        const past = events.find(predicate);
        if (past) {
            return Promise.resolve(past);
        }
        return new Promise<HostEvent>((resolve, reject) => {
            const waiter = {
                predicate,
                resolve: (event: HostEvent) => {
                    clearTimeout(timer);
                    resolve(event);
                },
            };
            const timer = setTimeout(() => {
                waiters.delete(waiter);
                reject(new Error(`local host: no matching event within ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(waiter);
            void exited.then(({ code, signal }) => {
                if (waiters.delete(waiter)) {
                    clearTimeout(timer);
                    reject(new Error(`local host exited (${signal ?? code ?? '?'})${failure ? `: ${failure}` : ''}`));
                }
            });
        });
    };

    try {
        await waitForEvent((event) => event.kind === 'started', options.startTimeoutMs ?? 60_000);
    } catch (error) {
        child.kill('SIGKILL');
        throw error;
    }

    let stopping: Promise<void> | undefined;
    return {
        pid: child.pid ?? -1,
        events,
        waitForEvent,
        exited,
        stop: () => {
            stopping ??= (async () => {
                if (child.exitCode === null && child.signalCode === null) {
                    if (child.connected) {
                        child.send({ type: 'stop' } satisfies ParentMessage);
                    } else {
                        child.kill('SIGTERM');
                    }
                }
                await exited;
            })();
            return stopping;
        },
        kill: async () => {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGKILL');
            }
            await exited;
        },
    };
}

/**
 * Loads the app in a child process and returns what each function registered, as Azure's host would index it
 * (`risk-responder start` prints it; the registration test checks it). Nothing is started.
 */
export async function indexFunctionApp(
    options: Pick<SpawnHostOptions, 'appRoot' | 'settings' | 'functionFiles' | 'onLog'>,
): Promise<{ functions: IndexedFunctionSummary[]; errors: Array<{ functionName: string; message: string }> }> {
    let result: { functions: IndexedFunctionSummary[]; errors: Array<{ functionName: string; message: string }> } | undefined;
    let failure: string | undefined;
    const output: string[] = [];
    const child = startChild({ ...options, onOutput: (line) => output.push(line) }, (message) => {
        if (message.type === 'indexed') {
            result = { functions: message.functions, errors: message.errors };
        } else if (message.type === 'failed') {
            failure = message.message;
        } else if (message.type === 'log') {
            options.onLog?.(message.entry);
        }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const startOptions: HostProcessStartOptions = {
        mode: 'index',
        appRoot: options.appRoot,
        ...definedOnly({ functionFiles: await functionFilesFor(options) }),
    };
    child.send({ type: 'start', options: startOptions } satisfies ParentMessage);
    const code = await exited;
    if (!result) {
        throw new Error(
            `indexing the function app failed (exit ${code ?? '?'}): ${failure ?? output.slice(-20).join('\n')}`,
        );
    }
    return result;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
