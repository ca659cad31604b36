/**
 * A client's receiver link on a queue or dead-letter sub-queue: delivers messages while the link has
 * credit, answers drain requests, and turns the client's dispositions into complete, abandon, defer or
 * dead-letter, replying with a settled outcome (or `message-lock-lost` when the lock is gone).
 */
import type { Delivery, EventContext, Sender } from 'rhea';
import { createLockToken, deliveryTagOf, lockTokenOfDeliveryTag } from './lockTokens';
import { encodeMessage, toApplicationPropertyUpdates } from './messageCodec';
import type { DeadLetterDetails, DeliveryLock, MessageQueue, QueueConsumer, QueuedMessage } from './messageQueue';
import {
    answerDrainsEvenWithoutCredit,
    deliveryOutcome,
    firstUntransferredDeliveryId,
    isDraining,
    linkCredit,
    remoteOutcomeOf,
    settleAndForget,
    type ReceivedOutcome,
} from './rheaInternals';

type DispositionKind = 'accepted' | 'rejected' | 'modified' | 'released';

/** The error a settlement gets when its lock expired or the message was already settled. */
export const messageLockLost = {
    condition: 'com.microsoft:message-lock-lost',
    description:
        'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
};

export class QueueReceiveLink implements QueueConsumer {
    readonly receiveAndDelete: boolean;
    /** Ids of our deliveries rhea has queued; those not transferred yet still use credit. */
    private sentDeliveryIds: number[] = [];
    private sentHead = 0;

    constructor(
        private readonly sender: Sender,
        private readonly queue: MessageQueue,
    ) {
        // The client asks for pre-settled deliveries (snd-settle-mode settled) in receive-and-delete mode.
        this.receiveAndDelete = sender.snd_settle_mode === 1;
        answerDrainsEvenWithoutCredit(sender);
        sender.on('sender_flow', () => this.onFlow());
        for (const kind of ['accepted', 'rejected', 'modified', 'released'] as const) {
            sender.on(kind, (context: EventContext) => this.onDisposition(kind, context.delivery));
        }
        sender.on('sender_close', () => this.queue.removeConsumer(this));
        queue.addConsumer(this);
    }

    isClosed(): boolean {
        return !this.sender.is_open();
    }

    availableCredit(): number {
        return linkCredit(this.sender) - this.untransferredCount();
    }

    deliver(message: QueuedMessage, lock: DeliveryLock | undefined): void {
        const encoded = encodeMessage(
            message.content,
            {
                sequenceNumber: message.sequenceNumber,
                enqueuedTimeMs: message.enqueuedTimeMs,
                lockedUntilMs: lock?.lockedUntilMs,
            },
            message.deliveryCount,
        );
        const tag = deliveryTagOf(lock ? lock.token : createLockToken()); // unlocked deliveries get a throwaway tag
        const delivery = this.sender.send(encoded, tag, 0);
        this.sentDeliveryIds.push(delivery.id);
    }

    private onFlow(): void {
        this.queue.pump();
        if (isDraining(this.sender)) {
            // Sent after the transfers queued above, with the rest of the credit used up.
            this.sender.set_drained(true);
        }
    }

    private onDisposition(kind: DispositionKind, delivery: Delivery | undefined): void {
        if (!delivery) {
            return;
        }
        const token = lockTokenOfDeliveryTag(delivery.tag);
        const outcome = remoteOutcomeOf(delivery);
        let settled: boolean;
        let reply: unknown;
        switch (kind) {
            case 'accepted':
                settled = this.queue.complete(token);
                reply = deliveryOutcome.accepted();
                break;
            case 'released':
                settled = this.queue.abandon(token);
                reply = deliveryOutcome.released();
                break;
            case 'modified': {
                const properties = toApplicationPropertyUpdates(outcome.message_annotations);
                const undeliverableHere = outcome.undeliverable_here === true;
                settled = undeliverableHere
                    ? this.queue.defer(token, properties)
                    : this.queue.abandon(token, properties);
                reply = deliveryOutcome.modified(undeliverableHere);
                break;
            }
            case 'rejected':
                settled = this.queue.deadLetter(token, deadLetterDetailsOf(outcome));
                reply = deliveryOutcome.rejected();
                break;
        }
        settleAndForget(delivery, settled ? reply : deliveryOutcome.rejected(messageLockLost));
    }

    private untransferredCount(): number {
        const firstUntransferred = firstUntransferredDeliveryId(this.sender);
        const ids = this.sentDeliveryIds;
        while (this.sentHead < ids.length && (ids[this.sentHead] ?? firstUntransferred) < firstUntransferred) {
            this.sentHead++;
        }
        if (this.sentHead === ids.length) {
            this.sentDeliveryIds = [];
            this.sentHead = 0;
            return 0;
        }
        if (this.sentHead > 256) {
            this.sentDeliveryIds = ids.slice(this.sentHead);
            this.sentHead = 0;
        }
        return this.sentDeliveryIds.length - this.sentHead;
    }
}

/** Reads `DeadLetterReason`, `DeadLetterErrorDescription` and further properties from a rejected outcome. */
export function deadLetterDetailsOf(outcome: ReceivedOutcome): DeadLetterDetails {
    const info: unknown = outcome.error?.info;
    const properties = toApplicationPropertyUpdates(info);
    const reason = properties.get('DeadLetterReason');
    const description = properties.get('DeadLetterErrorDescription');
    properties.delete('DeadLetterReason');
    properties.delete('DeadLetterErrorDescription');
    return {
        reason: typeof reason === 'string' ? reason : undefined,
        description: typeof description === 'string' ? description : undefined,
        properties,
    };
}
