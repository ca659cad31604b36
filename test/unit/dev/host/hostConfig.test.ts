import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { globFiles, sourceGlobOf } from '../../../../dev/host/appFiles';
import { resolveBinding, UnresolvedSettingError } from '../../../../dev/host/bindingExpressions';
import { applyOverrides, parseTimeSpan, readHostJson } from '../../../../dev/host/hostJson';
import { resolveServiceBusConnection } from '../../../../dev/host/serviceBusTrigger';
import { bodiesTypedData, bodyTypedData, metadataTypedData } from '../../../../dev/host/typedData';

describe('local host configuration (issue 5)', () => {
    describe('host.json', () => {
        it.each([
            ['00:10:00', 600_000],
            ['00:00:30', 30_000],
            ['1.02:00:00', 93_600_000],
            ['00:00:00.5', 500],
            ['-00:00:00.0010000', -1],
        ])('reads the TimeSpan %s as %d ms', (text, ms) => {
            expect(parseTimeSpan(text)).toBe(ms);
        });

        it('reads host.json with the Service Bus settings the trigger uses, defaults where absent', async () => {
            const hostJson = await readHostJson(join(process.cwd(), 'test/fixtures/hostApp'), {});
            expect(hostJson.functionTimeout).toBe(60_000);
            expect(hostJson.extensions.serviceBus).toMatchObject({
                prefetchCount: 0,
                autoCompleteMessages: true,
                maxMessageBatchSize: 50,
                minMessageBatchSize: 1,
                maxBatchWaitTime: 30_000,
                maxAutoLockRenewalDuration: 300_000,
                clientRetryOptions: { mode: 'exponential', maxRetries: 3, tryTimeout: 60_000 },
            });
        });

        it("accepts this app's host.json", async () => {
            await expect(readHostJson(process.cwd(), {})).resolves.toMatchObject({ version: '2.0' });
        });

        it('applies AzureFunctionsJobHost__ overrides, matching keys case-insensitively, arrays by index', () => {
            const merged = applyOverrides(
                { version: '2.0', extensions: { serviceBus: { maxMessageBatchSize: 100 } } },
                {
                    AzureFunctionsJobHost__extensions__serviceBus__MaxMessageBatchSize: '5',
                    AzureFunctionsJobHost__functions__0: 'remediateRisk',
                    OTHER: 'x',
                },
            );
            expect(merged).toEqual({
                version: '2.0',
                extensions: { serviceBus: { maxMessageBatchSize: '5' } },
                functions: ['remediateRisk'],
            });
        });
    });

    describe('binding expressions', () => {
        it('resolves %SETTING% in string options and leaves the rest', () => {
            const binding = { type: 'serviceBusTrigger', direction: 'in' as const, queueName: '%Q%', connection: 'ServiceBusConnection', cardinality: 'many' };
            expect(resolveBinding(binding, { Q: 'risk-detections' })).toEqual({ ...binding, queueName: 'risk-detections' });
        });

        it('fails naming the setting when it is missing', () => {
            expect(() => resolveBinding({ type: 'timerTrigger', schedule: '%POLL_SCHEDULE%' }, {})).toThrow(UnresolvedSettingError);
            expect(() => resolveBinding({ type: 'timerTrigger', schedule: '%POLL_SCHEDULE%' }, {})).toThrow("'%POLL_SCHEDULE%' does not resolve");
        });
    });

    describe('Service Bus connections', () => {
        it.each([
            [{ ServiceBusConnection: 'Endpoint=sb://a' }, { kind: 'connectionString', value: 'Endpoint=sb://a' }],
            [{ 'ConnectionStrings:ServiceBusConnection': 'Endpoint=sb://b' }, { kind: 'connectionString', value: 'Endpoint=sb://b' }],
            [{ AzureWebJobsServiceBusConnection: 'Endpoint=sb://c', ServiceBusConnection: 'Endpoint=sb://a' }, { kind: 'connectionString', value: 'Endpoint=sb://c' }],
            [{ ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net' }, { kind: 'identity', namespace: 'ns.servicebus.windows.net' }],
        ])('finds the connection named ServiceBusConnection in %j as the host does', (settings, expected) => {
            expect(resolveServiceBusConnection('ServiceBusConnection', settings)).toEqual(expected);
        });

        it('names the setting when the connection is missing', () => {
            expect(() => resolveServiceBusConnection('ServiceBusConnection', {})).toThrow(
                'Service Bus connection "ServiceBusConnection" is not set',
            );
        });
    });

    describe('entry files', () => {
        it('maps the compiled main glob to its TypeScript sources', () => {
            expect(sourceGlobOf('dist/functions/*.js')).toBe('functions/*.ts');
            expect(sourceGlobOf('./dist/src/{index.js,functions/*.js}')).toBe('src/{index.ts,functions/*.ts}');
        });

        it('finds files by glob, sorted, without entering node_modules through **', async () => {
            const root = await mkdtemp(join(tmpdir(), 'glob-'));
            for (const file of ['dist/functions/b.js', 'dist/functions/a.js', 'dist/functions/a.js.map', 'dist/x/y/z.js', 'node_modules/m/z.js']) {
                await mkdir(join(root, file, '..'), { recursive: true });
                await writeFile(join(root, file), '');
            }
            expect(await globFiles(root, 'dist/functions/*.js')).toEqual([join(root, 'dist/functions/a.js'), join(root, 'dist/functions/b.js')]);
            expect(await globFiles(root, '**/z.js')).toEqual([join(root, 'dist/x/y/z.js')]);
            expect(await globFiles(root, 'dist/{functions/a,x/y/z}.js')).toEqual([join(root, 'dist/functions/a.js'), join(root, 'dist/x/y/z.js')]);
        });
    });

    describe('wire values', () => {
        it('sends text bodies as strings and binary ones as bytes', () => {
            expect(bodyTypedData(Buffer.from('{"a":1}'))).toEqual({ string: '{"a":1}' });
            const binary = Buffer.from([0xff, 0xfe, 0x00]);
            expect(bodyTypedData(binary)).toEqual({ bytes: binary });
            expect(bodiesTypedData([Buffer.from('1'), Buffer.from('"x"')])).toEqual({ collectionString: { string: ['1', '"x"'] } });
            expect(bodiesTypedData([Buffer.from('1'), binary])).toEqual({ collectionBytes: { bytes: [Buffer.from('1'), binary] } });
        });

        it('sends binding data as the host does: strings, ints, string collections and JSON', () => {
            expect(metadataTypedData('m1')).toEqual({ string: 'm1' });
            expect(metadataTypedData(2)).toEqual({ int: 2 });
            expect(metadataTypedData(['a', 'b'])).toEqual({ collectionString: { string: ['a', 'b'] } });
            expect(metadataTypedData([1, 2])).toEqual({ json: '[1,2]' });
            expect(metadataTypedData(new Date('2025-06-01T00:00:00Z'))).toEqual({ json: '"2025-06-01T00:00:00.000Z"' });
            expect(metadataTypedData(null)).toEqual({});
        });
    });
});
