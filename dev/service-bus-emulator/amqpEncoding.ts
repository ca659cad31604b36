/**
 * Byte-level AMQP 1.0 encoders for the few values the broker writes on every delivery (the header and
 * its own message annotations). Written by hand from the spec (OASIS AMQP 1.0, part 1 "Types" and part 3
 * "Messaging") because this is the hot path; everything else goes through rhea's encoder.
 */

const formatCode = {
    null: 0x40,
    true: 0x41,
    false: 0x42,
    ubyte: 0x50,
    uint: 0x70,
    int: 0x71,
    long: 0x81,
    timestamp: 0x83,
    sym8: 0xa3,
    list8: 0xc0,
    map32: 0xd1,
    smallUlong: 0x53,
} as const;

/** Descriptor codes of the message sections. */
export const sectionCode = {
    header: 0x70,
    deliveryAnnotations: 0x71,
    messageAnnotations: 0x72,
    properties: 0x73,
    applicationProperties: 0x74,
    data: 0x75,
    sequence: 0x76,
    value: 0x77,
    footer: 0x78,
} as const;

/** The fields of the header section that the broker writes. */
export interface HeaderFields {
    durable: boolean;
    priority: number;
    /** Time to live in ms, absent when the sender set none. */
    ttlMs: number | undefined;
    /** Earlier failed delivery attempts: 0 on the first delivery. */
    deliveryCount: number;
}

/** Encodes the header section: `durable, priority, ttl, first-acquirer, delivery-count`. */
export function encodeHeaderSection(header: HeaderFields): Buffer {
    const ttlBytes = header.ttlMs === undefined ? 1 : 5;
    const itemsLength = 1 + 2 + ttlBytes + 1 + 5;
    const out = Buffer.allocUnsafe(3 + 3 + itemsLength);
    let at = 0;
    out[at++] = 0x00;
    out[at++] = formatCode.smallUlong;
    out[at++] = sectionCode.header;
    out[at++] = formatCode.list8;
    out[at++] = itemsLength + 1; // size counts the count byte too
    out[at++] = 5;
    out[at++] = header.durable ? formatCode.true : formatCode.false;
    out[at++] = formatCode.ubyte;
    out[at++] = header.priority & 0xff;
    if (header.ttlMs === undefined) {
        out[at++] = formatCode.null;
    } else {
        out[at++] = formatCode.uint;
        at = out.writeUInt32BE(clampUint(header.ttlMs), at);
    }
    out[at++] = formatCode.false;
    out[at++] = formatCode.uint;
    out.writeUInt32BE(clampUint(header.deliveryCount), at);
    return out;
}

/**
 * Encodes a map section (message annotations or application properties) from already encoded
 * key/value items. `itemCount` counts keys and values, so it is twice the number of entries.
 */
export function encodeMapSection(code: number, encodedItems: Buffer, itemCount: number): Buffer {
    const prefix = Buffer.allocUnsafe(3 + 1 + 4 + 4);
    prefix[0] = 0x00;
    prefix[1] = formatCode.smallUlong;
    prefix[2] = code;
    prefix[3] = formatCode.map32;
    prefix.writeUInt32BE(4 + encodedItems.length, 4);
    prefix.writeUInt32BE(itemCount, 8);
    return Buffer.concat([prefix, encodedItems]);
}

/** Encodes a symbol of at most 255 bytes (annotation keys). */
export function encodeSymbol(symbol: string): Buffer {
    const text = Buffer.from(symbol, 'ascii');
    if (text.length > 255) {
        throw new RangeError(`AMQP symbol too long for sym8: ${symbol.length} characters`);
    }
    return Buffer.concat([Buffer.from([formatCode.sym8, text.length]), text]);
}

/** Encodes a signed 64-bit integer from a safe JS integer. */
export function encodeLong(value: number): Buffer {
    const out = Buffer.allocUnsafe(9);
    out[0] = formatCode.long;
    out.writeBigInt64BE(BigInt(Math.trunc(value)), 1);
    return out;
}

/** Encodes a timestamp (ms since the Unix epoch). */
export function encodeTimestamp(epochMs: number): Buffer {
    const out = encodeLong(epochMs);
    out[0] = formatCode.timestamp;
    return out;
}

/** Encodes a signed 32-bit integer. */
export function encodeInt(value: number): Buffer {
    const out = Buffer.allocUnsafe(5);
    out[0] = formatCode.int;
    out.writeInt32BE(value, 1);
    return out;
}

function clampUint(value: number): number {
    return Math.max(0, Math.min(0xffffffff, Math.trunc(value)));
}
