/**
 * Lock tokens. A peek-lock delivery carries its lock token as the 16-byte delivery tag; the SDK shows it
 * as a GUID in .NET byte order (first three groups byte-swapped) and sends that GUID back, in wire order,
 * in $management requests. The emulator keys its locks by those $management bytes.
 */
import { randomUUID } from 'node:crypto';

/** A lock token as the emulator keys it: 32 hex digits of the GUID bytes the SDK sends to $management. */
export type LockToken = string;

/** Creates a new random lock token. */
export function createLockToken(): LockToken {
    return randomUUID().replace(/-/g, ''); // randomUUID draws from a cached entropy pool: cheaper per call
}

/** The delivery tag that makes the SDK show (and later send) the given lock token. */
export function deliveryTagOf(token: LockToken): Buffer {
    return swapGuidByteOrder(Buffer.from(token, 'hex'));
}

/** The lock token behind a delivery tag we sent. */
export function lockTokenOfDeliveryTag(tag: Buffer | string): LockToken {
    const bytes = typeof tag === 'string' ? Buffer.from(tag) : tag;
    return swapGuidByteOrder(bytes).toString('hex');
}

/** The lock token in a $management request (`lock-tokens` entries are GUIDs in wire byte order). */
export function lockTokenOfManagementUuid(uuid: Buffer): LockToken {
    return uuid.toString('hex');
}

/** The GUID bytes to return as `lock-token` in a $management reply. */
export function managementUuidOf(token: LockToken): Buffer {
    return Buffer.from(token, 'hex');
}

/** Swaps between RFC 4122 and .NET GUID byte order (the swap is its own inverse). */
function swapGuidByteOrder(bytes: Buffer): Buffer {
    if (bytes.length !== 16) {
        return Buffer.from(bytes);
    }
    const out = Buffer.from(bytes);
    out[0] = bytes[3] ?? 0;
    out[1] = bytes[2] ?? 0;
    out[2] = bytes[1] ?? 0;
    out[3] = bytes[0] ?? 0;
    out[4] = bytes[5] ?? 0;
    out[5] = bytes[4] ?? 0;
    out[6] = bytes[7] ?? 0;
    out[7] = bytes[6] ?? 0;
    return out;
}
