import { AppError } from '../../shared/errors';
import { DetectionQueue } from '../../shared/queue/detectionQueue';
import { OutgoingMessage } from '../../shared/queue/message';

/** A queue that keeps what it accepted, in batches of `batchSize`; it can refuse after `acceptBatches` batches. */
export class RecordingQueue implements DetectionQueue {
    readonly accepted: OutgoingMessage[] = [];
    sends = 0;
    acceptBatches = Number.POSITIVE_INFINITY;
    constructor(private readonly batchSize = 100) {}

    async send(
        messages: readonly OutgoingMessage[],
        onAccepted: (accepted: readonly OutgoingMessage[]) => Promise<void>,
    ) {
        for (let start = 0; start < messages.length; start += this.batchSize) {
            if (this.sends >= this.acceptBatches) {
                throw new AppError('queue.failed', 'queue unavailable (simulated)', true);
            }
            const batch = messages.slice(start, start + this.batchSize);
            this.sends++;
            this.accepted.push(...batch);
            await onAccepted(batch);
        }
    }

    detectionKeys(): string[] {
        return this.accepted.map((m) => `${m.body.detection.id}@${m.body.detection.lastUpdatedDateTime}`);
    }
}
