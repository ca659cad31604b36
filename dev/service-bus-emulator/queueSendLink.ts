/**
 * A client's sender link into a queue: accepts single messages (format 0) and batches (format
 * 0x80013700, one `data` section per message), checks the size limit and hands them to the queue.
 */
import type { EventContext, Receiver } from 'rhea';
import { batchMessageFormat, parseMessage, splitBatchEnvelope, type ParsedMessage } from './messageCodec';
import type { MessageQueue } from './messageQueue';
import { encodeAmqpMessage } from './rheaInternals';

export interface QueueSendLinkOptions {
    maxMessageSizeBytes: number;
    log?: (message: string) => void;
}

/** Starts accepting the messages a client sends on this link into the queue. */
export function attachQueueSendLink(receiver: Receiver, queue: MessageQueue, options: QueueSendLinkOptions): void {
    receiver.on('message', (context: EventContext) => {
        const delivery = context.delivery;
        if (!delivery) {
            return;
        }
        let encoded: Buffer;
        let parsed: ParsedMessage[];
        try {
            encoded = encodedTransferOf(context);
            if (encoded.length > options.maxMessageSizeBytes) {
                delivery.reject({
                    condition: 'amqp:link:message-size-exceeded',
                    description: `The message of ${encoded.length} bytes exceeds the limit of ${options.maxMessageSizeBytes} bytes of queue ${queue.settings.name}.`,
                });
                return;
            }
            const format = (context as { format?: unknown }).format;
            const messages = format === batchMessageFormat ? splitBatchEnvelope(encoded) : [encoded];
            parsed = messages.map(parseMessage); // all or nothing: a malformed batch is rejected whole
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            options.log?.(`queue ${queue.settings.name}: rejected a malformed message: ${reason}`);
            delivery.reject({ condition: 'amqp:decode-error', description: reason });
            return;
        }
        for (const message of parsed) {
            queue.send(message);
        }
        delivery.accept();
    });
}

/**
 * The transfer's bytes. rhea hands over other formats raw but decodes format 0, so a format-0 message is
 * encoded again; for what the SDK sends (strings, numbers, booleans, dates, binary) that is lossless.
 */
function encodedTransferOf(context: EventContext): Buffer {
    const message: unknown = context.message;
    if (Buffer.isBuffer(message)) {
        return message;
    }
    if (typeof message === 'object' && message !== null) {
        return encodeAmqpMessage(message);
    }
    throw new Error('the transfer carries no message');
}
