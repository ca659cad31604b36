/**
 * Optional persistence: the queues (active, scheduled, deferred and dead-lettered messages, and the
 * message ids inside the duplicate window) saved as one JSON file. Saves are debounced and atomic
 * (temp file, then rename); `close` writes the final state. Locks are not saved, so after a restart
 * every locked message is available again, as after a lock expiry.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { MessageContent } from './messageCodec';
import type { QueuedMessage, QueueState } from './messageQueue';
import type { QueueStore } from './queueStore';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

const messageSchema = z.object({
    sequenceNumber: z.number().int().positive(),
    enqueuedTimeMs: z.number(),
    deliveryCount: z.number().int().nonnegative(),
    messageId: z.string().optional(),
    scheduledEnqueueTimeMs: z.number().optional(),
    durable: z.boolean(),
    priority: z.number().int().min(0).max(255),
    ttlMs: z.number().nonnegative().optional(),
    annotations: base64,
    annotationItemCount: z.number().int().nonnegative(),
    properties: base64,
    applicationProperties: base64,
    body: base64,
});

const queueStateSchema = z.object({
    nextSequenceNumber: z.number().int().positive(),
    duplicatesDropped: z.number().int().nonnegative(),
    duplicateIds: z.array(z.tuple([z.string(), z.number()])),
    active: z.array(messageSchema),
    scheduled: z.array(messageSchema),
    deferred: z.array(messageSchema),
});

const snapshotSchema = z.object({
    format: z.literal('service-bus-emulator'),
    version: z.literal(1),
    queues: z.array(
        z.object({
            name: z.string().min(1),
            lockDurationMs: z.number().positive(),
            maxDeliveryCount: z.number().int().positive(),
            duplicateDetectionWindowMs: z.number().positive().optional(),
            state: queueStateSchema,
            deadLetterState: queueStateSchema,
        }),
    ),
});

/** The saved file's content. */
export type StoreSnapshot = z.infer<typeof snapshotSchema>;
type MessageJson = z.infer<typeof messageSchema>;
type QueueStateJson = z.infer<typeof queueStateSchema>;

/** Reads a snapshot file; undefined when it does not exist yet. Throws when it is not a valid snapshot. */
export async function loadSnapshot(file: string): Promise<StoreSnapshot | undefined> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') {
            return undefined;
        }
        throw error;
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        throw new Error(`Service Bus emulator: ${file} is not valid JSON`);
    }
    const parsed = snapshotSchema.safeParse(json);
    if (!parsed.success) {
        const places = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
        throw new Error(`Service Bus emulator: ${file} is not a valid snapshot at ${places.slice(0, 5).join(', ')}`);
    }
    return parsed.data;
}

/** Recreates the saved queues and their messages in an empty store. */
export function restoreSnapshot(store: QueueStore, snapshot: StoreSnapshot): void {
    for (const saved of snapshot.queues) {
        const queue = store.createQueue({
            name: saved.name,
            lockDurationMs: saved.lockDurationMs,
            maxDeliveryCount: saved.maxDeliveryCount,
            duplicateDetectionWindowMs: saved.duplicateDetectionWindowMs,
        });
        queue.restore(queueStateFromJson(saved.state));
        queue.deadLetterQueue?.restore(queueStateFromJson(saved.deadLetterState));
    }
}

/** The store's current content as a snapshot. */
export function snapshotOf(store: QueueStore): StoreSnapshot {
    return {
        format: 'service-bus-emulator',
        version: 1,
        queues: store.list().map((queue) => ({
            name: queue.settings.name,
            lockDurationMs: queue.settings.lockDurationMs,
            maxDeliveryCount: queue.settings.maxDeliveryCount,
            duplicateDetectionWindowMs: queue.settings.duplicateDetectionWindowMs,
            state: queueStateToJson(queue.snapshot()),
            deadLetterState: queueStateToJson(queue.deadLetterQueue?.snapshot() ?? emptyState()),
        })),
    };
}

