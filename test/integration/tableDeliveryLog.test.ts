/** The delivery log in Azure Table Storage, against Azurite (started by globalSetup). */
import { randomUUID } from 'node:crypto';

import { createDeliveryLog } from '../../shared/notify/createNotifyComponents';
import { DeliveryRecord } from '../../shared/notify/deliveryLog';
import { loadNotifySettings } from '../../shared/settings/notifySettings';

const record = (jobId: string, status: DeliveryRecord['status'], attempts: number): DeliveryRecord => ({
    jobId,
    tenantId: 'tenant-1',
    time: new Date().toISOString(),
    kind: 'digest',
    owner: 'secops',
    channel: 'teams',
    status,
    attempts,
    reason: status === 'delivered' ? 'delivered' : 'POST https://prod-01.westus.logic.azure.com/… answered 503',
    decisionIds: ['d1', 'd2'],
});

describe('TableDeliveryLog (issue #4)', () => {
    it('upserts one entity per job and reads the latest back; unknown jobs are absent', async () => {
        const table = `notify${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const log = createDeliveryLog(loadNotifySettings({ AzureWebJobsStorage: process.env.AZURITE_CONNECTION_STRING!, DELIVERY_LOG_TABLE: table }), 'tenant-1');
        const jobId = 'a'.repeat(64);

        expect(await log.get(jobId)).toBeUndefined();
        await log.put(record(jobId, 'retrying', 1));
        await log.put(record(jobId, 'delivered', 2));

        expect(await log.get(jobId)).toEqual({ ...record(jobId, 'delivered', 2), time: expect.any(String) });
        expect(await log.get('b'.repeat(64))).toBeUndefined();
    });
});
