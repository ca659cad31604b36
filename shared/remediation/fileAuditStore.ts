import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { AppError } from '../errors';
import { AuditRecord, auditRecordSchema } from './auditRecord';
import { AuditQuery, AuditStore } from './auditStore';

/**
 * Audit trail as JSON lines in a local file, for local runs. Appends only; the last line of a decisionId wins,
 * so the file also shows how a decision moved (pending -> applied).
 */
export class FileAuditStore implements AuditStore {
    constructor(private readonly path: string) {}

    async put(records: readonly AuditRecord[]): Promise<void> {
        if (records.length === 0) {
            return;
        }
        await mkdir(dirname(this.path), { recursive: true });
        await appendFile(this.path, records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
    }

    async get(decisionIds: readonly string[]): Promise<Map<string, AuditRecord>> {
        const wanted = new Set(decisionIds);
        const latest = await this.latestByDecision();
        return new Map([...latest].filter(([id]) => wanted.has(id)));
    }

    async list(query: AuditQuery): Promise<AuditRecord[]> {
        const since = query.since?.getTime() ?? Number.NEGATIVE_INFINITY;
        return [...(await this.latestByDecision()).values()]
            .filter(
                (record) =>
                    Date.parse(record.time) >= since && (query.userId === undefined || record.userId === query.userId),
            )
            .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    }

    private async latestByDecision(): Promise<Map<string, AuditRecord>> {
        let text: string;
        try {
            text = await readFile(this.path, 'utf8');
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                return new Map();
            }
            throw new AppError('storage.failed', `Cannot read audit file ${this.path}`, true, { cause: error });
        }
        const latest = new Map<string, AuditRecord>();
        text.split('\n').forEach((line, index) => {
            if (line.trim() === '') {
                return;
            }
            const parsed = auditRecordSchema.safeParse(JSON.parse(line));
            if (!parsed.success) {
                throw new AppError(
                    'storage.failed',
                    `Audit file ${this.path} line ${index + 1} is not an audit record`,
                    false,
                );
            }
            latest.set(parsed.data.decisionId, parsed.data);
        });
        return latest;
    }
}
