/**
 * Turns the AMQP messages clients send into stored content and back. The bare message (properties,
 * application properties, body, footer) is kept byte for byte, so whatever types the sender used reach
 * the receiver unchanged; only the header and the broker's annotations are written anew per delivery.
 */
import { randomUUID } from 'node:crypto';
import {
    encodeHeaderSection,
    encodeInt,
    encodeLong,
    encodeMapSection,
    encodeSymbol,
    encodeTimestamp,
    sectionCode,
} from './amqpEncoding';
import { amqpTypes, type AmqpValue } from './rheaInternals';

/** A message as the queue keeps it: the sender's sections, minus what the broker owns. */
export interface MessageContent {
    readonly durable: boolean;
    readonly priority: number;
    /** Time to live from the sender's header, in ms. Kept and passed on; the emulator does not expire messages. */
    readonly ttlMs: number | undefined;
    /** The sender's message annotations, encoded key/value items, without the broker-owned ones. */
    readonly annotations: Buffer;
    /** Number of encoded items in `annotations` (keys and values, so twice the entries). */
    readonly annotationItemCount: number;
    /** The encoded properties section, or empty. */
    readonly properties: Buffer;
    /** The encoded application-properties section, or empty. */
    readonly applicationProperties: Buffer;
    /** The encoded body sections and footer. */
    readonly body: Buffer;
}

/** What the broker needs to know about an incoming message besides its content. */
export interface ParsedMessage {
    readonly content: MessageContent;
    /** The message id as a string, for duplicate detection; absent when the sender set none. */
    readonly messageId: string | undefined;
    /** From the `x-opt-scheduled-enqueue-time` annotation, in ms since the epoch. */
    readonly scheduledEnqueueTimeMs: number | undefined;
}

/** The annotations the broker adds to each delivered or peeked message. */
export interface BrokerAnnotations {
    sequenceNumber: number;
    enqueuedTimeMs: number;
    /** Absent for peeked messages and receive-and-delete deliveries. */
    lockedUntilMs?: number;
    /** 0 active, 1 deferred, 2 scheduled (Service Bus `x-opt-message-state`). */
    messageState?: 0 | 1 | 2;
}

/** Message format of a batch: one transfer whose body is one `data` section per encoded message. */
export const batchMessageFormat = 0x80013700;

export const annotationKey = {
    sequenceNumber: 'x-opt-sequence-number',
    enqueuedTime: 'x-opt-enqueued-time',
    lockedUntil: 'x-opt-locked-until',
    messageState: 'x-opt-message-state',
    scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
} as const;

/** Annotations only the broker may set; a sender's values are dropped. */
const brokerOwnedAnnotationKeys = new Set<string>([
    annotationKey.sequenceNumber,
    annotationKey.enqueuedTime,
    annotationKey.lockedUntil,
    annotationKey.messageState,
    'x-opt-enqueue-sequence-number',
    'x-opt-deadletter-source',
]);

const encodedKey = {
    sequenceNumber: encodeSymbol(annotationKey.sequenceNumber),
    enqueuedTime: encodeSymbol(annotationKey.enqueuedTime),
    lockedUntil: encodeSymbol(annotationKey.lockedUntil),
    messageState: encodeSymbol(annotationKey.messageState),
};

const symbolicSectionCodes: Record<string, number> = {
    'amqp:header:list': sectionCode.header,
    'amqp:delivery-annotations:map': sectionCode.deliveryAnnotations,
    'amqp:message-annotations:map': sectionCode.messageAnnotations,
    'amqp:properties:list': sectionCode.properties,
    'amqp:application-properties:map': sectionCode.applicationProperties,
    'amqp:data:binary': sectionCode.data,
    'amqp:amqp-sequence:list': sectionCode.sequence,
    'amqp:value:*': sectionCode.value,
    'amqp:footer:map': sectionCode.footer,
};

const empty = Buffer.alloc(0);

