import { OutgoingMessage } from './message';

/**
 * Where intake puts detections. `send` sends in as few batches as the transport allows and calls `onAccepted`
 * after each batch the queue accepted, so a failure part-way loses none of what was already sent.
 */
export interface DetectionQueue {
    send(
        messages: readonly OutgoingMessage[],
        onAccepted: (accepted: readonly OutgoingMessage[]) => Promise<void>,
    ): Promise<void>;
}
