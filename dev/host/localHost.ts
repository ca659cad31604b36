import { createRequire } from 'node:module';
import { join } from 'node:path';

import { displayPath, findAppRoot, globFiles, readPackageMain } from './appFiles';
import { type AppSettings, resolveBinding } from './bindingExpressions';
import type { RpcBindingInfo, RpcFunctionMetadata } from './coreApi';
import { createFunctionsCore, type FunctionsCoreRegistry, type RegisteredFunction } from './functionsCore';
import type { HostEventSink, IndexedFunctionSummary } from './hostEvents';
import { type HostJson, readHostJson } from './hostJson';
import { installFunctionsCoreModule } from './installCoreModule';
import { FunctionInvoker, type HostLogger, type IndexedFunction } from './invoker';
import { resolveServiceBusConnection, ServiceBusClients, ServiceBusTriggerListener } from './serviceBusTrigger';
import { ScheduleStatusStore, TimerTriggerListener } from './timerTrigger';

/**
 * A local Azure Functions host for this app: it loads the files `package.json` `main` names, with a stand-in for
 * `@azure/functions-core` in place, so `@azure/functions` registers each function with the metadata Azure's host
 * would index; it resolves `%SETTING%` expressions from the environment (the app settings), starts a listener per
 * trigger (timer, Service Bus queue) and drives invocations through the library's own invocation model.
 * App settings are `process.env`, as for the Node.js worker in Azure.
 */

export interface LocalHostOptions {
    /** The function app folder (host.json, package.json). Default: found at or above the working directory. */
    appRoot?: string;
    /** Glob of the entry files, relative to the app root. Default: package.json `main`. */
    functionFiles?: string;
    /** Run every timer function once at start, besides its schedule. Default true (local convenience). */
    runTimersAtStart?: boolean;
    /** Folder for the timer schedule monitor's status; memory only when absent. */
    scheduleStatusDir?: string;
    /** How long stop() waits for running invocations before abandoning their messages. Default 10 s. */
    stopGraceMs?: number;
    /** Receives the host's, the library's and the functions' log lines. Default: nothing. */
    log?: HostLogger;
    /** Receives structured host events. */
    onEvent?: HostEventSink;
}

/** The loaded app: what registered, and how the host indexed it. */
export interface LoadedFunctionApp {
    readonly appRoot: string;
    readonly hostJson: HostJson;
    readonly registry: FunctionsCoreRegistry;
    readonly functions: readonly IndexedFunction[];
    readonly summaries: readonly IndexedFunctionSummary[];
    /** Functions that cannot run, with the reason (the host shows them as "in error"). */
    readonly errors: ReadonlyArray<{ functionName: string; message: string }>;
}

export interface LocalHost {
    readonly app: LoadedFunctionApp;
    /** Stops listening, lets running invocations finish (or abandons their messages), closes every client. */
    stop(): Promise<void>;
}

/**
 * Loads the app's entry files with the `@azure/functions-core` stand-in installed and indexes the registrations.
 * Call it once per process: `@azure/functions` caches the core module on first use.
 */