/** Reads an encoded AMQP message (format 0) into stored content. Throws on malformed input. */
export function parseMessage(encoded: Buffer): ParsedMessage {
    const reader = new amqpTypes.Reader(encoded);
    let durable = false;
    let priority = 4;
    let ttlMs: number | undefined;
    let annotations: Buffer = empty;
    let annotationItemCount = 0;
    let scheduledEnqueueTimeMs: number | undefined;
    let properties: Buffer = empty;
    let messageId: string | undefined;
    let applicationProperties: Buffer = empty;
    let bodyStart = encoded.length;
    while (reader.remaining() > 0) {
        const start = reader.position;
        const section = reader.read();
        const code = sectionCodeOf(section);
        const raw = encoded.subarray(start, reader.position);
        if (code === sectionCode.header) {
            const [durableField, priorityField, ttlField] = listItems(section);
            durable = durableField?.value === true || durableField?.value === 1;
            priority = typeof priorityField?.value === 'number' ? priorityField.value : 4;
            ttlMs = typeof ttlField?.value === 'number' ? ttlField.value : undefined;
        } else if (code === sectionCode.messageAnnotations) {
            const kept: Buffer[] = [];
            for (const item of readMapItems(raw)) {
                if (item.key === annotationKey.scheduledEnqueueTime) {
                    scheduledEnqueueTimeMs = toEpochMs(item.value.value);
                }
                if (typeof item.key === 'string' && brokerOwnedAnnotationKeys.has(item.key)) {
                    continue;
                }
                kept.push(item.raw);
            }
            annotations = Buffer.concat(kept);
            annotationItemCount = kept.length * 2;
        } else if (code === sectionCode.properties) {
            properties = Buffer.from(raw);
            messageId = messageIdKey(listItems(section)[0]);
        } else if (code === sectionCode.applicationProperties) {
            applicationProperties = Buffer.from(raw);
        } else if (code === sectionCode.deliveryAnnotations) {
            continue; // meant for the next hop only
        } else if (code !== undefined && code >= sectionCode.data && code <= sectionCode.footer) {
            bodyStart = start;
            break;
        } else {
            throw new Error(`Unknown AMQP message section ${String(section.descriptor?.value)}`);
        }
    }
    if (messageId === undefined) {
        // Service Bus gives every message an id; the SDK's lock renewer needs one.
        messageId = randomUUID().replace(/-/g, '');
        properties = withMessageId(properties, messageId);
    }
    const content: MessageContent = {
        durable,
        priority,
        ttlMs,
        annotations,
        annotationItemCount,
        properties,
        applicationProperties,
        body: Buffer.from(encoded.subarray(bodyStart)),
    };
    return { content, messageId, scheduledEnqueueTimeMs };
}

/** Re-encodes the properties section (or creates one) with the given string message id. */
function withMessageId(properties: Buffer, messageId: string): Buffer {
    const fields = properties.length > 0 ? listItems(new amqpTypes.Reader(properties).read()) : [];
    const items: unknown[] = fields.length > 0 ? [...fields] : [null];
    items[0] = amqpTypes.wrap_string(messageId);
    const writer = new amqpTypes.Writer();
    writer.write(amqpTypes.described(amqpTypes.wrap_ulong(sectionCode.properties), amqpTypes.wrap_list(items)));
    return writer.toBuffer();
}

/** Splits a batch envelope (format 0x80013700) into the encoded messages of its `data` sections. */
export function splitBatchEnvelope(envelope: Buffer): Buffer[] {
    const reader = new amqpTypes.Reader(envelope);
    const messages: Buffer[] = [];
    while (reader.remaining() > 0) {
        const section = reader.read();
        if (sectionCodeOf(section) === sectionCode.data && Buffer.isBuffer(section.value)) {
            messages.push(section.value);
        }
    }
    return messages;
}

/** Encodes a stored message for the wire, with a fresh header and the broker's annotations. */
export function encodeMessage(content: MessageContent, broker: BrokerAnnotations, deliveryCount: number): Buffer {
    const header = encodeHeaderSection({
        durable: content.durable,
        priority: content.priority,
        ttlMs: content.ttlMs,
        deliveryCount,
    });
    const items: Buffer[] = [
        content.annotations,
        encodedKey.sequenceNumber,
        encodeLong(broker.sequenceNumber),
        encodedKey.enqueuedTime,
        encodeTimestamp(broker.enqueuedTimeMs),
    ];
    let itemCount = content.annotationItemCount + 4;
    if (broker.lockedUntilMs !== undefined) {
        items.push(encodedKey.lockedUntil, encodeTimestamp(broker.lockedUntilMs));
        itemCount += 2;
    }
    if (broker.messageState !== undefined) {
        items.push(encodedKey.messageState, encodeInt(broker.messageState));
        itemCount += 2;
    }
    const annotations = encodeMapSection(sectionCode.messageAnnotations, Buffer.concat(items), itemCount);
    return Buffer.concat([header, annotations, content.properties, content.applicationProperties, content.body]);
}

