import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../shared/clock';
import { FileCheckpointStore } from '../../shared/intake/fileCheckpointStore';
import { createGraphRiskDetectionSource } from '../../shared/intake/graphRiskDetectionSource';
import { pollOnce, PollConfig } from '../../shared/intake/pollOnce';
import { silentLogger } from '../../shared/logger';
import { RecordingQueue } from '../fakes/recordingQueue';
import { GraphHarness, startGraphHarness } from './graphHarness';

const minute = 60_000;

describe('intake against the Graph simulator (issue #2)', () => {
    let harness: GraphHarness;
    let queue: RecordingQueue;
    let checkpoints: FileCheckpointStore;
    let config: PollConfig;

    /** A fresh simulator, checkpoint folder and queue, with Graph options for the test at hand. */
    async function useHarness(options: Parameters<typeof startGraphHarness>[0] = {}): Promise<void> {
        await harness?.simulator.stop();
        harness = await startGraphHarness(options);
        queue = new RecordingQueue(100);
        checkpoints = new FileCheckpointStore(mkdtempSync(join(tmpdir(), 'rr-intake-')), harness.tenant.tenantId);
        config = {
            tenantId: harness.tenant.tenantId,
            levels: ['high'],
            overlapMs: 15 * minute,
            initialLookbackMs: 24 * 60 * minute,
            timeBudgetMs: 60_000,
            since: new Date('2026-06-01T00:00:00Z'),
        };
    }

    beforeEach(async () => {
        await useHarness();
    });
    afterEach(async () => {
        await harness.simulator.stop();
    });

    const poll = (graph = harness.graph) =>
        pollOnce(
            { source: createGraphRiskDetectionSource(graph), queue, checkpoints, clock: systemClock },
            config,
            silentLogger,
        );

    function addUsers(count: number): string[] {
        return Array.from(
            { length: count },
            (_, i) =>
                harness.tenant.addUser({ userPrincipalName: `user${i}@contoso.example`, displayName: `User ${i}` }).id,
        );
    }

    function addDetection(userId: string, lastUpdated: string, overrides: Record<string, unknown> = {}) {
        return harness.tenant.addDetection({
            userId,
            riskEventType: 'unfamiliarFeatures',
            riskLevel: 'high',
            lastUpdatedDateTime: lastUpdated,
            ...overrides,
        });
    }

    it('pages through 1,234 detections with $top=500 (3 identity-protection calls) and queues each exactly once', async () => {
        const users = addUsers(50);
        for (let i = 0; i < 1234; i++) {
            addDetection(users[i % 50]!, new Date(Date.parse('2026-06-01T10:00:00Z') + i * 1000).toISOString());
        }
        const result = await poll();
        expect(result).toMatchObject({ listed: 1234, pages: 3, queued: 1234, complete: true });
        expect(new Set(queue.detectionKeys()).size).toBe(1234);
        expect(harness.simulator.stats().identityProtectionCalls).toBe(3);
        const request = harness.simulator.requests[0]!;
        expect(request.query).toContain('$top=500');
        expect(request.query).toMatch(/lastUpdatedDateTime ge 2026-06-01T00:00:00\.000Z and \(riskLevel eq 'high'\)/);
        expect(request.query).toContain('$select=id,userId');

        await poll();
        expect(queue.accepted).toHaveLength(1234);
    });

    it('a late offline detection whose update time is inside the overlap is queued on a later cycle (I1)', async () => {
        const [user] = addUsers(1);
        addDetection(user!, '2026-06-01T11:58:00Z');
        await poll();
        const late = addDetection(user!, '2026-06-01T11:50:00Z', {
            detectionTimingType: 'offline',
            riskEventType: 'leakedCredentials',
            visibleAt: new Date('2026-06-01T12:04:00Z'),
        });
        await poll();
        expect(queue.accepted).toHaveLength(1);
        harness.now.value = new Date('2026-06-01T12:05:00Z');
        await poll();
        expect(queue.accepted.map((m) => m.body.detection.id)).toContain(late.id);
        expect(queue.accepted).toHaveLength(2);
    });

    it('a detection whose level rises to high after it was first seen is queued then (I1)', async () => {
        const [user] = addUsers(1);
        const detection = addDetection(user!, '2026-06-01T11:30:00Z', { riskLevel: 'medium' });
        await poll();
        expect(queue.accepted).toHaveLength(0);
        harness.now.value = new Date('2026-06-01T12:10:00Z');
        harness.tenant.updateDetection(detection.id, { riskLevel: 'high' });
        await poll();
        expect(queue.accepted.map((m) => [m.body.detection.id, m.body.detection.riskLevel])).toEqual([
            [detection.id, 'high'],
        ]);
    });

    it('a crash between send and checkpoint resends the same message ids and loses nothing (I3)', async () => {
        const users = addUsers(3);
        users.forEach((user, i) => addDetection(user, `2026-06-01T11:5${i}:00Z`));
        const crashing = Object.assign(Object.create(checkpoints) as FileCheckpointStore, {
            write: () => Promise.reject(new Error('process killed before the checkpoint write')),
        });
        await expect(
            pollOnce(
                {
                    source: createGraphRiskDetectionSource(harness.graph),
                    queue,
                    checkpoints: crashing,
                    clock: systemClock,
                },
                config,
                silentLogger,
            ),
        ).rejects.toThrow('process killed');
        const firstIds = queue.accepted.map((m) => m.messageId);
        await poll();
        expect(queue.accepted.slice(3).map((m) => m.messageId)).toEqual(firstIds);
        await poll();
        expect(queue.accepted).toHaveLength(6);
    });

    it('a 429 storm (no Retry-After) is absorbed by back-off and every detection is queued', async () => {
        const users = addUsers(3);
        users.forEach((user, i) => addDetection(user, `2026-06-01T11:5${i}:00Z`));
        harness.simulator.injectFaults([{ pathPattern: /identityProtection/, kind: 'status429', count: 3 }]);
        const result = await poll();
        expect(result.queued).toBe(3);
        expect(harness.simulator.requests.filter((r) => r.status === 429)).toHaveLength(3);
    });

    it('the tenant limit is respected: with the pacer at the limit, the simulator throttles nothing', async () => {
        await useHarness({ limitPerSecond: 20, callsPerSecond: 20 });
        const users = addUsers(20);
        for (let i = 0; i < 3000; i++) {
            addDetection(users[i % 20]!, new Date(Date.parse('2026-06-01T10:00:00Z') + i * 1000).toISOString());
        }
        const started = Date.now();
        await poll();
        expect(harness.simulator.stats()).toMatchObject({ identityProtectionCalls: 6, throttled: 0 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 50); // six calls, paced 50 ms apart
    });

    it('when 429s outlast the retry budget, the cycle fails with graph.throttled, keeps its progress and the next cycle completes', async () => {
        await useHarness({ maxAttempts: 3 });
        const [user] = addUsers(1);
        for (let i = 0; i < 600; i++) {
            addDetection(user!, new Date(Date.parse('2026-06-01T10:00:00Z') + i * 1000).toISOString());
        }
        // The first page is served; then Graph throttles more often than the budget of 3 attempts allows.
        const source = createGraphRiskDetectionSource(harness.graph);
        const throttledAfterFirstPage = {
            async *listUpdatedSince(since: Date, levels: readonly string[]) {
                let pages = 0;
                for await (const page of source.listUpdatedSince(since, levels)) {
                    if (++pages === 1) {
                        harness.simulator.injectFaults([
                            { pathPattern: /identityProtection/, kind: 'status429', count: 3 },
                        ]);
                    }
                    yield page;
                }
            },
        };
        await expect(
            pollOnce({ source: throttledAfterFirstPage, queue, checkpoints, clock: systemClock }, config, silentLogger),
        ).rejects.toMatchObject({ code: 'graph.throttled' });
        expect(queue.accepted).toHaveLength(500);
        expect((await checkpoints.read())!.watermark).toBeNull();
        await poll();
        expect(new Set(queue.detectionKeys()).size).toBe(600);
        expect(queue.accepted).toHaveLength(600);
    });

    it.each([
        ['status500', 2],
        ['status503', 1],
        ['timeout', 1],
    ] as const)('transient %s faults are retried and the cycle completes', async (kind, count) => {
        await useHarness({ timeoutMs: 300 });
        const [user] = addUsers(1);
        addDetection(user!, '2026-06-01T11:55:00Z');
        harness.simulator.injectFaults([{ pathPattern: /identityProtection/, kind, count }]);
        const result = await poll();
        expect(result.queued).toBe(1);
    });

    it.each([['malformedJson'], ['malformedShape']] as const)(
        'a %s page fails the cycle with graph.malformed and the checkpoint does not move past it',
        async (kind) => {
            const [user] = addUsers(1);
            addDetection(user!, '2026-06-01T11:55:00Z');
            harness.simulator.injectFaults([{ pathPattern: /identityProtection/, kind, count: 1 }]);
            await expect(poll()).rejects.toMatchObject({ code: 'graph.malformed' });
            expect((await checkpoints.read())?.watermark ?? null).toBeNull();
            const result = await poll();
            expect(result.queued).toBe(1);
        },
    );
});
