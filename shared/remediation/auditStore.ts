import { AuditRecord } from './auditRecord';

/** Filters for reading the audit trail back (CLI `audit`, `user`, the breaker's rolling hour). */
export interface AuditQuery {
    /** Records written at or after this time. */
    since?: Date;
    userId?: string;
}

/** The audit trail: Azure Table Storage in Azure, a local file locally. */
export interface AuditStore {
    /** Inserts or replaces records by decisionId. */
    put(records: readonly AuditRecord[]): Promise<void>;
    /** Records by decisionId; missing ids are absent from the map. */
    get(decisionIds: readonly string[]): Promise<Map<string, AuditRecord>>;
    /** Records matching the query, oldest first. */
    list(query: AuditQuery): Promise<AuditRecord[]>;
}
