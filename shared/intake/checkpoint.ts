import { z } from 'zod';

/**
 * How far intake got. `readFrom` is the lower bound of the next listing (watermark minus overlap; it never
 * moves back); `watermark` is the largest lastUpdatedDateTime of a completed listing; `sent` holds the keys
 * (`id@lastUpdatedDateTime`) of detections already queued that a later listing can still return.
 */
export const checkpointSchema = z.object({
    version: z.literal(1),
    readFrom: z.iso.datetime({ offset: true }),
    watermark: z.iso.datetime({ offset: true }).nullable(),
    sent: z.array(z.string()),
    updatedAt: z.iso.datetime({ offset: true }),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Remembers how far intake got. `write` is called only after Service Bus accepted what it records. */
export interface CheckpointStore {
    /** The stored checkpoint, or undefined before the first poll. */
    read(): Promise<Checkpoint | undefined>;
    /** Replaces the checkpoint; throws `checkpoint.conflict` when someone else wrote it since our read. */
    write(next: Checkpoint): Promise<void>;
}

/** The key of one detection version in `sent`. */
export function sentKey(detection: { id: string; lastUpdatedDateTime: string }): string {
    return `${detection.id}@${detection.lastUpdatedDateTime}`;
}

/** Keeps only the keys a listing from `readFrom` on could still return. */
export function pruneSent(keys: Iterable<string>, readFrom: Date): string[] {
    const floor = readFrom.getTime();
    return [...keys].filter((key) => Date.parse(key.slice(key.lastIndexOf('@') + 1)) >= floor);
}
