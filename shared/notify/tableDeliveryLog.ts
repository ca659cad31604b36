import { RestError, TableClient } from '@azure/data-tables';

import { AppError } from '../errors';
import { parseStoredJson, TableGuard } from '../storage/tableGuard';
import { DeliveryLog, DeliveryRecord, deliveryRecordSchema } from './deliveryLog';

/** The stored entity: partition = tenant, row = job id; the decision id list as JSON text. */
interface DeliveryEntity {
    partitionKey: string;
    rowKey: string;
    time: string;
    kind: string;
    owner: string;
    channel: string;
    status: string;
    attempts: number;
    reason: string;
    decisionIds: string;
}

/** Reasons are short, but a Table string property caps at 64 KiB; keep well under it. */
const maxReasonChars = 4000;

/** Delivery log in Azure Table Storage (Azurite locally), one entity per job, upserted. */
export class TableDeliveryLog implements DeliveryLog {
    private readonly guard: TableGuard;

    constructor(
        private readonly table: TableClient,
        private readonly tenantId: string,
    ) {
        this.guard = new TableGuard(table, 'Delivery log table');
    }

    async get(jobId: string): Promise<DeliveryRecord | undefined> {
        await this.guard.ensure();
        try {
            return fromEntity(await this.table.getEntity<DeliveryEntity>(this.tenantId, jobId));
        } catch (error) {
            if (error instanceof RestError && error.statusCode === 404) {
                return undefined;
            }
            if (error instanceof AppError) {
                throw error;
            }
            throw new AppError('storage.failed', 'Cannot read the delivery log table', true, { cause: error });
        }
    }

    async put(record: DeliveryRecord): Promise<void> {
        await this.guard.ensure();
        await this.guard.run('write', () => this.table.upsertEntity(toEntity(record, this.tenantId), 'Replace'));
    }
}

function toEntity(record: DeliveryRecord, tenantId: string): DeliveryEntity {
    return {
        partitionKey: tenantId,
        rowKey: record.jobId,
        time: record.time,
        kind: record.kind,
        owner: record.owner,
        channel: record.channel,
        status: record.status,
        attempts: record.attempts,
        reason: record.reason.slice(0, maxReasonChars),
        decisionIds: JSON.stringify(record.decisionIds),
    };
}

function fromEntity(entity: DeliveryEntity): DeliveryRecord {
    const parsed = deliveryRecordSchema.safeParse({
        jobId: entity.rowKey,
        tenantId: entity.partitionKey,
        time: entity.time,
        kind: entity.kind,
        owner: entity.owner,
        channel: entity.channel,
        status: entity.status,
        attempts: entity.attempts,
        reason: entity.reason,
        decisionIds: parseStoredJson(entity.decisionIds),
    });
    if (!parsed.success) {
        throw new AppError('storage.failed', `Delivery log entity ${entity.rowKey} is not a delivery record`, false);
    }
    return parsed.data;
}
