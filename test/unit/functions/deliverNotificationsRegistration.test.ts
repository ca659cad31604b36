/**
 * The binding deliverNotifications registers, as the Functions host would receive it (the same stand-in for
 * `@azure/functions-core` as registration.test.ts).
 */
interface RegisteredFunction {
    name: string;
    bindings: Record<string, Record<string, unknown>>;
}

const registered: RegisteredFunction[] = [];

jest.mock(
    '@azure/functions-core',
    () => ({
        setProgrammingModel: () => undefined,
        registerFunction: (metadata: RegisteredFunction) => {
            registered.push(metadata);
            return { dispose: () => undefined };
        },
        registerHook: () => ({ dispose: () => undefined }),
        getProgrammingModel: () => undefined,
    }),
    { virtual: true },
);

describe('deliverNotifications registration (issue #4)', () => {
    beforeAll(() => {
        jest.isolateModules(() => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require('../../../functions/deliverNotifications');
        });
    });

    it('listens on the NOTIFY_QUEUE_NAME setting with the ServiceBusConnection connection, one message per invocation', () => {
        const fn = registered.find((entry) => entry.name === 'deliverNotifications');
        const trigger = Object.values(fn!.bindings).find((binding) => String(binding.type).endsWith('Trigger'));
        expect(trigger).toMatchObject({
            type: 'serviceBusTrigger',
            direction: 'in',
            queueName: '%NOTIFY_QUEUE_NAME%',
            connection: 'ServiceBusConnection',
        });
        expect(trigger!.cardinality ?? 'one').toBe('one');
    });

    it('builds no adapters at import: settings are read on the first invocation', () => {
        expect(registered.filter((entry) => entry.name === 'deliverNotifications')).toHaveLength(1);
    });
});
