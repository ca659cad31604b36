/**
 * The largest `shown` in [0, count] whose built message still fits, found by binary search (the size grows with
 * `shown`). Messages are cut between whole entries and the rest is summarised by the builder, never cut
 * mid-structure. When even `shown = 0` does not fit, that smallest message is returned. Pure code.
 */
export function buildLargestFitting<T>(count: number, build: (shown: number) => T, fits: (built: T) => boolean): T {
    const all = build(count);
    if (fits(all)) {
        return all;
    }
    let low = 0;
    let high = count - 1;
    let best = build(0);
    while (low <= high) {
        const middle = Math.floor((low + high) / 2);
        const built = middle === 0 ? best : build(middle);
        if (fits(built)) {
            best = built;
            low = middle + 1;
        } else {
            high = middle - 1;
        }
    }
    return best;
}

/** Bytes of the UTF-8 JSON serialization, as it goes over the wire. */
export function jsonBytes(value: unknown): number {
    return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
