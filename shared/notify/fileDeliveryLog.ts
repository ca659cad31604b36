import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { AppError } from '../errors';
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
    constructor(private readonly path: string) {}

    async get(jobId: string): Promise<DeliveryRecord | undefined> {
        return (await this.latestByJob()).get(jobId);
    }

    async put(record: DeliveryRecord): Promise<void> {
        try {
            await mkdir(dirname(this.path), { recursive: true });
            await appendFile(this.path, `${JSON.stringify(record)}\n`, 'utf8');
        } catch (error) {
            throw new AppError('storage.failed', `Cannot write delivery log ${this.path}`, true, { cause: error });
        }
    }

    /** Every job's latest record, oldest first (for the CLI). */
    async list(): Promise<DeliveryRecord[]> {
        return [...(await this.latestByJob()).values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    }

    private async latestByJob(): Promise<Map<string, DeliveryRecord>> {
        let text: string;
        try {
            text = await readFile(this.path, 'utf8');
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                return new Map();
            }
            throw new AppError('storage.failed', `Cannot read delivery log ${this.path}`, true, { cause: error });
        }
        const latest = new Map<string, DeliveryRecord>();
        text.split('\n').forEach((line, index) => {
            if (line.trim() === '') {
                return;
            }
            const parsed = deliveryRecordSchema.safeParse(parseJson(line));
            if (!parsed.success) {
                throw new AppError('storage.failed', `Delivery log ${this.path} line ${index + 1} is not a delivery record`, false);
            }
            latest.set(parsed.data.jobId, parsed.data);
        });
        return latest;
    }
}

function parseJson(line: string): unknown {
    try {
        return JSON.parse(line) as unknown;
    } catch {
        return undefined;
    }
}
