import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { z } from 'zod';

import { AppError } from '../errors';

/**
 * A local record file of JSON lines (the file audit store and delivery log of local runs): appended to, never
 * rewritten, so a crash never leaves half a file; when read, the last line of each key wins, and the file also
 * shows how a record moved (pending -> applied, retrying -> delivered).
 */
export class JsonLinesFile<S extends z.ZodType> {
    constructor(
        private readonly path: string,
        private readonly schema: S,
        /** What a record is called in error messages, e.g. "audit record". */
        private readonly what: string,
    ) {}

    async append(records: ReadonlyArray<z.infer<S>>): Promise<void> {
        if (records.length === 0) {
            return;
        }
        try {
            await mkdir(dirname(this.path), { recursive: true });
            await appendFile(this.path, records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
        } catch (error) {
            throw new AppError('storage.failed', `Cannot write ${this.path}`, true, { cause: error });
        }
    }

    /** Every record by key, the last line of a key winning. */
    async latestBy(keyOf: (record: z.infer<S>) => string): Promise<Map<string, z.infer<S>>> {
        let text: string;
        try {
            text = await readFile(this.path, 'utf8');
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                return new Map();
            }
            throw new AppError('storage.failed', `Cannot read ${this.path}`, true, { cause: error });
        }
        const latest = new Map<string, z.infer<S>>();
        text.split('\n').forEach((line, index) => {
            if (line.trim() === '') {
                return;
            }
            const parsed = this.schema.safeParse(parseJson(line));
            if (!parsed.success) {
                throw new AppError('storage.failed', `${this.path} line ${index + 1} is not ${this.what}`, false);
            }
            latest.set(keyOf(parsed.data), parsed.data);
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
