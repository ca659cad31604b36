import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DeliveryRecord } from '../../../shared/notify/deliveryLog';
import { deliveryLogFileIn, FileDeliveryLog } from '../../../shared/notify/fileDeliveryLog';
import { notificationJobId, notificationMessageId, parseNotificationJob } from '../../../shared/notify/notificationJob';
import { planOwnerDigests, toNotificationJob } from '../../../shared/notify/planMessages';
import { aDecisionReport } from '../../fixtures/decisionReports';

const context = { tenantId: 'tenant-1', portalUrl: 'https://entra.microsoft.com', emailEnabled: true };

describe('delivery job contract, version 1 (issue #4)', () => {
    const [job] = planOwnerDigests([aDecisionReport({ notify: ['secops'] })], { secops: { teams: 'https://x.logic.azure.com/w?sig=1' } }, context).messages.map(
        (planned) => toNotificationJob(planned, 'tenant-1', new Date('2026-06-01T12:00:00Z')),
    );

    it('round-trips through JSON text and buffers, as Service Bus hands bodies over', () => {
        expect(parseNotificationJob(JSON.stringify(job))).toEqual({ ok: true, job });
        expect(parseNotificationJob(Buffer.from(JSON.stringify(job)))).toEqual({ ok: true, job });
    });

    it('rejects another version and a Teams job carrying a URL target, naming the fields', () => {
        expect(parseNotificationJob({ ...job, version: 2 })).toEqual({ ok: false, reason: expect.stringContaining('version') });
        expect(parseNotificationJob({ ...job, target: { kind: 'url', url: 'https://x' } })).toEqual({ ok: false, reason: expect.stringContaining('target') });
    });

    it('job ids are deterministic: the same owner, channel and decisions give the same id whatever their order', () => {
        const id = notificationJobId('t', 'digest', 'owner:secops', 'teams', ['b', 'a']);
        expect(notificationJobId('t', 'digest', 'owner:secops', 'teams', ['a', 'b'])).toBe(id);
        expect(id).toMatch(/^[0-9a-f]{64}$/);
        expect(notificationJobId('t', 'digest', 'owner:secops', 'email', ['a', 'b'])).not.toBe(id);
        expect(notificationJobId('t', 'digest', 'owner:oncall', 'teams', ['a', 'b'])).not.toBe(id);
        expect(notificationJobId('t', 'digest', 'owner:secops', 'teams', ['a'])).not.toBe(id);
        expect(notificationJobId('u', 'digest', 'owner:secops', 'teams', ['a', 'b'])).not.toBe(id);
    });

    it('a retry has its own message id (so duplicate detection keeps it), stable per attempt', () => {
        expect(notificationMessageId({ jobId: job!.jobId, attempt: 1 })).toBe(job!.jobId);
        expect(notificationMessageId({ jobId: job!.jobId, attempt: 3 })).toBe(`${job!.jobId}.3`);
        expect(notificationMessageId({ jobId: job!.jobId, attempt: 3 }).length).toBeLessThanOrEqual(128);
    });
});

describe('FileDeliveryLog', () => {
    let dir: string;
    beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'delivery-log-'));
    });
    afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    const record = (status: DeliveryRecord['status']): DeliveryRecord => ({
        jobId: 'j1',
        tenantId: 't',
        time: '2026-06-01T12:00:00.000Z',
        kind: 'digest',
        owner: 'secops',
        channel: 'teams',
        status,
        attempts: 1,
        reason: status,
        decisionIds: ['d1'],
    });

    it('returns the latest record of a job, and nothing for an unknown one', async () => {
        const log = new FileDeliveryLog(deliveryLogFileIn(dir));
        expect(await log.get('j1')).toBeUndefined();
        await log.put(record('retrying'));
        await log.put({ ...record('delivered'), attempts: 2 });
        expect(await log.get('j1')).toMatchObject({ status: 'delivered', attempts: 2 });
        expect(await log.list()).toHaveLength(1);
    });

    it('a corrupt line is a storage error naming the line', async () => {
        await writeFile(deliveryLogFileIn(dir), '{"jobId":1}\n');
        await expect(new FileDeliveryLog(deliveryLogFileIn(dir)).get('j1')).rejects.toMatchObject({ code: 'storage.failed', message: expect.stringContaining('line 1') });
    });
});
