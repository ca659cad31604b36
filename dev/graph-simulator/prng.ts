/**
 * A small seeded pseudo-random generator, so a synthetic tenant is the same on every run and machine.
 * A Weyl sequence (a counter stepped by an odd constant) fed through an integer mixing function: tiny,
 * fast, and well spread for test data. Not for cryptography.
 */
export interface Prng {
    /** A float in [0, 1). */
    next(): number;
    /** An integer in [min, max], both ends included. */
    int(min: number, max: number): number;
    /** True with probability `p`. */
    chance(p: number): boolean;
    /** One element of a non-empty list. */
    pick<T>(items: readonly T[]): T;
    /** One element of a non-empty list, chosen by weight. */
    weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T;
    /** `length` lowercase hex characters. */
    hex(length: number): string;
    /** A version-4-shaped GUID, lowercase. */
    guid(): string;
}

/** Turns a number or text seed into a 32-bit state (FNV-1a over the text form). */
export function hashSeed(seed: number | string): number {
    const text = String(seed);
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
}

export function createPrng(seed: number | string): Prng {
    let state = hashSeed(seed);

    const nextUint32 = (): number => {
        state = (state + 0x9e3779b9) | 0;
        let z = state;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        z ^= z >>> 16;
        return z >>> 0;
    };
    const next = (): number => nextUint32() / 0x1_0000_0000;

    const hex = (length: number): string => {
        let out = '';
        while (out.length < length) {
            out += nextUint32().toString(16).padStart(8, '0');
        }
        return out.slice(0, length);
    };

    return {
        next,
        int: (min, max) => min + Math.floor(next() * (max - min + 1)),
        chance: (p) => next() < p,
        pick<T>(items: readonly T[]): T {
            const item = items[Math.floor(next() * items.length)];
            if (item === undefined) {
                throw new Error('pick() needs a non-empty list');
            }
            return item;
        },
        weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
            const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
            let roll = next() * total;
            for (const [value, weight] of choices) {
                roll -= weight;
                if (roll < 0) {
                    return value;
                }
            }
            const last = choices[choices.length - 1];
            if (last === undefined) {
                throw new Error('weighted() needs a non-empty list');
            }
            return last[0];
        },
        hex,
        guid(): string {
            const h = hex(32);
            const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
            return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
        },
    };
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for the 8-4-4-4-12 hex form Graph uses for object ids. */
export function isGuid(value: string): boolean {
    return guidPattern.test(value);
}
