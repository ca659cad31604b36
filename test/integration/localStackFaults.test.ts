/**
 * Faults on the local stack (issue 5), each asserting that nothing is lost and nothing repeated: the consumer
 * process killed mid-batch, the poller killed between the send and the checkpoint write, the Service Bus emulator
 * restarted, Graph 429 storms and 5xx bursts, a poison message, and a rules file made invalid while running.
 * Functions run one per host process here (as Azure may run them on different instances), so one can be killed.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';

import { ServiceBusClient } from '@azure/service-bus';

import type { HostEvent } from '../../dev/host';
import type { LocalStack } from '../../dev/local/localStack';
import { actionableUsers, addDetection, auditByUser, riskStateOf, startTestStack, waitFor, writes } from './localStackHarness';

jest.setTimeout(90_000);

type Started = Extract<HostEvent, { kind: 'invocationStarted' }>;
type Finished = Extract<HostEvent, { kind: 'invocationFinished' }>;
const isStarted = (functionName: string) => (event: HostEvent): event is Started =>
    event.kind === 'invocationStarted' && event.functionName === functionName;
const isFinished = (functionName: string) => (event: HostEvent): event is Finished =>
    event.kind === 'invocationFinished' && event.functionName === functionName;

/** Every decision of these users is final (not `pending`). */
async function decided(stack: LocalStack, userIds: readonly string[]): Promise<boolean> {
    const byUser = await auditByUser(stack);
    return userIds.every((id) => (byUser.get(id) ?? []).some((record) => record.outcome !== 'pending'));
}