/** A value that may be written into application properties. */
export type ApplicationPropertyValue = string | number | boolean | Date | Buffer;

/**
 * Returns the content with the given application properties set (replacing same-named ones). Other
 * properties keep their encoding. Used for dead-letter reasons and `propertiesToModify`.
 */
export function withApplicationProperties(
    content: MessageContent,
    updates: ReadonlyMap<string, ApplicationPropertyValue>,
): MessageContent {
    if (updates.size === 0) {
        return content;
    }
    const kept = (content.applicationProperties.length > 0 ? readMapItems(content.applicationProperties) : []).filter(
        (item) => !(typeof item.key === 'string' && updates.has(item.key)),
    );
    const writer = new amqpTypes.Writer();
    for (const [key, value] of updates) {
        writer.write(amqpTypes.wrap_string(key));
        writer.write(amqpTypes.wrap(value));
    }
    const items = Buffer.concat([...kept.map((item) => item.raw), writer.toBuffer()]);
    const itemCount = (kept.length + updates.size) * 2;
    return { ...content, applicationProperties: encodeMapSection(sectionCode.applicationProperties, items, itemCount) };
}

/** Keeps the entries of a plain object that can be written as application properties. */
export function toApplicationPropertyUpdates(values: unknown): Map<string, ApplicationPropertyValue> {
    const updates = new Map<string, ApplicationPropertyValue>();
    if (typeof values !== 'object' || values === null) {
        return updates;
    }
    for (const [key, value] of Object.entries(values)) {
        if (isApplicationPropertyValue(value)) {
            updates.set(key, value);
        }
    }
    return updates;
}

function isApplicationPropertyValue(value: unknown): value is ApplicationPropertyValue {
    return (
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        typeof value === 'boolean' ||
        value instanceof Date ||
        Buffer.isBuffer(value)
    );
}

interface MapItem {
    key: unknown;
    value: AmqpValue;
    /** The encoded key and value. */
    raw: Buffer;
}

/** Reads the entries of an encoded map section, keeping each entry's bytes. */
function readMapItems(section: Buffer): MapItem[] {
    const reader = new amqpTypes.Reader(section);
    const constructor = reader.read_constructor();
    if (constructor.typecode === 0x40) {
        return [];
    }
    const width = constructor.typecode === 0xc1 ? 1 : constructor.typecode === 0xd1 ? 4 : 0;
    if (width === 0) {
        throw new Error(`Expected an AMQP map, got type 0x${constructor.typecode.toString(16)}`);
    }
    const { count } = reader.read_size_count(width);
    const items: MapItem[] = [];
    for (let i = 0; i + 1 < count; i += 2) {
        const start = reader.position;
        const key = reader.read();
        const value = reader.read();
        items.push({ key: key.value, value, raw: section.subarray(start, reader.position) });
    }
    return items;
}

function sectionCodeOf(section: AmqpValue): number | undefined {
    const descriptor: unknown = section.descriptor?.value;
    if (typeof descriptor === 'number') {
        return descriptor;
    }
    return typeof descriptor === 'string' ? symbolicSectionCodes[descriptor] : undefined;
}

function listItems(section: AmqpValue): (AmqpValue | undefined)[] {
    return Array.isArray(section.value) ? (section.value as AmqpValue[]) : [];
}

/** The message id as Service Bus compares it: its string form. */
function messageIdKey(field: AmqpValue | undefined): string | undefined {
    const value = field?.value;
    if (typeof value === 'string') {
        return value;
    }
    if (typeof value === 'number') {
        return String(value);
    }
    if (Buffer.isBuffer(value)) {
        return field?.type.typecode === 0x98 ? formatUuid(value) : value.toString('hex');
    }
    return undefined;
}

/** Formats 16 bytes as a GUID string in wire (RFC 4122) byte order. */
export function formatUuid(bytes: Buffer): string {
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Reads a timestamp or long as ms since the epoch. */
export function toEpochMs(value: unknown): number | undefined {
    return value instanceof Date ? value.getTime() : readLong(value);
}

/** Reads an AMQP long as rhea decodes it: a number, or 8 big-endian bytes when not a safe integer. */
export function readLong(value: unknown): number | undefined {
    if (typeof value === 'number') {
        return value;
    }
    if (Buffer.isBuffer(value) && value.length === 8) {
        return Number(value.readBigInt64BE(0));
    }
    return undefined;
}
