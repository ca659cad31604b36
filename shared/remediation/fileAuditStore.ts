import { JsonLinesFile } from '../storage/jsonLinesFile';
import { AuditRecord, auditRecordSchema } from './auditRecord';
import { AuditQuery, AuditStore } from './auditStore';

/** Audit trail as JSON lines in a local file, for local runs; the last line of a decisionId wins. */
export class FileAuditStore implements AuditStore {
    private readonly file: JsonLinesFile<typeof auditRecordSchema>;

    constructor(path: string) {
        this.file = new JsonLinesFile(path, auditRecordSchema, 'an audit record');
    }

    async put(records: readonly AuditRecord[]): Promise<void> {
        await this.file.append(records);
    }

    async get(decisionIds: readonly string[]): Promise<Map<string, AuditRecord>> {
        const wanted = new Set(decisionIds);
        const latest = await this.file.latestBy((record) => record.decisionId);
        return new Map([...latest].filter(([id]) => wanted.has(id)));
    }

    async list(query: AuditQuery): Promise<AuditRecord[]> {
        const since = query.since?.getTime() ?? Number.NEGATIVE_INFINITY;
        return [...(await this.file.latestBy((record) => record.decisionId)).values()]
            .filter(
                (record) =>
                    Date.parse(record.time) >= since && (query.userId === undefined || record.userId === query.userId),
            )
            .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    }
}