describe('faults on the local stack (issue 5)', () => {
    let stack: (LocalStack & { lines: string[] }) | undefined;

    afterEach(async () => {
        await stack?.stop();
        stack = undefined;
    });

    it('consumer killed mid-batch: the batch comes back, actions already taken are not repeated, the rest are done', async () => {
        // The lock outlasts the trigger's batch wait (host.json maxBatchWaitTime) but expires soon after a kill.
        stack = await startTestStack({ layout: 'perFunction', riskQueue: { lockDurationMs: 6_000, maxDeliveryCount: 10 } });
        const tenant = stack.tenant!;
        const [a, b, c, d] = actionableUsers(tenant);
        // The dismissal call is held without an answer, after the confirmation went through: the batch is mid-way.
        stack.simulator!.injectFaults([{ pathPattern: /\/riskyUsers\/dismiss$/, kind: 'timeout', count: 1 }]);
        addDetection(tenant, a!, 'leaked');
        addDetection(tenant, b!, 'threatIntel');
        addDetection(tenant, c!, 'leaked');
        addDetection(tenant, d!, 'anonymizedCorporate');

        await waitFor('the dismissal call to hang', () =>
            stack!.simulator!.requests.some((r) => r.path.endsWith('/riskyUsers/dismiss') && r.status === 0) || undefined,
        );
        const consumer = stack.hosts.get('remediateRisk')!;
        const killedBatch = consumer.events.filter(isStarted('remediateRisk')).at(-1)!;
        expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 0 });
        await consumer.kill();

        const restarted = await stack.startHost('remediateRisk');
        const redelivered = await restarted.waitForEvent(isStarted('remediateRisk'), 20_000);
        expect([...redelivered.messageIds!].sort()).toEqual([...killedBatch.messageIds!].sort());
        expect(redelivered.deliveryCounts).toEqual(killedBatch.messageIds!.map(() => 2));
        await restarted.waitForEvent((event) => isFinished('remediateRisk')(event) && event.ok, 20_000);

        // Nothing repeated: one confirmation call for the three users, then the held dismissal done once.
        expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 1 });
        expect(stack.simulator!.stats().usersActedOn).toEqual({ confirmCompromised: 3, dismiss: 1 });
        expect([a, b, c].map((id) => riskStateOf(tenant, id!))).toEqual(['confirmedCompromised', 'confirmedCompromised', 'confirmedCompromised']);
        expect(riskStateOf(tenant, d!)).toBe('dismissed');
        // Nothing lost: every decision recorded as applied, one record per decision.
        const byUser = await auditByUser(stack);
        for (const id of [a, b, c, d]) {
            expect(byUser.get(id!)).toEqual([expect.objectContaining({ outcome: 'applied' })]);
        }
        // Owners hear about the batch once.
        await waitFor('the secops digest', () => stack!.sink.accepted('/secops').length >= 1 || undefined);
        expect(stack.sink.accepted('/secops')).toHaveLength(1);
    });

    it('poller killed between the send and the checkpoint write: the next poll re-reads, duplicates are dropped, nothing repeats', async () => {
        const storage = process.env.AZURITE_CONNECTION_STRING!;
        const proxy = await startBlobProxy(storage);
        try {
            stack = await startTestStack({
                layout: 'perFunction',
                hostSettings: (name): Record<string, string> =>
                    name === 'pollRiskDetections' ? { AzureWebJobsStorage: proxy.connectionString } : {},
            });
            const tenant = stack.tenant!;
            const poller = stack.hosts.get('pollRiskDetections')!;
            await poller.waitForEvent(isFinished('pollRiskDetections'), 20_000);
            // The consumer waits, so the detections are still at risk when the poller comes back.
            await stack.hosts.get('remediateRisk')!.stop();
            const [a, b, c, late] = actionableUsers(tenant);
            proxy.holdNextCheckpointWrite();
            addDetection(tenant, a!, 'leaked');
            addDetection(tenant, b!, 'threatIntel');
            addDetection(tenant, c!, 'anonymizedCorporate');
            await proxy.held;
            // Service Bus accepted the three (the checkpoint write comes only after that); the poller dies now.
            expect(stack.emulator.queueStats('risk-detections').active).toBe(3);
            await poller.kill();

            // While the poller is down, one more detection arrives; then it starts again from the old checkpoint.
            addDetection(tenant, late!, 'leaked');
            const restarted = await stack.startHost('pollRiskDetections');
            await restarted.waitForEvent((event) => isFinished('pollRiskDetections')(event) && event.ok, 20_000);
            // The three were sent again under the same message ids and dropped by duplicate detection; the late one is new.
            expect(stack.emulator.queueStats('risk-detections')).toMatchObject({ active: 4, duplicatesDropped: 3 });

            await stack.startHost('remediateRisk');
            await waitFor('the four decisions', () => decided(stack!, [a!, b!, c!, late!]));
            expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 1 });
            expect(stack.simulator!.stats().usersActedOn).toEqual({ confirmCompromised: 3, dismiss: 1 });
            const byUser = await auditByUser(stack);
            for (const id of [a, b, c, late]) {
                expect(byUser.get(id!)).toEqual([expect.objectContaining({ outcome: 'applied' })]);
            }
        } finally {
            await stack?.stop();
            stack = undefined;
            await proxy.stop();
        }
    });

    it('emulator restarted: queued messages survive in its file, senders and receivers reconnect, nothing twice', async () => {
        stack = await startTestStack({ layout: 'perFunction' });
        const tenant = stack.tenant!;
        const [a, b, late] = actionableUsers(tenant);
        await stack.hosts.get('remediateRisk')!.stop();
        addDetection(tenant, a!, 'leaked');
        addDetection(tenant, b!, 'anonymizedCorporate');
        await waitFor('two messages waiting', () => stack!.emulator.queueStats('risk-detections').active === 2 || undefined);

        await stack.restartEmulator();
        expect(stack.emulator.queueStats('risk-detections')).toMatchObject({ active: 2, locked: 0 });

        await stack.startHost('remediateRisk');
        await waitFor('both decisions', () => decided(stack!, [a!, b!]));
        // The poller reconnects by itself after the restart.
        addDetection(tenant, late!, 'threatIntel');
        await waitFor('the decision after the restart', () => decided(stack!, [late!]), 30_000);
        expect(writes(stack)).toEqual({ confirmCompromised: 2, dismiss: 1 });
        expect(stack.emulator.queueStats('risk-detections')).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
    });

    it('Graph 429 storms and 5xx bursts: calls back off and retry, every detection is decided once', async () => {
        // The app paces at 5 calls/s against a tenant that allows 2: a genuine 429 storm, plus injected faults.
        stack = await startTestStack({ graphLimitPerSecond: 2, appSettings: { GRAPH_CALLS_PER_SECOND: '5' } });
        const tenant = stack.tenant!;
        const targets = actionableUsers(tenant).slice(0, 6);
        stack.simulator!.injectFaults([
            { pathPattern: /\/identityProtection\/riskDetections$/, kind: 'status429', count: 2 },
            { pathPattern: /\/identityProtection\/riskyUsers/, kind: 'status503', count: 2 },
            { pathPattern: /\/users\//, kind: 'status500', count: 1 },
            { pathPattern: /\/users\//, kind: 'status429', count: 1 },
        ]);
        targets.forEach((id, index) => addDetection(tenant, id, index % 2 === 0 ? 'leaked' : 'anonymizedCorporate'));
        await waitFor('every decision', () => decided(stack!, targets), 60_000);

        const statuses = stack.simulator!.requests.map((r) => r.status);
        expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
        expect(statuses.filter((status) => status >= 500).length).toBeGreaterThanOrEqual(2);
        expect(targets.map((id) => riskStateOf(tenant, id))).toEqual(
            targets.map((_, index) => (index % 2 === 0 ? 'confirmedCompromised' : 'dismissed')),
        );
        expect(stack.simulator!.stats().usersActedOn).toEqual({ confirmCompromised: 3, dismiss: 3 });
        const byUser = await auditByUser(stack);
        for (const id of targets) {
            expect(byUser.get(id)).toEqual([expect.objectContaining({ outcome: 'applied' })]);
        }
    });

    it('a poison message is set aside at once with its raw body and an alert; the rest of its batch goes on', async () => {
        stack = await startTestStack();
        const tenant = stack.tenant!;
        const [a] = actionableUsers(tenant);
        const client = new ServiceBusClient(stack.settings.ServiceBusConnection!, { retryOptions: { maxRetries: 1, timeoutInMs: 5000 } });
        try {
            await client.createSender('risk-detections').sendMessages([
                { messageId: 'poison-text', body: Buffer.from('this is not json') },
                { messageId: 'poison-shape', body: { version: 1, tenantId: stack.tenantId, detection: { id: 42 } } },
            ]);
        } finally {
            await client.close();
        }
        addDetection(tenant, a!, 'leaked');
        await waitFor('the decision next to the poison', () => decided(stack!, [a!]));
        await waitFor('both rejections', async () => ((await auditByUser(stack!)).get('(rejected)')?.length ?? 0) >= 2 || undefined);

        const rejected = (await auditByUser(stack)).get('(rejected)')!;
        expect(rejected.map((record) => record.messageIds[0]).sort()).toEqual(['poison-shape', 'poison-text']);
        expect(rejected.find((record) => record.messageIds[0] === 'poison-text')).toMatchObject({
            outcome: 'rejected',
            rawBody: 'this is not json',
            reason: expect.stringContaining('message.invalid'),
        });
        // Set aside on the first delivery: never redelivered, never dead-lettered.
        const consumer = stack.hosts.get('all')!;
        const poisonDeliveries = consumer.events
            .filter(isStarted('remediateRisk'))
            .flatMap((event) => event.messageIds!.map((id, index) => ({ id, deliveryCount: event.deliveryCounts![index] })))
            .filter((delivery) => delivery.id.startsWith('poison'));
        expect(poisonDeliveries.map((delivery) => delivery.deliveryCount)).toEqual([1, 1]);
        // Completed on return: nothing waits, nothing is locked, nothing was dead-lettered.
        await waitFor('the batch to complete', () => stack!.emulator.queueStats('risk-detections').locked === 0 || undefined);
        expect(stack.emulator.queueStats('risk-detections')).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
        expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 0 });
        // The alert owner hears about each rejected message once (ALERT_TEAMS_WEBHOOK is the sink's /alerts).
        await waitFor('the two alerts', () => stack!.sink.accepted('/alerts').length >= 2 || undefined);
        expect(stack.sink.accepted('/alerts')).toHaveLength(2);
        await stack.refresh();
        expect(stack.monitor.counts()).toMatchObject({ rejected: 2, decided: 1 });
        expect(stack.lines.join('\n')).toMatch(/rejected {3}message poison-text: message\.invalid/);
    });

    it('rules file made invalid while running: actions stop, intake goes on, the batch is retried then dead-lettered with a reason; a fixed file acts again', async () => {
        stack = await startTestStack({ riskQueue: { lockDurationMs: 10_000, maxDeliveryCount: 3 } });
        const tenant = stack.tenant!;
        const [a, b] = actionableUsers(tenant);
        const valid = await readFile(stack.rulesFile, 'utf8');
        await writeFile(stack.rulesFile, `${valid}\n  - id: broken\n    then: { action: lock }\n`);
        const polledBefore = stack.monitor.polls.length;
        addDetection(tenant, a!, 'leaked');

        await waitFor('the dead letter', () => stack!.emulator.queueStats('risk-detections').deadLetter === 1 || undefined, 40_000);
        // Intake went on polling; no action was taken; every attempt failed on the rules file.
        expect(stack.monitor.polls.length).toBeGreaterThan(polledBefore);
        expect(writes(stack)).toEqual({ confirmCompromised: 0, dismiss: 0 });
        expect(riskStateOf(tenant, a!)).toBe('atRisk');
        const attempts = stack.hosts.get('all')!.events.filter(isFinished('remediateRisk'));
        expect(attempts.map((event) => event.ok)).toEqual([false, false, false]);
        expect(attempts[0]!.error).toMatch(/rules/i);
        await stack.refresh();
        expect(stack.monitor.deadLetters).toEqual([expect.objectContaining({ queue: 'risk-detections', reason: 'MaxDeliveryCountExceeded' })]);
        expect(stack.lines.join('\n')).toMatch(/deadletter risk-detections message [0-9a-f]{64}: MaxDeliveryCountExceeded/);
        // The owners were told once that the rules file is invalid (the alert is keyed per file, problems and hour).
        await waitFor('the rules alert', () => stack!.sink.accepted('/alerts').length >= 1 || undefined);
        expect(stack.sink.accepted('/alerts')).toHaveLength(1);

        // Fixed: the next detection is acted on, once.
        await writeFile(stack.rulesFile, valid);
        addDetection(tenant, b!, 'leaked');
        await waitFor('the decision after the fix', () => decided(stack!, [b!]));
        expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 0 });
        expect(riskStateOf(tenant, b!)).toBe('confirmedCompromised');
        expect(stack.monitor.counts()).toMatchObject({ deadLettered: 1 });
    });
});

