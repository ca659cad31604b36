import { TableClient } from '@azure/data-tables';

import { AppError } from '../errors';

/**
 * What every Table Storage adapter of the app does around its calls: create the table on first use, and turn any
 * storage failure into a retryable `storage.failed` naming the table's role, never its connection.
 */
export class TableGuard {
    private ready = false;

    constructor(
        private readonly table: TableClient,
        /** The table's role in messages, e.g. "Audit table". */
        private readonly label: string,
    ) {}

    /** Creates the table once per process (no-op when it exists). */
    async ensure(): Promise<void> {
        if (!this.ready) {
            await this.run('create', () => this.table.createTable());
            this.ready = true;
        }
    }

    async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
        try {
            return await operation();
        } catch (error) {
            throw new AppError('storage.failed', `${this.label} ${what} failed`, true, { cause: error });
        }
    }
}

/** A JSON array stored as text (Table Storage has no array type); unreadable text becomes null for the schema to reject. */
export function parseStoredJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return null;
    }
}
