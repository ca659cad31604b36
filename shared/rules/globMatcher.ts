/**
 * Case-insensitive globs for the `userPrincipalName` matcher: `*` matches any run of characters (also none),
 * `?` exactly one character, everything else itself. There is no escape and no character class: UPNs contain
 * neither `*` nor `?`. Matching walks the text once with backtracking to the last `*` only, so it needs no regular
 * expression and cannot blow up on a hostile pattern.
 */

/** True when `text` matches the glob `pattern`, ignoring case. */
export function matchesGlob(pattern: string, text: string): boolean {
    const p = Array.from(pattern.toLowerCase());
    const t = Array.from(text.toLowerCase());
    let pi = 0;
    let ti = 0;
    let starPi = -1;
    let starTi = 0;
    while (ti < t.length) {
        const pc = p[pi];
        if (pc === '*') {
            starPi = pi++;
            starTi = ti;
        } else if (pc !== undefined && (pc === '?' || pc === t[ti])) {
            pi++;
            ti++;
        } else if (starPi >= 0) {
            // Let the last `*` swallow one more character and retry from there.
            pi = starPi + 1;
            ti = ++starTi;
        } else {
            return false;
        }
    }
    while (p[pi] === '*') {
        pi++;
    }
    return pi === p.length;
}

/** Builds a matcher that is true when the text matches any of `patterns`; false for a missing text. */
export function createGlobMatcher(patterns: readonly string[]): (text: string | null | undefined) => boolean {
    return (text) => text !== null && text !== undefined && patterns.some((pattern) => matchesGlob(pattern, text));
}