export async function loadFunctionApp(options: LocalHostOptions = {}): Promise<LoadedFunctionApp> {
    const settings: AppSettings = process.env;
    const appRoot = options.appRoot ?? findAppRoot(process.cwd());
    const log = options.log ?? (() => undefined);
    const hostJson = await readHostJson(appRoot, settings);
    const registry = createFunctionsCore((level, category, message) =>
        log({ time: new Date(), level, category, message }),
    );
    installFunctionsCoreModule(registry.module);

    const pattern = options.functionFiles ?? (await readPackageMain(appRoot));
    const files = await globFiles(appRoot, pattern);
    if (files.length === 0) {
        throw new Error(`No function files match "${pattern}" under ${appRoot} (package.json main); build the app first`);
    }
    const loadModule = createRequire(join(appRoot, 'package.json'));
    for (const file of files) {
        registry.loadingFile = file;
        try {
            loadModule(file);
        } catch (error) {
            // The worker reports the file and goes on with the others.
            log({
                time: new Date(),
                level: 'error',
                category: 'host',
                message: `Worker was unable to load entry point "${displayPath(appRoot, file)}": ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            });
        }
    }
    registry.loadingFile = '';
    const model = registry.programmingModel();
    // The worker asks for capabilities once the entry points are loaded; the library locks app.setup() then.
    await model?.getCapabilities?.({});

    const functions: IndexedFunction[] = [];
    const summaries: IndexedFunctionSummary[] = [];
    const errors: Array<{ functionName: string; message: string }> = [];
    const enabled = hostJson.functions?.map((name) => name.toLowerCase());
    for (const registered of registry.functions) {
        const name = registered.metadata.name;
        const rpcMetadata = toRpcMetadata(registered, appRoot);
        const triggerEntry = Object.entries(registered.metadata.bindings).find(
            ([, binding]) => binding.direction === 'in' && /trigger$/i.test(binding.type ?? ''),
        );
        const summary: IndexedFunctionSummary = {
            name,
            scriptFile: displayPath(appRoot, registered.scriptFile),
            triggerType: triggerEntry?.[1].type ?? '(none)',
            registeredTrigger: triggerEntry ? jsonCopy(triggerEntry[1]) : {},
            rawBindings: rpcMetadata.rawBindings,
            disabled: enabled !== undefined && !enabled.includes(name.toLowerCase()),
        };
        summaries.push(summary);
        if (!triggerEntry) {
            errors.push({ functionName: name, message: 'no trigger binding' });
            continue;
        }
        let trigger: RpcBindingInfo;
        try {
            trigger = resolveBinding(triggerEntry[1], settings);
        } catch (error) {
            errors.push({ functionName: name, message: error instanceof Error ? error.message : String(error) });
            continue;
        }
        summary.resolvedTrigger = jsonCopy(trigger);
        functions.push({ name, registered, rpcMetadata, triggerName: triggerEntry[0], trigger });
    }
    return { appRoot, hostJson, registry, functions, summaries, errors };
}

/** Loads the app and starts a listener per enabled function. */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
    const log = options.log ?? (() => undefined);
    const emit = options.onEvent ?? (() => undefined);
    const app = await loadFunctionApp(options);
    emit({ kind: 'indexed', functions: [...app.summaries] });
    const hostLog = (level: 'information' | 'warning' | 'error', message: string, functionName?: string) =>
        log({ time: new Date(), level, category: 'host', message, ...(functionName ? { functionName } : {}) });
    const reportError = (functionName: string, message: string) => {
        emit({ kind: 'functionError', functionName, message });
        hostLog('error', `The function '${functionName}' is in error: ${message}`, functionName);
    };
    for (const { functionName, message } of app.errors) {
        reportError(functionName, message);
    }

    for (const hook of app.registry.hooks('appStart')) {
        await hook({ hookData: {}, appHookData: app.registry.appHookData, functionAppDirectory: app.appRoot });
    }

    const serviceBusOptions = app.hostJson.extensions.serviceBus;
    const clients = new ServiceBusClients(serviceBusOptions);
    const statusStore = new ScheduleStatusStore(options.scheduleStatusDir);
    const listeners: Array<{ name: string; stop(graceMs: number): Promise<void> }> = [];
    const summaryOf = (name: string) => app.summaries.find((summary) => summary.name === name);

    for (const fn of app.functions) {
        if (summaryOf(fn.name)?.disabled) {
            hostLog('information', `Function '${fn.name}' is not in the host's functions list; not started`, fn.name);
            continue;
        }
        const invoker = new FunctionInvoker(app.registry, fn, log, app.hostJson.functionTimeout);
        try {
            const type = (fn.trigger.type ?? '').toLowerCase();
            if (type === 'timertrigger') {
                const listener = new TimerTriggerListener({
                    fn,
                    invoker,
                    statusStore,
                    runAtStart: options.runTimersAtStart ?? true,
                    log,
                    emit,
                });
                emit({ kind: 'listening', functionName: fn.name, detail: listener.describe() });
                await listener.start();
                listeners.push({ name: fn.name, stop: (grace) => listener.stop(grace) });
            } else if (type === 'servicebustrigger') {
                const connection = resolveServiceBusConnection(fn.trigger.connection as string | undefined, process.env);
                if (connection.kind === 'identity') {
                    throw new Error(
                        `connection "${String(fn.trigger.connection)}" is identity-based (${connection.namespace}); ` +
                            `the local host needs a connection string in the app setting ${String(fn.trigger.connection)}`,
                    );
                }
                const listener = new ServiceBusTriggerListener({
                    fn,
                    invoker,
                    client: clients.get(connection.value),
                    hostOptions: serviceBusOptions,
                    log,
                    emit,
                });
                emit({ kind: 'listening', functionName: fn.name, detail: listener.describe() });
                listener.start();
                listeners.push({ name: fn.name, stop: (grace) => listener.stop(grace) });
            } else {
                throw new Error(`trigger type "${fn.trigger.type ?? ''}" is not supported by the local host`);
            }
        } catch (error) {
            reportError(fn.name, error instanceof Error ? error.message : String(error));
        }
    }
    emit({ kind: 'started' });

    let stopping: Promise<void> | undefined;
    return {
        app,
        stop: () => {
            stopping ??= (async () => {
                const grace = options.stopGraceMs ?? 10_000;
                await Promise.all(listeners.map((listener) => listener.stop(grace)));
                for (const hook of app.registry.hooks('appTerminate')) {
                    await Promise.resolve(hook({ hookData: {}, appHookData: app.registry.appHookData })).catch(
                        () => undefined,
                    );
                }
                await clients.closeAll();
                emit({ kind: 'stopped' });
            })();
            return stopping;
        },
    };
}

/** The worker's description of a registered function (what it sends the host after indexing). */
function toRpcMetadata(registered: RegisteredFunction, appRoot: string): RpcFunctionMetadata {
    const { metadata } = registered;
    return {
        name: metadata.name,
        functionId: metadata.functionId ?? metadata.name,
        directory: appRoot,
        scriptFile: registered.scriptFile,
        language: 'node',
        isProxy: false,
        bindings: metadata.bindings,
        rawBindings: Object.entries(metadata.bindings).map(([name, binding]) => JSON.stringify({ ...binding, name })),
        ...(metadata.retryOptions ? { retryOptions: metadata.retryOptions } : {}),
    };
}

function jsonCopy(value: unknown): Record<string, unknown> {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
