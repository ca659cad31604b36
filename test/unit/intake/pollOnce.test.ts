import { Detection } from '../../../shared/detection';
import { sentKey } from '../../../shared/intake/checkpoint';
import { pollOnce, PollConfig, RiskDetectionSource } from '../../../shared/intake/pollOnce';
import { silentLogger } from '../../../shared/logger';
import { AppError } from '../../../shared/errors';
import { FakeClock } from '../../fakes/fakeClock';
import { InMemoryCheckpointStore } from '../../fakes/inMemoryCheckpointStore';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { aDetection } from '../../fixtures/detections';

/** A source over an in-memory list that honours `since` and `levels` the way the Graph filter does. */
class ListSource implements RiskDetectionSource {
    readonly calls: Array<{ since: Date; levels: readonly string[] }> = [];
    failAfterPages: number | undefined;
    constructor(
        public detections: Detection[],
        private readonly pageSize = 2,
    ) {}
    async *listUpdatedSince(since: Date, levels: readonly string[]): AsyncGenerator<Detection[]> {
        this.calls.push({ since, levels });
        const matching = this.detections.filter(
            (d) => Date.parse(d.lastUpdatedDateTime) >= since.getTime() && levels.includes(d.riskLevel),
        );
        for (let start = 0, page = 0; start < matching.length; start += this.pageSize, page++) {
            if (this.failAfterPages !== undefined && page >= this.failAfterPages) {
                throw new AppError('graph.throttled', 'simulated throttling past the budget', true);
            }
            yield matching.slice(start, start + this.pageSize);
        }
    }
}

const config: PollConfig = {
    tenantId: 'tenant-1',
    levels: ['high'],
    overlapMs: 15 * 60_000,
    initialLookbackMs: 24 * 3_600_000,
    timeBudgetMs: 240_000,
};

function setUp(detections: Detection[]) {
    const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
    const source = new ListSource(detections);
    const queue = new RecordingQueue(2);
    const checkpoints = new InMemoryCheckpointStore();
    return { clock, source, queue, checkpoints, deps: { clock, source, queue, checkpoints } };
}

