import { AppError } from '../../shared/errors';
import { Checkpoint, CheckpointStore } from '../../shared/intake/checkpoint';

/** Checkpoint in memory; `written` records every write; `failNextWrite` simulates a crash before the write. */
export class InMemoryCheckpointStore implements CheckpointStore {
    readonly written: Checkpoint[] = [];
    failNextWrite = false;
    constructor(public current?: Checkpoint) {}
    async read(): Promise<Checkpoint | undefined> {
        return this.current;
    }
    async write(next: Checkpoint): Promise<void> {
        if (this.failNextWrite) {
            this.failNextWrite = false;
            throw new AppError('storage.failed', 'simulated crash before the checkpoint write', true);
        }
        this.written.push(next);
        this.current = next;
    }
}
