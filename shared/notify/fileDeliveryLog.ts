import { join } from 'node:path';

import { JsonLinesFile } from '../storage/jsonLinesFile';
import { DeliveryLog, DeliveryRecord, deliveryRecordSchema } from './deliveryLog';

/** The delivery log file inside a local state folder. */
export function deliveryLogFileIn(directory: string): string {
    return join(directory, 'deliveries.jsonl');
}

/**
 * Delivery log as JSON lines in a local file, for local runs. Appends only; the last line of a job id wins, so
 * the file also shows how a job went (retrying, retrying, delivered).
 */
export class FileDeliveryLog implements DeliveryLog {
    private readonly file: JsonLinesFile<typeof deliveryRecordSchema>;

    constructor(path: string) {
        this.file = new JsonLinesFile(path, deliveryRecordSchema, 'a delivery record');
    }

    async get(jobId: string): Promise<DeliveryRecord | undefined> {
        return (await this.file.latestBy((record) => record.jobId)).get(jobId);
    }

    async put(record: DeliveryRecord): Promise<void> {
        await this.file.append([record]);
    }

    /** Every job's latest record, oldest first (for the CLI). */
    async list(): Promise<DeliveryRecord[]> {
        return [...(await this.file.latestBy((record) => record.jobId)).values()].sort(
            (a, b) => Date.parse(a.time) - Date.parse(b.time),
        );
    }
}
