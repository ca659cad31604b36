/**
 * The local Functions host (issue 5) against a fixture app whose functions record what they receive: it loads the
 * files package.json `main` names (their TypeScript sources here), registers them through the
 * `@azure/functions-core` stand-in and drives them as Azure's host would: timers on their schedule and once at
 * start, Service Bus batches with host-shaped trigger metadata, complete on success, abandon on throw with the
 * delivery count rising until the emulator dead-letters, a clean stop and a hard kill.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ServiceBusClient } from '@azure/service-bus';

import { spawnHostProcess, type HostEvent, type HostProcess } from '../../dev/host';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../dev/service-bus-emulator';

const appRoot = resolve(__dirname, '../fixtures/hostApp');

jest.setTimeout(30_000);

interface ProbeRecord {
    pid: number;
    fn: string;
    timer?: { isPastDue: boolean; schedule: { adjustForDST: boolean }; scheduleStatus: unknown };
    messages?: unknown[];
    message?: unknown;
    triggerMetadata?: Record<string, unknown>;
    functionName?: string;
}

async function readProbe(file: string): Promise<ProbeRecord[]> {
    try {
        const text = await readFile(file, 'utf8');
        return text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as ProbeRecord);
    } catch {
        return [];
    }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

const finished = (functionName: string) => (event: HostEvent): event is Extract<HostEvent, { kind: 'invocationFinished' }> =>
    event.kind === 'invocationFinished' && event.functionName === functionName;

describe('local Functions host (issue 5)', () => {
    let emulator: ServiceBusEmulator;
    let client: ServiceBusClient;
    let dir: string;
    const hosts: HostProcess[] = [];

    beforeAll(async () => {
        emulator = await startServiceBusEmulator({
            queues: [
                { name: 'batch', lockDurationMs: 3_000, maxDeliveryCount: 3 },
                { name: 'single', lockDurationMs: 3_000, maxDeliveryCount: 3 },
                { name: 'held', lockDurationMs: 2_000, maxDeliveryCount: 10 },
                { name: 'killed', lockDurationMs: 2_000, maxDeliveryCount: 10 },
            ],
        });
        client = new ServiceBusClient(emulator.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 5000 } });
    });

    beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'host-test-'));
    });

    afterEach(async () => {
        await Promise.all(hosts.splice(0).map((host) => host.kill()));
    });

    afterAll(async () => {
        await client.close();
        await emulator.stop();
    });

    async function startHost(settings: Record<string, string>, extra: { stopGraceMs?: number } = {}): Promise<HostProcess> {
        const host = await spawnHostProcess({
            appRoot,
            settings: {
                PROBE_OUT: join(dir, 'probe.jsonl'),
                PROBE_SCHEDULE: '*/2 * * * * *',
                PROBE_QUEUE: 'batch',
                PROBE_SINGLE_QUEUE: 'single',
                ProbeServiceBus: emulator.connectionString,
                ...settings,
            },
            ...extra,
        });
        hosts.push(host);
        return host;
    }

    it('indexes the registrations with %SETTING% resolved and reports each listener', async () => {
        const host = await startHost({});
        const indexed = host.events.find((event) => event.kind === 'indexed');
        expect(indexed).toBeDefined();
        const functions = indexed?.kind === 'indexed' ? indexed.functions : [];
        expect(functions.map((fn) => [fn.name, fn.triggerType, fn.scriptFile])).toEqual([
            ['queueProbe', 'serviceBusTrigger', 'functions/queueProbe.ts'],
            ['singleProbe', 'serviceBusTrigger', 'functions/singleProbe.ts'],
            ['timerProbe', 'timerTrigger', 'functions/timerProbe.ts'],
        ]);
        const queueProbe = functions.find((fn) => fn.name === 'queueProbe')!;
        expect(queueProbe.registeredTrigger).toMatchObject({ queueName: '%PROBE_QUEUE%', connection: 'ProbeServiceBus', cardinality: 'many', direction: 'in' });
        expect(queueProbe.resolvedTrigger).toMatchObject({ queueName: 'batch' });
        expect(host.events.filter((event) => event.kind === 'listening').map((event) => event.kind === 'listening' && event.detail)).toEqual([
            'queue batch, peek-lock, batches of up to 50',
            'queue single, peek-lock, one message at a time',
            expect.stringMatching(/^schedule "\*\/2 \* \* \* \* \*" \(UTC\), next /),
        ]);
    });

    it('runs a timer at start and on its schedule, with the Timer object the host builds', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'timerProbe' });
        await host.waitForEvent((event) => finished('timerProbe')(event) && host.events.filter(finished('timerProbe')).length >= 2, 10_000);
        const runs = (await readProbe(join(dir, 'probe.jsonl'))).filter((record) => record.fn === 'timerProbe');
        expect(runs.length).toBeGreaterThanOrEqual(2);
        expect(runs[0]!.timer).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
        expect(runs[0]!.functionName).toBe('timerProbe');
        // preInvocation hooks registered with app.hook run before every invocation.
        expect((await readProbe(join(dir, 'probe.jsonl'))).some((record) => record.fn === 'preInvocationHook')).toBe(true);
    });

    it('delivers a batch as an array of JSON-parsed bodies with Array metadata, abandons on throw and completes on success', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe' });
        await client.createSender('batch').sendMessages([
            { messageId: 'm1', body: { detection: 1 }, subject: 'one', applicationProperties: { TenantId: 't1', userId: 'u1' } },
            { messageId: 'm2', body: 'plain text' },
            { messageId: 'm3', body: { failUntilDelivery: 2 } },
        ]);
        const done = await host.waitForEvent(
            (event): event is Extract<HostEvent, { kind: 'invocationFinished' }> => finished('queueProbe')(event) && event.ok,
            15_000,
        );
        expect(done.settlement).toBe('completed');
        const failedFirst = host.events.find(finished('queueProbe'));
        expect(failedFirst).toMatchObject({ ok: false, settlement: 'abandoned', error: 'probe failure on purpose' });

        const calls = (await readProbe(join(dir, 'probe.jsonl'))).filter((record) => record.fn === 'queueProbe');
        expect(calls).toHaveLength(2);
        expect(calls[0]!.messages).toEqual([{ detection: 1 }, 'plain text', { failUntilDelivery: 2 }]);
        const metadata = calls[0]!.triggerMetadata!;
        expect(metadata.messageIdArray).toEqual(['m1', 'm2', 'm3']);
        expect(metadata.deliveryCountArray).toEqual([1, 1, 1]);
        expect(metadata.subjectArray).toEqual(['one', null, null]);
        // The host lower-cases the first letter of every key, application properties included.
        expect(metadata.applicationPropertiesArray).toEqual([{ tenantId: 't1', userId: 'u1' }, {}, {}]);
        expect((metadata.enqueuedTimeUtcArray as string[]).every((time) => !Number.isNaN(Date.parse(time)))).toBe(true);
        expect((metadata.lockTokenArray as string[]).every((token) => /^[0-9a-f-]{36}$/.test(token))).toBe(true);
        expect(calls[1]!.triggerMetadata!.deliveryCountArray).toEqual([2, 2, 2]);
        await waitFor('the queue to drain', () => {
            const stats = emulator.queueStats('batch');
            return stats.active === 0 && stats.locked === 0 ? true : undefined;
        });
    });

    it('delivers single messages one at a time with the metadata named without Array', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'singleProbe' });
        await client.createSender('single').sendMessages([
            { messageId: 's1', body: { n: 1 }, correlationId: 'c1' },
            { messageId: 's2', body: { n: 2 } },
        ]);
        await host.waitForEvent(() => host.events.filter(finished('singleProbe')).length >= 2, 15_000);
        const calls = (await readProbe(join(dir, 'probe.jsonl'))).filter((record) => record.fn === 'singleProbe');
        expect(calls.map((call) => call.message)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(calls[0]!.triggerMetadata).toMatchObject({ messageId: 's1', deliveryCount: 1, correlationId: 'c1', sequenceNumber: expect.any(Number) });
        expect(calls[0]!.triggerMetadata!.messageIdArray).toBeUndefined();
    });

    it('keeps abandoning a message that always fails until the queue dead-letters it at its max delivery count', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe' });
        await client.createSender('batch').sendMessages({ messageId: 'poison', body: { failUntilDelivery: 99 } });
        await waitFor('the dead letter', () => (emulator.queueStats('batch').deadLetter >= 1 ? true : undefined));
        const attempts = host.events.filter(finished('queueProbe'));
        expect(attempts.map((event) => event.kind === 'invocationFinished' && event.ok)).toEqual([false, false, false]);
        const receiver = client.createReceiver('batch', { subQueueType: 'deadLetter' });
        const [dead] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
        expect(dead?.messageId).toBe('poison');
        expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
        await receiver.completeMessage(dead!);
        await receiver.close();
    });

    it('on stop, abandons the messages of an invocation that does not finish in time, so they come back at once', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe', PROBE_QUEUE: 'held' }, { stopGraceMs: 300 });
        await client.createSender('held').sendMessages({ messageId: 'slow', body: { holdMs: 30_000 } });
        await host.waitForEvent((event) => event.kind === 'invocationStarted', 10_000);
        await host.stop();
        expect((await host.exited).code).toBe(0);
        // Abandoned, not left locked: available again without waiting for the lock to expire.
        expect(emulator.queueStats('held')).toMatchObject({ active: 1, locked: 0 });
        const next = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe', PROBE_QUEUE: 'held' }, { stopGraceMs: 300 });
        const redelivered = await next.waitForEvent(
            (event): event is Extract<HostEvent, { kind: 'invocationStarted' }> => event.kind === 'invocationStarted',
            10_000,
        );
        expect(redelivered.deliveryCounts).toEqual([2]);
        await next.kill();
    });

    it('when the process is killed mid-batch, the batch comes back after the lock expires with the delivery count up', async () => {
        const host = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe', PROBE_QUEUE: 'killed' });
        await client.createSender('killed').sendMessages([
            { messageId: 'k1', body: { holdMs: 30_000 } },
            { messageId: 'k2', body: { n: 2 } },
        ]);
        await host.waitForEvent((event) => event.kind === 'invocationStarted', 10_000);
        await host.kill();
        expect(emulator.queueStats('killed').locked).toBe(2);
        const next = await startHost({ AzureFunctionsJobHost__functions__0: 'queueProbe', PROBE_QUEUE: 'killed' });
        const redelivered = await next.waitForEvent(
            (event): event is Extract<HostEvent, { kind: 'invocationStarted' }> => event.kind === 'invocationStarted',
            10_000,
        );
        expect(redelivered.messageIds).toEqual(['k1', 'k2']);
        expect(redelivered.deliveryCounts).toEqual([2, 2]);
    });

    it('refuses an identity-based connection with a clear message and runs the other functions', async () => {
        const host = await startHost({
            ProbeServiceBus: '',
            ProbeServiceBus__fullyQualifiedNamespace: 'contoso-risk.servicebus.windows.net',
        });
        const errors = host.events.filter((event) => event.kind === 'functionError');
        expect(errors.map((event) => event.kind === 'functionError' && event.functionName)).toEqual(['queueProbe', 'singleProbe']);
        expect(errors[0]).toMatchObject({
            message: expect.stringContaining('identity-based (contoso-risk.servicebus.windows.net); the local host needs a connection string in the app setting ProbeServiceBus'),
        });
        await host.waitForEvent(finished('timerProbe'), 10_000);
    });

    it('fails a function whose %SETTING% is missing, naming the setting', async () => {
        const host = await startHost({ PROBE_SCHEDULE: '' , AzureFunctionsJobHost__functions__0: 'timerProbe' });
        expect(host.events.find((event) => event.kind === 'functionError')).toMatchObject({
            functionName: 'timerProbe',
            message: expect.stringContaining("'%PROBE_SCHEDULE%' does not resolve to a value"),
        });
    });
});
