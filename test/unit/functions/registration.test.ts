/**
 * The metadata each function registers, as the Functions host would receive it: the library talks to the host
 * through the `@azure/functions-core` module, which only exists inside the host, so a stand-in records it here.
 */
interface RegisteredFunction {
    metadata: { name: string; bindings: Record<string, Record<string, unknown>> };
}

const registered: RegisteredFunction[] = [];

jest.mock(
    '@azure/functions-core',
    () => ({
        setProgrammingModel: () => undefined,
        registerFunction: (metadata: RegisteredFunction['metadata']) => {
            registered.push({ metadata });
            return { dispose: () => undefined };
        },
        registerHook: () => ({ dispose: () => undefined }),
        getProgrammingModel: () => undefined,
    }),
    { virtual: true },
);

function triggerOf(name: string): Record<string, unknown> {
    const fn = registered.find((entry) => entry.metadata.name === name);
    if (!fn) {
        throw new Error(
            `${name} was not registered; registered: ${registered.map((entry) => entry.metadata.name).join(', ')}`,
        );
    }
    const trigger = Object.values(fn.metadata.bindings).find((binding) => String(binding.type).endsWith('Trigger'));
    return trigger!;
}

describe('function registrations (issue #2)', () => {
    beforeAll(() => {
        jest.isolateModules(() => {
            // The stand-in must be in place before the module registers, so the module is loaded here, not imported.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require('../../../functions/pollRiskDetections');
        });
    });

    it('registers pollRiskDetections as a timer trigger on the POLL_SCHEDULE setting, without runOnStartup', () => {
        expect(triggerOf('pollRiskDetections')).toMatchObject({
            type: 'timerTrigger',
            direction: 'in',
            schedule: '%POLL_SCHEDULE%',
            runOnStartup: false,
            useMonitor: true,
        });
    });

    it('importing the function module builds no settings or clients (nothing read at import time)', () => {
        expect(registered.filter((entry) => entry.metadata.name === 'pollRiskDetections')).toHaveLength(1);
    });
});
