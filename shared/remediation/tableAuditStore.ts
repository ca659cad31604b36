import { odata, RestError, TableClient, TransactionAction } from '@azure/data-tables';

import { AppError } from '../errors';
import { parseStoredJson, TableGuard } from '../storage/tableGuard';
import { AuditRecord, auditRecordSchema } from './auditRecord';
import { AuditQuery, AuditStore } from './auditStore';

/** The stored entity: partition = tenant, row = decisionId; arrays as JSON text (Table has no array type). */
interface AuditEntity {
    partitionKey: string;
    rowKey: string;
    time: string;
    userId: string;
    userPrincipalName: string;
    action: string;
    mode: string;
    outcome: string;
    ruleId: string;
    detectionIds: string;
    reason: string;
    messageIds: string;
    rawBody?: string;
}

/** Table requests in flight at once: storage takes far more; this keeps a batch's writes short without a burst. */
const parallelRequests = 8;

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            await work(items[next++]!);
        }
    });
    await Promise.all(lanes);
}

/** Audit trail in Azure Table Storage (Azurite locally), one entity per decision, upserted. */
export class TableAuditStore implements AuditStore {
    private readonly guard: TableGuard;

    constructor(
        private readonly table: TableClient,
        private readonly tenantId: string,
    ) {
        this.guard = new TableGuard(table, 'Audit table');
    }

    async put(records: readonly AuditRecord[]): Promise<void> {
        await this.guard.ensure();
        // One entity may appear once per transaction: the last record of a decision wins.
        const latest = [...new Map(records.map((record) => [record.decisionId, record])).values()];
        // A transaction takes at most 100 entities of one partition; a few go at once.
        const chunks: AuditRecord[][] = [];
        for (let start = 0; start < latest.length; start += 100) {
            chunks.push(latest.slice(start, start + 100));
        }
        await inParallel(chunks, parallelRequests, (chunk) => {
            const actions = chunk.map((record): TransactionAction => ['upsert', { ...toEntity(record) }, 'Replace']);
            return this.guard.run('write', () => this.table.submitTransaction(actions));
        });
    }

    async get(decisionIds: readonly string[]): Promise<Map<string, AuditRecord>> {
        const found = new Map<string, AuditRecord>();
        await this.guard.ensure();
        await inParallel([...new Set(decisionIds)], parallelRequests, async (decisionId) => {
            try {
                const entity = await this.table.getEntity<AuditEntity>(this.tenantId, decisionId);
                found.set(decisionId, fromEntity(entity));
            } catch (error) {
                if (!(error instanceof RestError && error.statusCode === 404)) {
                    throw new AppError('storage.failed', 'Cannot read the audit table', true, { cause: error });
                }
            }
        });
        return found;
    }

    async list(query: AuditQuery): Promise<AuditRecord[]> {
        await this.guard.ensure();
        const since = query.since?.toISOString() ?? '1970-01-01T00:00:00.000Z';
        const filter =
            query.userId === undefined
                ? odata`PartitionKey eq ${this.tenantId} and time ge ${since}`
                : odata`PartitionKey eq ${this.tenantId} and time ge ${since} and userId eq ${query.userId}`;
        const records: AuditRecord[] = [];
        await this.guard.run('read', async () => {
            for await (const entity of this.table.listEntities<AuditEntity>({ queryOptions: { filter } })) {
                records.push(fromEntity(entity));
            }
        });
        return records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    }
}

function toEntity(record: AuditRecord): AuditEntity {
    return {
        partitionKey: record.tenantId,
        rowKey: record.decisionId,
        time: record.time,
        userId: record.userId ?? '',
        userPrincipalName: record.userPrincipalName ?? '',
        action: record.action,
        mode: record.mode,
        outcome: record.outcome,
        ruleId: record.ruleId ?? '',
        detectionIds: JSON.stringify(record.detectionIds),
        reason: record.reason,
        messageIds: JSON.stringify(record.messageIds),
        ...(record.rawBody === undefined ? {} : { rawBody: record.rawBody }),
    };
}

function fromEntity(entity: AuditEntity): AuditRecord {
    const parsed = auditRecordSchema.safeParse({
        decisionId: entity.rowKey,
        tenantId: entity.partitionKey,
        time: entity.time,
        userId: entity.userId || null,
        userPrincipalName: entity.userPrincipalName || null,
        action: entity.action,
        mode: entity.mode,
        outcome: entity.outcome,
        ruleId: entity.ruleId || null,
        detectionIds: parseStoredJson(entity.detectionIds),
        reason: entity.reason,
        messageIds: parseStoredJson(entity.messageIds),
        ...(entity.rawBody === undefined ? {} : { rawBody: entity.rawBody }),
    });
    if (!parsed.success) {
        throw new AppError('storage.failed', `Audit entity ${entity.rowKey} is not an audit record`, false);
    }
    return parsed.data;
}
