/**
 * Graph DateTimeOffset values, kept the way Graph keeps them: UTC with up to 7 fractional digits (100 ns).
 *
 * Inside the simulator every instant is stored in one canonical form, `YYYY-MM-DDTHH:MM:SS.fffffffZ`
 * (always UTC, always 7 digits), so that comparing two instants is comparing two strings. On the wire the
 * trailing zeros of the fraction are dropped, as Graph does (`2025-06-01T10:00:00Z`, `...:18.7051553Z`).
 */

/** OData DateTimeOffset literal: seconds and fraction optional, offset required. */
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 / OData DateTimeOffset text into the canonical form, or returns undefined when the text
 * is not one (bad shape, impossible date, more than 7 fractional digits, missing offset).
 */
export function parseDateTimeOffset(text: string): string | undefined {
    const match = dateTimePattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, y, mo, d, h, mi, s, fraction, offset] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s ?? '0');
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
        return undefined;
    }
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (date.getUTCDate() !== day) {
        return undefined; // e.g. 2025-02-30
    }
    date.setUTCHours(hour, minute, second, 0);
    let ms = date.getTime();
    if (offset !== undefined && offset !== 'Z') {
        const sign = offset.startsWith('-') ? -1 : 1;
        const offsetHours = Number(offset.slice(1, 3));
        const offsetMinutes = Number(offset.slice(4, 6));
        if (offsetHours > 14 || offsetMinutes > 59) {
            return undefined;
        }
        ms -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
    }
    return `${new Date(ms).toISOString().slice(0, 19)}.${(fraction ?? '').padEnd(7, '0')}Z`;
}

/** The canonical form of a Date (its milliseconds, then four zero digits). */
export function canonicalFromDate(date: Date): string {
    const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    return `${iso.slice(0, 23)}0000Z`;
}

/**
 * The canonical form of an instant given as epoch milliseconds plus sub-millisecond ticks (0-9999 of 100 ns),
 * for synthetic data that looks like Graph's 7-digit timestamps.
 */
export function canonicalFromParts(epochMs: number, subMsTicks: number): string {
    const iso = new Date(Math.floor(epochMs)).toISOString();
    const ticks = Math.min(9999, Math.max(0, Math.floor(subMsTicks)));
    return `${iso.slice(0, 23)}${String(ticks).padStart(4, '0')}Z`;
}

/** Accepts a Date or any text parseDateTimeOffset accepts; throws on anything else (a bug in the caller). */
export function toCanonical(value: Date | string): string {
    if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) {
            throw new Error('Invalid Date');
        }
        return canonicalFromDate(value);
    }
    const canonical = parseDateTimeOffset(value);
    if (canonical === undefined) {
        throw new Error(`Not an ISO 8601 date-time with offset: ${value}`);
    }
    return canonical;
}

/** The wire form: canonical without trailing zeros in the fraction (and without the dot when all are zero). */
export function formatGraphDateTime(canonical: string): string {
    const fraction = canonical.slice(20, 27).replace(/0+$/, '');
    return fraction === '' ? `${canonical.slice(0, 19)}Z` : `${canonical.slice(0, 19)}.${fraction}Z`;
}

/** The instant as a Date (sub-millisecond ticks dropped). */
export function canonicalToDate(canonical: string): Date {
    return new Date(`${canonical.slice(0, 23)}Z`);
}

/** Graph's `innerError.date` form: seconds precision, no offset. */
export function formatErrorDate(date: Date): string {
    return date.toISOString().slice(0, 19);
}

/** The canonical instant one tick (100 ns) later: keeps lastUpdatedDateTime strictly increasing under a frozen clock. */
export function nextTick(canonical: string): string {
    const ms = Date.parse(`${canonical.slice(0, 23)}Z`);
    const ticks = Number(canonical.slice(23, 27)) + 1;
    return ticks > 9999 ? canonicalFromParts(ms + 1, 0) : canonicalFromParts(ms, ticks);
}
