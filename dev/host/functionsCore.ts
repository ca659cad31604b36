import type {
    Disposable,
    FunctionCallback,
    FunctionMetadata,
    FunctionsCoreModule,
    HookCallback,
    HookData,
    HookName,
    ProgrammingModel,
    RpcLogCategory,
    RpcLogLevel,
} from './coreApi';
import { hookNames } from './coreApi';

/** A function as `@azure/functions` registered it: the metadata Azure's host would index, and the handler. */
export interface RegisteredFunction {
    readonly metadata: FunctionMetadata;
    readonly callback: FunctionCallback;
    /** The file being loaded when it registered. */
    readonly scriptFile: string;
}

/** What the stand-in module records while the app's files load, and what the host reads back. */
export interface FunctionsCoreRegistry {
    readonly module: FunctionsCoreModule;
    readonly functions: ReadonlyArray<RegisteredFunction>;
    programmingModel(): ProgrammingModel | undefined;
    hooks(name: HookName): ReadonlyArray<HookCallback>;
    /** App-level hook data, shared by every hook (the worker's `appHookData`). */
    readonly appHookData: HookData;
    /** The file currently being loaded, recorded as each registration's `scriptFile`. */
    loadingFile: string;
}

/** Version strings the stand-in reports (the library only logs them). */
const workerVersion = '3.10.1-local';
const hostVersion = '4.1000.0-local';

class CoreDisposable implements Disposable {
    #dispose: (() => void) | undefined;

    constructor(callOnDispose: () => void) {
        this.#dispose = callOnDispose;
    }

    dispose(): void {
        const dispose = this.#dispose;
        this.#dispose = undefined;
        dispose?.();
    }
}

/**
 * A stand-in for the `@azure/functions-core` module the Azure Functions Node.js worker provides. It records
 * registrations, hooks and the programming model exactly as the library hands them over; nothing is invoked here.
 * `systemLog` receives the library's own log lines (`coreApi.log`).
 */
export function createFunctionsCore(
    systemLog: (level: RpcLogLevel, category: RpcLogCategory, message: string) => void,
): FunctionsCoreRegistry {
    const functions: RegisteredFunction[] = [];
    const hooks = new Map<HookName, HookCallback[]>(hookNames.map((name) => [name, []]));
    let model: ProgrammingModel | undefined;

    const registry: FunctionsCoreRegistry = {
        functions,
        appHookData: {},
        loadingFile: '',
        programmingModel: () => model,
        hooks: (name) => hooks.get(name) ?? [],
        module: {
            version: workerVersion,
            hostVersion,
            Disposable: CoreDisposable,
            registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
                if (typeof metadata?.name !== 'string' || metadata.name === '') {
                    throw new Error('registerFunction: metadata.name is required');
                }
                if (typeof callback !== 'function') {
                    throw new Error(`registerFunction: function "${metadata.name}" has no handler`);
                }
                if (functions.some((existing) => existing.metadata.name.toLowerCase() === metadata.name.toLowerCase())) {
                    // The worker refuses a second registration under the same name (names are case-insensitive).
                    throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
                }
                const entry: RegisteredFunction = {
                    metadata,
                    callback,
                    scriptFile: registry.loadingFile,
                };
                functions.push(entry);
                return new CoreDisposable(() => {
                    const index = functions.indexOf(entry);
                    if (index >= 0) {
                        functions.splice(index, 1);
                    }
                });
            },
            registerHook(hookName: string, callback: HookCallback): Disposable {
                const list = hooks.get(hookName as HookName);
                if (!list) {
                    // The library turns this RangeError into "Log hooks require a newer host" for 'log'.
                    throw Object.assign(new RangeError(`Unrecognized hook "${hookName}"`), {
                        isAzureFunctionsSystemError: true,
                    });
                }
                list.push(callback);
                return new CoreDisposable(() => {
                    const index = list.indexOf(callback);
                    if (index >= 0) {
                        list.splice(index, 1);
                    }
                });
            },
            setProgrammingModel(programmingModel: ProgrammingModel): void {
                model = programmingModel;
            },
            getProgrammingModel(): ProgrammingModel {
                if (!model) {
                    throw new Error('No programming model was set: the app did not load @azure/functions');
                }
                return model;
            },
            log: systemLog,
        },
    };
    return registry;
}