describe('pollOnce (issue #2)', () => {
    it('when there is no checkpoint, then it starts from now minus the initial look-back', async () => {
        const { deps, source } = setUp([]);
        await pollOnce(deps, config, silentLogger);
        expect(source.calls[0]!.since.toISOString()).toBe('2026-05-31T12:00:00.000Z');
    });

    it('when --since is given and there is no checkpoint, then it starts there', async () => {
        const { deps, source } = setUp([]);
        await pollOnce(deps, { ...config, since: new Date('2026-05-01T00:00:00Z') }, silentLogger);
        expect(source.calls[0]!.since.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    });

    it('queues at-risk detections at a queued level and skips others', async () => {
        const queued = aDetection();
        const dismissed = aDetection({ riskState: 'dismissed' });
        const { deps, queue } = setUp([queued, dismissed, aDetection({ riskLevel: 'medium' })]);
        const result = await pollOnce(deps, config, silentLogger);
        expect(queue.detectionKeys()).toEqual([sentKey(queued)]);
        expect(result).toMatchObject({ listed: 2, queued: 1, skippedNotActionable: 1 });
    });

    it('advances readFrom to the largest lastUpdatedDateTime minus the overlap, whatever the page order', async () => {
        const { deps, checkpoints } = setUp([
            aDetection({ lastUpdatedDateTime: '2026-06-01T11:40:00Z' }),
            aDetection({ lastUpdatedDateTime: '2026-06-01T11:58:00.1234567Z' }),
            aDetection({ lastUpdatedDateTime: '2026-06-01T11:10:00Z' }),
        ]);
        await pollOnce(deps, config, silentLogger);
        expect(checkpoints.current).toMatchObject({
            watermark: '2026-06-01T11:58:00.1234567Z',
            readFrom: '2026-06-01T11:43:00.123Z',
        });
    });

    it('when the same unchanged detection is listed again in the overlap, then it is not queued twice', async () => {
        const detection = aDetection({ lastUpdatedDateTime: '2026-06-01T11:55:00Z' });
        const { deps, queue } = setUp([detection]);
        await pollOnce(deps, config, silentLogger);
        await pollOnce(deps, config, silentLogger);
        expect(queue.accepted).toHaveLength(1);
    });

    it('when a detection changes (level raised to high), then the new version is queued (I1)', async () => {
        const detection = aDetection({ riskLevel: 'medium', lastUpdatedDateTime: '2026-06-01T11:30:00Z' });
        const { deps, source, queue, clock } = setUp([detection]);
        await pollOnce(deps, config, silentLogger);
        expect(queue.accepted).toHaveLength(0);
        source.detections = [{ ...detection, riskLevel: 'high', lastUpdatedDateTime: '2026-06-01T12:03:00Z' }];
        clock.advance(5 * 60_000);
        await pollOnce(deps, config, silentLogger);
        expect(queue.detectionKeys()).toEqual([`${detection.id}@2026-06-01T12:03:00Z`]);
    });

    it('when a late detection surfaces with an update time inside the overlap, then it is queued (I1)', async () => {
        const early = aDetection({ lastUpdatedDateTime: '2026-06-01T11:58:00Z' });
        const { deps, source, queue } = setUp([early]);
        await pollOnce(deps, config, silentLogger);
        const late = aDetection({ detectionTimingType: 'offline', lastUpdatedDateTime: '2026-06-01T11:49:00Z' });
        source.detections.push(late);
        await pollOnce(deps, config, silentLogger);
        expect(queue.detectionKeys()).toEqual([sentKey(early), sentKey(late)]);
    });

    it('forgets sent keys only once no listing can return them again', async () => {
        const old = aDetection({ lastUpdatedDateTime: '2026-06-01T10:00:00Z' });
        const recent = aDetection({ lastUpdatedDateTime: '2026-06-01T11:59:00Z' });
        const { deps, checkpoints } = setUp([old, recent]);
        await pollOnce(deps, config, silentLogger);
        expect(checkpoints.current!.sent).toEqual([sentKey(recent)]);
    });

    it('when the crash comes between send and checkpoint, then the next cycle sends the same message ids again and loses nothing (I3)', async () => {
        const detection = aDetection();
        const { deps, queue, checkpoints } = setUp([detection]);
        checkpoints.failNextWrite = true;
        await expect(pollOnce(deps, config, silentLogger)).rejects.toMatchObject({ code: 'storage.failed' });
        await pollOnce(deps, config, silentLogger);
        expect(queue.accepted.map((m) => m.messageId)).toEqual([
            queue.accepted[0]!.messageId,
            queue.accepted[0]!.messageId,
        ]);
        expect(checkpoints.current!.sent).toEqual([sentKey(detection)]);
    });

    it('when listing fails part-way, then what was listed is queued, recorded, the watermark stays, and the error is rethrown', async () => {
        const detections = [1, 2, 3, 4, 5].map((minute) =>
            aDetection({ lastUpdatedDateTime: `2026-06-01T11:5${minute}:00Z` }),
        );
        const { deps, source, queue, checkpoints } = setUp(detections);
        source.failAfterPages = 1;
        await expect(pollOnce(deps, config, silentLogger)).rejects.toMatchObject({ code: 'graph.throttled' });
        expect(queue.accepted).toHaveLength(2);
        expect(checkpoints.current).toMatchObject({ readFrom: '2026-05-31T12:00:00.000Z', watermark: null });
        source.failAfterPages = undefined;
        await pollOnce(deps, config, silentLogger);
        expect(new Set(queue.detectionKeys())).toEqual(new Set(detections.map(sentKey)));
        expect(queue.accepted).toHaveLength(5);
    });

    it('when the queue refuses part-way, then only accepted messages are recorded and the rest go next cycle', async () => {
        const detections = [1, 2, 3].map((minute) =>
            aDetection({ lastUpdatedDateTime: `2026-06-01T11:5${minute}:00Z` }),
        );
        const { deps, queue, checkpoints } = setUp(detections);
        queue.acceptBatches = 1;
        await expect(pollOnce(deps, config, silentLogger)).rejects.toMatchObject({ code: 'queue.failed' });
        expect(checkpoints.current!.sent).toHaveLength(2);
        expect(checkpoints.current!.watermark).toBeNull();
        queue.acceptBatches = Number.POSITIVE_INFINITY;
        await pollOnce(deps, config, silentLogger);
        expect(queue.accepted).toHaveLength(3);
        expect(checkpoints.current!.watermark).toBe('2026-06-01T11:53:00Z');
    });

    it('when the time budget is spent, then it stops listing, keeps progress and leaves the watermark', async () => {
        const detections = [1, 2, 3, 4, 5, 6].map((minute) =>
            aDetection({ lastUpdatedDateTime: `2026-06-01T11:5${minute}:00Z` }),
        );
        const { deps, queue, checkpoints, clock } = setUp(detections);
        const slowSource: RiskDetectionSource = {
            async *listUpdatedSince(since, levels) {
                for await (const page of new ListSource(detections).listUpdatedSince(since, levels)) {
                    clock.advance(200_000);
                    yield page;
                }
            },
        };
        const result = await pollOnce({ ...deps, source: slowSource }, config, silentLogger);
        expect(result.complete).toBe(false);
        expect(result.pages).toBe(2); // 200 s per page: the second page passes the 240 s budget
        expect(queue.accepted).toHaveLength(4);
        expect(checkpoints.current!.watermark).toBeNull();
    });

    it('derives the message id from tenant, detection id and lastUpdatedDateTime', async () => {
        const detection = aDetection();
        const { deps, queue } = setUp([detection]);
        await pollOnce(deps, config, silentLogger);
        const other = setUp([detection]);
        await pollOnce(other.deps, { ...config, tenantId: 'tenant-2' }, silentLogger);
        expect(queue.accepted[0]!.messageId).toMatch(/^[0-9a-f]{64}$/);
        expect(other.queue.accepted[0]!.messageId).not.toBe(queue.accepted[0]!.messageId);
    });
});