/** Writes snapshots to a file, at most one write at a time, coalescing changes over `debounceMs`. */
export class SnapshotFile {
    private timer: NodeJS.Timeout | undefined;
    private writing: Promise<void> | undefined;
    private changedWhileWriting = false;
    private closed = false;

    constructor(
        private readonly file: string,
        private readonly takeSnapshot: () => StoreSnapshot,
        private readonly log?: (message: string) => void,
        private readonly debounceMs = 200,
    ) {}

    /** Schedules a save; call after every change. */
    requestSave(): void {
        if (this.closed || this.timer) {
            return;
        }
        this.timer = setTimeout(() => {
            this.timer = undefined;
            if (this.writing) {
                this.changedWhileWriting = true;
                return;
            }
            this.write().catch((error: unknown) => {
                this.log?.(`could not save ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
            });
        }, this.debounceMs);
        this.timer.unref();
    }

    /** Stops saving on change and writes the final state; rejects when that write fails. */
    async close(): Promise<void> {
        this.closed = true;
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = undefined;
        }
        await this.writing?.catch(() => undefined);
        await this.write();
    }

    private write(): Promise<void> {
        const text = JSON.stringify(this.takeSnapshot());
        const temporary = `${this.file}.${process.pid}.tmp`;
        const writing = (async () => {
            await mkdir(dirname(this.file), { recursive: true });
            await writeFile(temporary, text, 'utf8');
            await rename(temporary, this.file);
        })();
        this.writing = writing.finally(() => {
            this.writing = undefined;
            if (this.changedWhileWriting && !this.closed) {
                this.changedWhileWriting = false;
                this.requestSave();
            }
        });
        return this.writing;
    }
}

function emptyState(): QueueState {
    return { nextSequenceNumber: 1, duplicatesDropped: 0, duplicateIds: [], active: [], scheduled: [], deferred: [] };
}

function queueStateToJson(state: QueueState): QueueStateJson {
    return {
        nextSequenceNumber: state.nextSequenceNumber,
        duplicatesDropped: state.duplicatesDropped,
        duplicateIds: state.duplicateIds,
        active: state.active.map(messageToJson),
        scheduled: state.scheduled.map(messageToJson),
        deferred: state.deferred.map(messageToJson),
    };
}

function queueStateFromJson(json: QueueStateJson): QueueState {
    return {
        nextSequenceNumber: json.nextSequenceNumber,
        duplicatesDropped: json.duplicatesDropped,
        duplicateIds: json.duplicateIds,
        active: json.active.map(messageFromJson),
        scheduled: json.scheduled.map(messageFromJson),
        deferred: json.deferred.map(messageFromJson),
    };
}

function messageToJson(message: QueuedMessage): MessageJson {
    const content = message.content;
    return {
        sequenceNumber: message.sequenceNumber,
        enqueuedTimeMs: message.enqueuedTimeMs,
        deliveryCount: message.deliveryCount,
        messageId: message.messageId,
        scheduledEnqueueTimeMs: message.scheduledEnqueueTimeMs,
        durable: content.durable,
        priority: content.priority,
        ttlMs: content.ttlMs,
        annotations: content.annotations.toString('base64'),
        annotationItemCount: content.annotationItemCount,
        properties: content.properties.toString('base64'),
        applicationProperties: content.applicationProperties.toString('base64'),
        body: content.body.toString('base64'),
    };
}

function messageFromJson(json: MessageJson): QueuedMessage {
    const content: MessageContent = {
        durable: json.durable,
        priority: json.priority,
        ttlMs: json.ttlMs,
        annotations: Buffer.from(json.annotations, 'base64'),
        annotationItemCount: json.annotationItemCount,
        properties: Buffer.from(json.properties, 'base64'),
        applicationProperties: Buffer.from(json.applicationProperties, 'base64'),
        body: Buffer.from(json.body, 'base64'),
    };
    return {
        sequenceNumber: json.sequenceNumber,
        enqueuedTimeMs: json.enqueuedTimeMs,
        deliveryCount: json.deliveryCount,
        messageId: json.messageId,
        scheduledEnqueueTimeMs: json.scheduledEnqueueTimeMs,
        content,
    };
}
