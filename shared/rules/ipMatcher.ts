/**
 * IP addresses and CIDR ranges for the `ipAddress` matcher, IPv4 and IPv6, parsed here without a dependency.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:203.0.113.5`, also written `::ffff:cb00:7105`) stand for the IPv4 address
 * they carry, in rules and in detections alike: `203.0.113.0/24` matches `::ffff:203.0.113.5`, and
 * `::ffff:203.0.113.0/120` is the same range as `203.0.113.0/24`. Otherwise the families stay apart: an IPv6 range
 * matches only IPv6 addresses, so `::/0` means "every IPv6 address" and `0.0.0.0/0` "every IPv4 address".
 * Zone indexes (`fe80::1%eth0`), brackets, ports and IPv4 octets with leading zeros are not accepted.
 */

/** A parsed address: 4 bytes for IPv4 (including IPv4-mapped IPv6), 16 bytes for IPv6. */
export interface IpAddress {
    readonly family: 4 | 6;
    readonly bytes: readonly number[];
}

/** A parsed range: the network address (host bits zero) and the prefix length within its family. */
export interface IpRange {
    readonly family: 4 | 6;
    readonly bytes: readonly number[];
    /** 0..32 for IPv4, 0..128 for IPv6. */
    readonly prefixLength: number;
}

/**
 * The result of parsing a range: the range, or why the text is not one. `hint` suggests a fix (it may quote the
 * address, so callers drop it when the text is a secret).
 */
export type IpRangeParse =
    | { readonly ok: true; readonly range: IpRange }
    | { readonly ok: false; readonly problem: string; readonly hint?: string };

/** 16-bit groups of the IPv4-mapped prefix ::ffff:0:0/96. */
const mappedPrefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IPv4 or IPv6 address; `undefined` when `text` is not exactly one address. */
export function parseIpAddress(text: string): IpAddress | undefined {
    const raw = parseRawAddress(text);
    return raw === undefined ? undefined : normalize(raw);
}

/**
 * Parses `address/prefix` or a single address (a range of one). Rejects a range whose address has host bits set
 * (`203.0.113.5/24`), as that is usually a typo for another range; the hint names the network address.
 */
export function parseIpRange(text: string): IpRangeParse {
    const slash = text.indexOf('/');
    const addressText = slash < 0 ? text : text.slice(0, slash);
    const raw = parseRawAddress(addressText);
    if (raw === undefined) {
        return {
            ok: false,
            problem: 'expected an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)',
        };
    }
    const maxPrefix = raw.length * 8;
    let prefixLength = maxPrefix;
    if (slash >= 0) {
        const prefixText = text.slice(slash + 1);
        if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
            return { ok: false, problem: `expected a prefix length from 0 to ${maxPrefix} after "/"` };
        }
        prefixLength = Number(prefixText);
    }
    // An IPv4-mapped range of /96 or longer is an IPv4 range; a shorter one stays IPv6.
    let family: 4 | 6 = raw.length === 4 ? 4 : 6;
    let bytes = raw;
    if (raw.length === 16 && isMapped(raw) && prefixLength >= 96) {
        family = 4;
        bytes = raw.slice(12);
        prefixLength -= 96;
    }
    const network = maskBytes(bytes, prefixLength);
    if (!network.every((b, i) => b === bytes[i])) {
        const suggestion = `${formatIpAddress({ family, bytes: network })}/${prefixLength}`;
        return {
            ok: false,
            problem: 'expected a network address: host bits are set',
            hint: `did you mean ${suggestion}?`,
        };
    }
    return { ok: true, range: { family, bytes: network, prefixLength } };
}

/** True when `address` lies in `range` (same family, same leading `prefixLength` bits). */
export function isInRange(address: IpAddress, range: IpRange): boolean {
    if (address.family !== range.family) {
        return false;
    }
    const masked = maskBytes(address.bytes, range.prefixLength);
    return masked.every((b, i) => b === range.bytes[i]);
}

