import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AppError } from '../errors';
import { Checkpoint, checkpointSchema, CheckpointStore } from './checkpoint';

/**
 * Checkpoint in a local folder, for local runs and the CLI. Writes go to a temporary file renamed over the old
 * one, so a crash never leaves half a checkpoint; a write after someone else's write is a conflict.
 */
export class FileCheckpointStore implements CheckpointStore {
    private readonly path: string;
    private lastSeen: string | undefined;

    constructor(
        private readonly directory: string,
        tenantId: string,
    ) {
        this.path = join(directory, `checkpoint-${tenantId.replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
    }

    async read(): Promise<Checkpoint | undefined> {
        const text = await this.readText();
        this.lastSeen = text;
        return text === undefined ? undefined : parseCheckpoint(text, this.path);
    }

    async write(next: Checkpoint): Promise<void> {
        const current = await this.readText();
        if (current !== this.lastSeen) {
            throw new AppError('checkpoint.conflict', `Checkpoint ${this.path} changed since it was read`, true);
        }
        const text = JSON.stringify(next, null, 2);
        await mkdir(this.directory, { recursive: true });
        const temporary = `${this.path}.${process.pid}.tmp`;
        await writeFile(temporary, text, 'utf8');
        await rename(temporary, this.path);
        this.lastSeen = text;
    }

    private async readText(): Promise<string | undefined> {
        try {
            return await readFile(this.path, 'utf8');
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                return undefined;
            }
            throw new AppError('storage.failed', `Cannot read checkpoint ${this.path}`, true, { cause: error });
        }
    }
}

/** Parses a stored checkpoint; a corrupt one stops intake with a clear error rather than restarting from scratch. */
export function parseCheckpoint(text: string, where: string): Checkpoint {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new AppError('storage.failed', `Checkpoint ${where} is not valid JSON`, false, { cause: error });
    }
    const parsed = checkpointSchema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError(
            'storage.failed',
            `Checkpoint ${where} is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
            false,
        );
    }
    return parsed.data;
}