/**
 * A pass-through proxy in front of Azurite's blob endpoint that can hold the next checkpoint write without an
 * answer: the poller is then between "Service Bus accepted the batch" and "the checkpoint moved".
 */
async function startBlobProxy(connectionString: string): Promise<{
    connectionString: string;
    holdNextCheckpointWrite(): void;
    held: Promise<void>;
    stop(): Promise<void>;
}> {
    const match = /BlobEndpoint=http:\/\/127\.0\.0\.1:(\d+)\//.exec(connectionString);
    if (!match) {
        throw new Error('the blob proxy needs an explicit BlobEndpoint on 127.0.0.1');
    }
    const target = Number(match[1]);
    let armed = false;
    let markHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
        markHeld = resolve;
    });
    const heldRequests: IncomingMessage[] = [];
    const server: Server = createServer((incoming, outgoing) => {
        if (armed && incoming.method === 'PUT' && /checkpoint-/.test(incoming.url ?? '')) {
            armed = false;
            heldRequests.push(incoming);
            markHeld();
            return;
        }
        const forward = httpRequest(
            { host: '127.0.0.1', port: target, method: incoming.method, path: incoming.url, headers: incoming.headers },
            (answer) => {
                outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(outgoing);
            },
        );
        forward.on('error', () => outgoing.destroy());
        incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    return {
        connectionString: connectionString.replace(`BlobEndpoint=http://127.0.0.1:${target}/`, `BlobEndpoint=http://127.0.0.1:${port}/`),
        holdNextCheckpointWrite: () => {
            armed = true;
        },
        held,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
