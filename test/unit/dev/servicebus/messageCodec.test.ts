/** The emulator's message codec: sender sections kept byte for byte, broker header and annotations added. */
import { message as rheaMessage, types } from 'rhea';
import {
    encodeMessage,
    parseMessage,
    splitBatchEnvelope,
    toApplicationPropertyUpdates,
    withApplicationProperties,
} from '../../../../dev/service-bus-emulator/messageCodec';

interface DecodedMessage {
    delivery_count?: number;
    durable?: boolean;
    ttl?: number;
    message_id?: unknown;
    subject?: string;
    message_annotations?: Record<string, unknown>;
    application_properties?: Record<string, unknown>;
    body?: unknown;
}

function decode(encoded: Buffer): DecodedMessage {
    return rheaMessage.decode(encoded) as DecodedMessage;
}

const scheduledAt = new Date('2030-01-01T00:00:00.000Z');

function sdkLikeMessage(): Buffer {
    return rheaMessage.encode({
        message_id: 'm-1',
        subject: 'riskDetection',
        durable: true,
        ttl: 60_000,
        message_annotations: {
            'x-opt-partition-key': 'tenant-1',
            'x-opt-scheduled-enqueue-time': scheduledAt,
            'x-opt-sequence-number': 999, // broker-owned: a sender's value is dropped
        },
        delivery_annotations: { 'x-hop': 'dropped' },
        application_properties: { tenantId: 'contoso', attempt: 3, big: types.wrap_long(2 ** 40) },
        body: rheaMessage.data_section(Buffer.from('{"version":1}')),
    });
}

describe('parseMessage', () => {
    it('reads the message id, scheduled time and header fields, and keeps the bare message bytes', () => {
        const encoded = sdkLikeMessage();

        const parsed = parseMessage(encoded);

        expect(parsed.messageId).toBe('m-1');
        expect(parsed.scheduledEnqueueTimeMs).toBe(scheduledAt.getTime());
        expect(parsed.content).toMatchObject({ durable: true, ttlMs: 60_000, annotationItemCount: 4 });
        const bare = Buffer.concat([
            parsed.content.properties,
            parsed.content.applicationProperties,
            parsed.content.body,
        ]);
        expect(encoded.includes(bare)).toBe(true);
    });

    it('when the sender set no message id, then one is assigned (Service Bus always has one)', () => {
        const first = parseMessage(rheaMessage.encode({ body: 'x' }));
        const second = parseMessage(rheaMessage.encode({ subject: 's', body: 'y' }));

        expect(first.messageId).toMatch(/^[0-9a-f]{32}$/);
        expect(second.messageId).not.toBe(first.messageId);
        expect(decode(encodeMessage(second.content, { sequenceNumber: 1, enqueuedTimeMs: 0 }, 0))).toMatchObject({
            message_id: second.messageId,
            subject: 's',
            body: 'y',
        });
    });

    it('when a message id is a number or a uuid, then its string form is used for duplicate detection', () => {
        const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

        expect(parseMessage(rheaMessage.encode({ message_id: 42, body: 1 })).messageId).toBe('42');
        expect(parseMessage(rheaMessage.encode({ message_id: uuid, body: 1 })).messageId).toBe(
            '00112233-4455-6677-8899-aabbccddeeff',
        );
    });

    it('throws on bytes that are not an AMQP message', () => {
        expect(() => parseMessage(Buffer.from([0x00, 0x53, 0x99, 0x40]))).toThrow();
    });
});

describe('encodeMessage', () => {
    it('writes the delivery count header and broker annotations, keeping sender annotations and properties', () => {
        const { content } = parseMessage(sdkLikeMessage());

        const decoded = decode(
            encodeMessage(content, { sequenceNumber: 7, enqueuedTimeMs: 1_000, lockedUntilMs: 61_000 }, 2),
        );

        expect(decoded).toMatchObject({
            delivery_count: 2,
            durable: true,
            ttl: 60_000,
            message_id: 'm-1',
            subject: 'riskDetection',
            message_annotations: {
                'x-opt-partition-key': 'tenant-1',
                'x-opt-scheduled-enqueue-time': scheduledAt,
                'x-opt-sequence-number': 7,
                'x-opt-enqueued-time': new Date(1_000),
                'x-opt-locked-until': new Date(61_000),
            },
            application_properties: { tenantId: 'contoso', attempt: 3, big: 2 ** 40 },
        });
        expect(Buffer.from((decoded.body as { content: Buffer }).content).toString()).toBe('{"version":1}');
    });

    it('adds the message state for peeked deferred or scheduled messages', () => {
        const { content } = parseMessage(rheaMessage.encode({ body: 'x' }));

        const decoded = decode(encodeMessage(content, { sequenceNumber: 1, enqueuedTimeMs: 0, messageState: 2 }, 0));

        expect(decoded.message_annotations).toMatchObject({ 'x-opt-message-state': 2 });
        expect(decoded.message_annotations).not.toHaveProperty('x-opt-locked-until');
    });
});

describe('splitBatchEnvelope', () => {
    it('returns each data section of a batch as one encoded message', () => {
        const inner = [
            rheaMessage.encode({ message_id: 'a', body: 1 }),
            rheaMessage.encode({ message_id: 'b', body: 2 }),
        ];
        const envelope = rheaMessage.encode({
            message_annotations: { 'x-opt-partition-key': 'p' },
            body: rheaMessage.data_sections(inner),
        });

        const split = splitBatchEnvelope(envelope);

        expect(split.map((encoded) => parseMessage(encoded).messageId)).toEqual(['a', 'b']);
    });
});

describe('withApplicationProperties', () => {
    it('replaces same-named properties and adds new ones, leaving the others as they were', () => {
        const { content } = parseMessage(sdkLikeMessage());

        const updated = withApplicationProperties(
            content,
            new Map<string, string | number>([
                ['attempt', 4],
                ['DeadLetterReason', 'message.invalid'],
            ]),
        );
        const decoded = decode(encodeMessage(updated, { sequenceNumber: 1, enqueuedTimeMs: 0 }, 0));

        expect(decoded.application_properties).toEqual({
            tenantId: 'contoso',
            big: 2 ** 40,
            attempt: 4,
            DeadLetterReason: 'message.invalid',
        });
    });

    it('creates the section when the message had none', () => {
        const { content } = parseMessage(rheaMessage.encode({ body: 'x' }));

        const updated = withApplicationProperties(content, new Map([['DeadLetterReason', 'r']]));

        expect(
            decode(encodeMessage(updated, { sequenceNumber: 1, enqueuedTimeMs: 0 }, 0)).application_properties,
        ).toEqual({ DeadLetterReason: 'r' });
    });
});

describe('toApplicationPropertyUpdates', () => {
    it('keeps strings, finite numbers, booleans, dates and buffers, and drops the rest', () => {
        const date = new Date(0);

        const updates = toApplicationPropertyUpdates({
            s: 'x',
            n: 1,
            b: false,
            d: date,
            nothing: null,
            notSet: undefined,
            nan: Number.NaN,
            nested: { a: 1 },
        });

        expect([...updates.entries()]).toEqual([
            ['s', 'x'],
            ['n', 1],
            ['b', false],
            ['d', date],
        ]);
    });
});
