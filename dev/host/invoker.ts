import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';

import type {
    CoreInvocationContext,
    RpcBindingInfo,
    RpcFunctionMetadata,
    RpcLogCategory,
    RpcLogLevel,
    RpcRetryContext,
    RpcTypedData,
} from './coreApi';
import type { FunctionsCoreRegistry, RegisteredFunction } from './functionsCore';

/** A registered function as the host indexed it: the worker's metadata and its resolved trigger binding. */
export interface IndexedFunction {
    readonly name: string;
    readonly registered: RegisteredFunction;
    readonly rpcMetadata: RpcFunctionMetadata;
    /** The trigger binding's generated name (the key of `inputData`). */
    readonly triggerName: string;
    /** The trigger binding with `%SETTING%` expressions resolved. */
    readonly trigger: RpcBindingInfo;
}

/** A log line of the host: its own (`host`), the library's (`system`) or the function's (`user`). */
export interface HostLogEntry {
    readonly time: Date;
    readonly level: RpcLogLevel;
    readonly category: RpcLogCategory | 'host';
    readonly functionName?: string;
    readonly invocationId?: string;
    readonly message: string;
}

export type HostLogger = (entry: HostLogEntry) => void;

/** What one invocation gets from its trigger, in the host's wire form. */
export interface InvocationInput {
    readonly trigger: RpcTypedData;
    readonly triggerMetadata: Record<string, RpcTypedData>;
    readonly retryContext?: RpcRetryContext;
    /** Why it runs, for the "Executing" line (`Timer fired at …`, `New ServiceBus message detected …`). */
    readonly reason: string;
    /** Default: a new GUID. */
    readonly invocationId?: string;
}

export type InvocationOutcome =
    | { readonly invocationId: string; readonly ok: true; readonly durationMs: number }
    | { readonly invocationId: string; readonly ok: false; readonly durationMs: number; readonly error: Error };

/**
 * Runs invocations the way the Azure Functions Node.js worker does: it builds the core invocation context (the
 * host's request with input data and trigger metadata), asks the library's programming model for an
 * InvocationModel, gets the arguments (the library builds the InvocationContext and converts the typed data),
 * runs preInvocation hooks, invokes the registered callback through the model, runs postInvocation hooks, and
 * has the model build the response. Logs of the invocation go to `log`.
 */
export class FunctionInvoker {
    constructor(
        private readonly registry: FunctionsCoreRegistry,
        private readonly fn: IndexedFunction,
        private readonly log: HostLogger,
        private readonly timeoutMs: number,
    ) {}

    async invoke(input: InvocationInput): Promise<InvocationOutcome> {
        const invocationId = input.invocationId ?? randomUUID();
        const started = Date.now();
        const name = this.fn.name;
        this.log({
            time: new Date(),
            level: 'information',
            category: 'host',
            functionName: name,
            invocationId,
            message: `Executing 'Functions.${name}' (Reason='${input.reason}', Id=${invocationId})`,
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(
                () => reject(new Error(`Timeout value of ${this.timeoutMs} ms exceeded by function 'Functions.${name}'`)),
                this.timeoutMs,
            );
        });
        try {
            await Promise.race([this.run(invocationId, input), timeout]);
            const durationMs = Date.now() - started;
            this.log({
                time: new Date(),
                level: 'information',
                category: 'host',
                functionName: name,
                invocationId,
                message: `Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${durationMs}ms)`,
            });
            return { invocationId, ok: true, durationMs };
        } catch (thrown) {
            const error = thrown instanceof Error ? thrown : new Error(String(thrown));
            const durationMs = Date.now() - started;
            this.log({
                time: new Date(),
                level: 'error',
                category: 'host',
                functionName: name,
                invocationId,
                message: `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${durationMs}ms): ${error.message}`,
            });
            return { invocationId, ok: false, durationMs, error };
        } finally {
            clearTimeout(timer);
        }
    }

    private async run(invocationId: string, input: InvocationInput): Promise<void> {
        const model = this.registry.programmingModel();
        if (!model) {
            throw new Error('No programming model was registered: the app did not load @azure/functions');
        }
        const functionName = this.fn.name;
        // The library's InvocationContext, once getArguments built it (log hooks receive it).
        const current: { context?: unknown } = {};
        const coreContext: CoreInvocationContext = {
            invocationId,
            request: {
                invocationId,
                functionId: this.fn.rpcMetadata.functionId,
                inputData: [{ name: this.fn.triggerName, data: input.trigger }],
                triggerMetadata: input.triggerMetadata,
                traceContext: {
                    traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
                    traceState: '',
                    attributes: { OperationName: functionName },
                },
                retryContext: input.retryContext ?? null,
            },
            metadata: this.fn.rpcMetadata,
            state: undefined,
            log: (level, category, message) => {
                this.log({ time: new Date(), level, category, functionName, invocationId, message });
                this.runLogHooks(level, category, message, current.context);
            },
        };
        const invocationModel = model.getInvocationModel(coreContext);
        const args = await invocationModel.getArguments();
        current.context = args.context;
        const hookData: Record<string, unknown> = {};

        coreContext.state = 'preInvocationHooks';
        const pre = {
            hookData,
            appHookData: this.registry.appHookData,
            invocationContext: args.context,
            inputs: args.inputs,
            functionCallback: this.fn.registered.callback,
        };
        for (const hook of this.registry.hooks('preInvocation')) {
            await hook(pre);
        }

        coreContext.state = 'invocation';
        let result: unknown;
        let error: unknown;
        try {
            result = await invocationModel.invokeFunction(args.context, pre.inputs, pre.functionCallback);
        } catch (thrown) {
            error = thrown;
        }

        coreContext.state = 'postInvocationHooks';
        const post = {
            hookData,
            appHookData: this.registry.appHookData,
            invocationContext: args.context,
            inputs: pre.inputs,
            result,
            error,
        };
        for (const hook of this.registry.hooks('postInvocation')) {
            await hook(post);
        }
        coreContext.state = undefined;
        if (post.error !== undefined && post.error !== null) {
            throw post.error instanceof Error ? post.error : new Error(inspect(post.error));
        }
        await invocationModel.getResponse(args.context, post.result);
    }

    private runLogHooks(level: RpcLogLevel, category: RpcLogCategory, message: string, invocationContext: unknown): void {
        for (const hook of this.registry.hooks('log')) {
            try {
                void hook({
                    hookData: {},
                    appHookData: this.registry.appHookData,
                    level,
                    category,
                    message,
                    invocationContext,
                });
            } catch {
                // A failing log hook must not fail the invocation (the worker ignores it too).
            }
        }
    }
}
