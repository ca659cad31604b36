/**
 * The part of the `@azure/functions-core` contract the local host implements. Inside Azure the Node.js worker
 * supplies that module; `@azure/functions` requires it lazily, calls `setProgrammingModel` once and
 * `registerFunction(metadata, handler)` per `app.*` call, and the worker then drives every invocation through the
 * programming model's `InvocationModel` (getArguments, hooks, invokeFunction, getResponse).
 *
 * These are our own declarations of the shapes involved (the worker's `types-core/index.d.ts` describes the same
 * contract); only what the library reads or writes is declared.
 */

/** Log levels of the RPC protocol, as `@azure/functions` passes them. */
export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/** `user` for `context.log` and friends, `system` for the library's own messages. */
export type RpcLogCategory = 'user' | 'system' | 'customMetric';

/** One binding as registered: the options given to `app.*` plus `type`, `direction` and `properties`. */
export interface RpcBindingInfo {
    type?: string | null;
    direction?: 'in' | 'out' | 'inout' | null;
    dataType?: 'undefined' | 'string' | 'binary' | 'stream' | null;
    [option: string]: unknown;
}

/** What `registerFunction` receives. */
export interface FunctionMetadata {
    name: string;
    functionId?: string;
    bindings: Record<string, RpcBindingInfo>;
    retryOptions?: RpcRetryOptions;
}

/** A duration as the RPC protocol carries it. */
export interface RpcDuration {
    seconds?: number | null;
    nanos?: number | null;
}

/** Function-level retry policy (timer triggers and a few others; not Service Bus). */
export interface RpcRetryOptions {
    maxRetryCount?: number | null;
    delayInterval?: RpcDuration | null;
    minimumInterval?: RpcDuration | null;
    maximumInterval?: RpcDuration | null;
    retryStrategy?: 'exponentialBackoff' | 'fixedDelay' | null;
}

/** The function as the worker describes it to the host after indexing. */
export interface RpcFunctionMetadata {
    name: string;
    functionId: string;
    directory: string;
    scriptFile: string;
    language: string;
    isProxy: boolean;
    bindings: Record<string, RpcBindingInfo>;
    /** One JSON text per binding, `name` included: what the host builds its listeners from. */
    rawBindings: string[];
    retryOptions?: RpcRetryOptions;
}

/** A value on the wire between host and worker; exactly one field is set (none for null). */
export interface RpcTypedData {
    string?: string | null;
    json?: string | null;
    bytes?: Uint8Array | null;
    int?: number | null;
    double?: number | null;
    collectionBytes?: { bytes?: Uint8Array[] | null } | null;
    collectionString?: { string?: string[] | null } | null;
    collectionDouble?: { double?: number[] | null } | null;
    collectionSint64?: { sint64?: number[] | null } | null;
}

export interface RpcParameterBinding {
    name: string;
    data: RpcTypedData;
}

export interface RpcException {
    message?: string | null;
    source?: string | null;
    stackTrace?: string | null;
}

export interface RpcRetryContext {
    retryCount: number;
    maxRetryCount: number;
    exception?: RpcException | null;
}

export interface RpcTraceContext {
    traceParent?: string | null;
    traceState?: string | null;
    attributes?: Record<string, string> | null;
}

/** The invocation request the host sends the worker. */
export interface RpcInvocationRequest {
    invocationId: string;
    functionId: string;
    inputData: RpcParameterBinding[];
    triggerMetadata: Record<string, RpcTypedData>;
    traceContext?: RpcTraceContext | null;
    retryContext?: RpcRetryContext | null;
}

export type InvocationState = 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';

/** What the worker hands the programming model for one invocation. */
export interface CoreInvocationContext {
    invocationId: string;
    request: RpcInvocationRequest;
    metadata: RpcFunctionMetadata;
    state?: InvocationState;
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface InvocationArguments {
    context: unknown;
    inputs: unknown[];
}

/** The library's per-invocation model (`InvocationModel` in `@azure/functions`). */
export interface InvocationModel {
    getArguments(): Promise<InvocationArguments>;
    invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<unknown>;
}

/** The library's programming model (`ProgrammingModel` in `@azure/functions`). */
export interface ProgrammingModel {
    name: string;
    version: string;
    getInvocationModel(coreContext: CoreInvocationContext): InvocationModel;
    getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

/** Hook contexts are plain objects; the library wraps them and writes changes back into them. */
export type HookData = Record<string, unknown>;
export type HookCallback = (context: Record<string, unknown>) => unknown;
export const hookNames = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'] as const;
export type HookName = (typeof hookNames)[number];

export interface Disposable {
    dispose(): void;
}

/** The module surface `@azure/functions` requires from `@azure/functions-core`. */
export interface FunctionsCoreModule {
    readonly version: string;
    readonly hostVersion: string;
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
    registerHook(hookName: string, callback: HookCallback): Disposable;
    setProgrammingModel(programmingModel: ProgrammingModel): void;
    getProgrammingModel(): ProgrammingModel;
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
    Disposable: new (callOnDispose: () => void) => Disposable;
}