/** Formats an address: dotted IPv4, or IPv6 in the RFC 5952 canonical form (lower case, longest zero run as `::`). */
export function formatIpAddress(address: IpAddress): string {
    if (address.family === 4) {
        return address.bytes.join('.');
    }
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) {
        groups.push(((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0));
    }
    let bestStart = -1;
    let bestLength = 0;
    for (let i = 0; i < 8;) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) {
            j++;
        }
        if (j - i > bestLength) {
            bestStart = i;
            bestLength = j - i;
        }
        i = j;
    }
    const hex = (g: number[]): string => g.map((n) => n.toString(16)).join(':');
    if (bestLength < 2) {
        return hex(groups);
    }
    return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * Builds a matcher for a list of ranges (already validated by the rules schema). The returned function is true
 * when the given address text is in any range; false for a missing or unparseable address.
 */
export function createIpMatcher(rangeTexts: readonly string[]): (ipAddress: string | null | undefined) => boolean {
    const ranges: IpRange[] = [];
    for (const text of rangeTexts) {
        const parsed = parseIpRange(text);
        if (!parsed.ok) {
            throw new Error(
                `createIpMatcher: not a valid range (the rules schema should have rejected it): ${parsed.problem}`,
            );
        }
        ranges.push(parsed.range);
    }
    return (ipAddress) => {
        if (ipAddress === null || ipAddress === undefined) {
            return false;
        }
        const address = parseIpAddress(ipAddress.trim());
        return address !== undefined && ranges.some((range) => isInRange(address, range));
    };
}

function normalize(raw: number[]): IpAddress {
    if (raw.length === 16 && isMapped(raw)) {
        return { family: 4, bytes: raw.slice(12) };
    }
    return { family: raw.length === 4 ? 4 : 6, bytes: raw };
}

function isMapped(bytes16: readonly number[]): boolean {
    return mappedPrefix.every((b, i) => bytes16[i] === b);
}

function maskBytes(bytes: readonly number[], prefixLength: number): number[] {
    return bytes.map((b, i) => {
        const bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
        return bitsHere === 0 ? 0 : b & ((0xff << (8 - bitsHere)) & 0xff);
    });
}

/** 4 bytes for IPv4 text, 16 bytes for IPv6 text (mapped forms not yet folded), else undefined. */
function parseRawAddress(text: string): number[] | undefined {
    return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): number[] | undefined {
    const parts = text.split('.');
    if (parts.length !== 4) {
        return undefined;
    }
    const bytes: number[] = [];
    for (const part of parts) {
        // No leading zeros: "010" is octal to some parsers and decimal to others.
        if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) {
            return undefined;
        }
        bytes.push(Number(part));
    }
    return bytes;
}

function parseIpv6(text: string): number[] | undefined {
    const halves = text.split('::');
    if (halves.length > 2) {
        return undefined;
    }
    const head = parseGroups(halves[0] ?? '', halves.length === 1);
    const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : [];
    if (head === undefined || tail === undefined) {
        return undefined;
    }
    const given = head.length + tail.length;
    if (halves.length === 1 ? given !== 8 : given > 7) {
        return undefined;
    }
    const groups = [...head, ...new Array<number>(8 - given).fill(0), ...tail];
    return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Parses `a:b:c` into 16-bit groups; a trailing dotted IPv4 counts as two groups when `mayEndInIpv4`. */
function parseGroups(text: string, mayEndInIpv4: boolean): number[] | undefined {
    if (text === '') {
        return [];
    }
    const parts = text.split(':');
    const groups: number[] = [];
    for (const [index, part] of parts.entries()) {
        if (mayEndInIpv4 && index === parts.length - 1 && part.includes('.')) {
            const v4 = parseIpv4(part);
            if (v4 === undefined) {
                return undefined;
            }
            groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
            continue;
        }
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) {
            return undefined;
        }
        groups.push(parseInt(part, 16));
    }
    return groups;
}
