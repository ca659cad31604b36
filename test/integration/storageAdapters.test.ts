import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { randomUUID } from 'node:crypto';

import { BlobCheckpointStore } from '../../shared/intake/blobCheckpointStore';
import { Checkpoint } from '../../shared/intake/checkpoint';
import { AuditRecord } from '../../shared/remediation/auditRecord';
import { TableAuditStore } from '../../shared/remediation/tableAuditStore';

const connectionString = () => process.env.AZURITE_CONNECTION_STRING!;

const checkpoint = (readFrom: string): Checkpoint => ({
    version: 1,
    readFrom,
    watermark: readFrom,
    sent: ['abc@2026-06-01T12:00:00Z'],
    updatedAt: readFrom,
});

describe('BlobCheckpointStore on Azurite', () => {
    const container = () =>
        BlobServiceClient.fromConnectionString(connectionString()).getContainerClient(`cp-${randomUUID()}`);

    it('reads nothing before the first write, then what was written', async () => {
        const store = new BlobCheckpointStore(container(), 'tenant-1');
        expect(await store.read()).toBeUndefined();
        await store.write(checkpoint('2026-06-01T12:00:00.000Z'));
        await store.write(checkpoint('2026-06-01T12:05:00.000Z'));
        expect(await store.read()).toEqual(checkpoint('2026-06-01T12:05:00.000Z'));
    });

    it('when another poller wrote since our read, the write fails with checkpoint.conflict (ETag)', async () => {
        const shared = container();
        const first = new BlobCheckpointStore(shared, 'tenant-1');
        const second = new BlobCheckpointStore(shared, 'tenant-1');
        await first.read();
        await second.read();
        await second.write(checkpoint('2026-06-01T12:00:00.000Z'));
        await expect(first.write(checkpoint('2026-06-01T12:01:00.000Z'))).rejects.toMatchObject({
            code: 'checkpoint.conflict',
        });
        expect(await first.read()).toEqual(checkpoint('2026-06-01T12:00:00.000Z'));
    });
});

describe('TableAuditStore on Azurite', () => {
    const record = (
        decisionId: string,
        userId: string,
        time: string,
        outcome: AuditRecord['outcome'],
    ): AuditRecord => ({
        decisionId,
        tenantId: 'tenant-1',
        time,
        userId,
        userPrincipalName: `${userId}@contoso.example`,
        action: 'confirmCompromised',
        mode: 'enforce',
        outcome,
        ruleId: 'leaked-credentials',
        detectionIds: ['d1', 'd2'],
        reason: 'rule leaked-credentials',
        messageIds: ['m1'],
    });

    function store(): TableAuditStore {
        const table = TableClient.fromConnectionString(connectionString(), `audit${randomUUID().replace(/-/g, '')}`, {
            allowInsecureConnection: true,
        });
        return new TableAuditStore(table, 'tenant-1');
    }

    it('upserts by decision id and reads records back by id, user and time', async () => {
        const audit = store();
        await audit.put([
            record('a', 'u1', '2026-06-01T12:00:00.000Z', 'pending'),
            record('b', 'u2', '2026-06-01T12:10:00.000Z', 'applied'),
        ]);
        await audit.put([record('a', 'u1', '2026-06-01T12:00:01.000Z', 'applied')]);
        expect((await audit.get(['a', 'missing'])).get('a')).toEqual(
            record('a', 'u1', '2026-06-01T12:00:01.000Z', 'applied'),
        );
        expect((await audit.list({ userId: 'u2' })).map((r) => r.decisionId)).toEqual(['b']);
        expect((await audit.list({ since: new Date('2026-06-01T12:05:00Z') })).map((r) => r.decisionId)).toEqual(['b']);
    });

    it('stores more than one transaction of records (100 per transaction) and a rejected raw body', async () => {
        const audit = store();
        const many = Array.from({ length: 230 }, (_, i) =>
            record(`d${i}`, `u${i}`, '2026-06-01T12:00:00.000Z', 'applied'),
        );
        await audit.put([
            ...many,
            { ...record('r', 'x', '2026-06-01T12:00:00.000Z', 'rejected'), userId: null, rawBody: '{"not":"valid"}' },
        ]);
        const all = await audit.list({});
        expect(all).toHaveLength(231);
        expect(all.find((r) => r.decisionId === 'r')).toMatchObject({ userId: null, rawBody: '{"not":"valid"}' });
    });
});
