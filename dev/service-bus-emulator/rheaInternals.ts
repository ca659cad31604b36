/**
 * A typed view of the few parts of rhea 3 that the emulator needs and rhea's typings do not declare
 * (its AMQP type reader/writer, outcome builders, and some link and delivery state). Everything that
 * reaches past rhea's public surface goes through this file, so a rhea upgrade has one place to check.
 */
import { message as rheaMessage, types as rheaTypes } from 'rhea';
import type { Connection, Delivery, Sender, link as Link } from 'rhea';

/** An AMQP value as rhea's reader returns it: the type, the JS value and, for described values, the descriptor. */
export interface AmqpValue {
    readonly type: { readonly typecode: number; readonly name: string };
    readonly value: unknown;
    descriptor?: AmqpValue;
}

/** rhea's AMQP decoder over one buffer. */
export interface AmqpReader {
    position: number;
    read(): AmqpValue;
    read_constructor(): { typecode: number; descriptor?: AmqpValue };
    read_size_count(width: number): { size: number; count: number };
    remaining(): number;
}

/** rhea's AMQP encoder, growing its own buffer. */
export interface AmqpWriter {
    write(value: AmqpValue): void;
    toBuffer(): Buffer;
}

interface AmqpTypesRuntime {
    Reader: new (buffer: Buffer) => AmqpReader;
    Writer: new () => AmqpWriter;
    wrap(value: unknown): AmqpValue;
    wrap_string(value: string): AmqpValue;
    wrap_uuid(value: Buffer): AmqpValue;
    wrap_array(items: unknown[], typecode: number, descriptor: undefined): AmqpValue;
    wrap_list(items: unknown[]): AmqpValue;
    wrap_ulong(value: number): AmqpValue;
    described(descriptor: AmqpValue, value: AmqpValue): AmqpValue;
}

/** rhea's type system at run time (the typings omit the reader, the writer and most constructors). */
export const amqpTypes = rheaTypes as unknown as AmqpTypesRuntime;

/** AMQP array element type codes used in $management replies. */
export const amqpTypeCode = { long: 0x81, timestamp: 0x83, uuid: 0x98 } as const;

/** An AMQP error as carried by outcomes and detach frames. */
export interface AmqpErrorFields {
    condition: string;
    description?: string;
    info?: Record<string, unknown>;
}

interface OutcomeComposite {
    described(): unknown;
}
interface OutcomeBuilders {
    accepted(): OutcomeComposite;
    released(): OutcomeComposite;
    rejected(fields: { error?: AmqpErrorFields }): OutcomeComposite;
    modified(fields: { delivery_failed?: boolean; undeliverable_here?: boolean }): OutcomeComposite;
}
const outcomeBuilders = rheaMessage as unknown as OutcomeBuilders;

/** Encoded delivery outcomes, ready for `Delivery.update`. */
export const deliveryOutcome = {
    accepted: (): unknown => outcomeBuilders.accepted().described(),
    released: (): unknown => outcomeBuilders.released().described(),
    rejected: (error?: AmqpErrorFields): unknown => outcomeBuilders.rejected(error ? { error } : {}).described(),
    modified: (undeliverableHere: boolean): unknown =>
        outcomeBuilders.modified({ delivery_failed: true, undeliverable_here: undeliverableHere }).described(),
};

/** Encodes a request/response message (CBS and $management replies) with rhea's own encoder. */
export function encodeAmqpMessage(message: object): Buffer {
    return rheaMessage.encode(message);
}

/** The outcome the client chose in a disposition, as rhea decoded it. */
export interface ReceivedOutcome {
    readonly error?: { condition?: unknown; description?: unknown; info?: unknown };
    readonly undeliverable_here?: unknown;
    readonly message_annotations?: unknown;
}

/** The state the client put on a delivery, if any. */
export function remoteOutcomeOf(delivery: Delivery): ReceivedOutcome {
    return delivery.remote_state ?? {};
}

interface AttachFieldsInternal {
    snd_settle_mode: number;
    rcv_settle_mode: number;
    max_message_size?: number;
}
interface OutgoingInternal {
    next_pending_delivery: number;
}
interface SenderInternal {
    credit: number;
    delivery_count: number;
    _draining: boolean;
    _drained: boolean;
    _get_drain(): boolean;
    local: { attach: AttachFieldsInternal };
    session: { outgoing: OutgoingInternal };
}
interface LinkInternal {
    local: { attach: AttachFieldsInternal };
}
interface DeliveryInternal {
    remote_settled: boolean;
}
interface ConnectionInternal {
    socket?: unknown;
    abort_socket(socket: unknown): void;
}

/** Answers the attach with the settle modes the client asked for (rhea would otherwise answer its defaults). */
export function echoSettleModes(link: Link): void {
    const attach = (link as unknown as LinkInternal).local.attach;
    attach.snd_settle_mode = link.snd_settle_mode;
    attach.rcv_settle_mode = link.rcv_settle_mode;
}

/** The credit the client has granted the link, minus the transfers rhea has sent. */
export function linkCredit(sender: Sender): number {
    return (sender as unknown as SenderInternal).credit;
}

/** The id of the oldest delivery of the link's session that rhea has queued but not yet transferred. */
export function firstUntransferredDeliveryId(sender: Sender): number {
    return (sender as unknown as SenderInternal).session.outgoing.next_pending_delivery;
}

/** True while the client has asked the link to drain its credit. */
export function isDraining(sender: Sender): boolean {
    return (sender as unknown as SenderInternal)._draining;
}

/**
 * Makes the sender answer every drain request with a flow carrying `drain=true`, even when the messages
 * it sent used up all the credit. rhea 3 only sets the flag while credit is left, and the SDK closes its
 * receiver link when a drain goes unanswered.
 */
export function answerDrainsEvenWithoutCredit(sender: Sender): void {
    const internal = sender as unknown as SenderInternal;
    internal._get_drain = function getDrain(this: SenderInternal): boolean {
        if (this._draining && this._drained) {
            this.delivery_count += this.credit;
            this.credit = 0;
            this._draining = false;
            return true;
        }
        return false;
    };
}

/**
 * Settles a delivery we sent with the given outcome and forgets it. In receiver-settles-second mode the
 * client never confirms our settlement, so rhea would otherwise keep the delivery in its session buffer.
 */
export function settleAndForget(delivery: Delivery, outcome: unknown): void {
    delivery.update(true, outcome);
    (delivery as unknown as DeliveryInternal).remote_settled = true;
}

/** Drops a connection at once: closes the socket and clears rhea's heartbeat timers. */
export function abortConnection(connection: Connection): void {
    const internal = connection as unknown as ConnectionInternal;
    if (internal.socket !== undefined) {
        internal.abort_socket(internal.socket);
    }
}
