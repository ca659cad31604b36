import Module from 'node:module';

import type { FunctionsCoreModule } from './coreApi';

/** The request name `@azure/functions` requires; inside Azure the Node.js worker answers it. */
export const functionsCoreRequest = '@azure/functions-core';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Load };

/**
 * Makes `require('@azure/functions-core')` return `core` in this process, as the Azure worker does, by wrapping
 * Node's `Module._load` for that one request name. Must run before the first `app.*` call: the library caches a
 * failed lookup and then stays in "test mode". Returns a function that removes the hook.
 */
export function installFunctionsCoreModule(core: FunctionsCoreModule): () => void {
    const originalLoad = moduleInternals._load;
    const load: Load = function (this: unknown, request, parent, isMain) {
        if (request === functionsCoreRequest) {
            return core;
        }
        return originalLoad.call(this, request, parent, isMain);
    };
    moduleInternals._load = load;
    return () => {
        if (moduleInternals._load === load) {
            moduleInternals._load = originalLoad;
        }
    };
}
