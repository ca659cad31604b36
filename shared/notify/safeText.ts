/**
 * Text that came from a detection or the directory is untrusted (design N2): a display name, a city or a UPN
 * can hold markup, markdown links, control characters or megabytes of text. Every such string goes through
 * `cleanText` once (the view models in decisionSummary.ts and alertSummary.ts do it), and then through the escape
 * of the format it lands in: `escapeHtml` for email, `escapeCardText` for Adaptive Card text. Pure code.
 */

/** Longest untrusted value shown by default, in characters (graphemes). */
export const defaultMaxChars = 256;

/** C0 and C1 control characters, DEL, and line or paragraph separators: all become spaces. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
/**
 * Invisible formatting that can make text read differently from what it is: bidirectional overrides and
 * isolates (the "Trojan Source" characters), zero-width spaces and joiners other than U+200D (which emoji
 * sequences need), word joiners and the byte-order mark.
 */
const invisibleFormatting = /[\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** A high surrogate without its low half, or a low one without its high half: not encodable as UTF-8. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** `scheme://` and `www.`: defanged so that a name or a city never turns into a clickable link. */
const urlScheme = /\b([a-z][a-z0-9+.-]{1,30}):\/\//gi;
const wwwPrefix = /\bwww\./gi;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Makes an untrusted value safe to show as one line: controls become spaces, invisible formatting goes,
 * whitespace collapses, URLs are defanged (`https[:]//`, `www[.]`, the way security tools quote indicators),
 * and text longer than `maxChars` graphemes is cut at a grapheme boundary (an emoji is never split) and ends
 * with "…". `null`/`undefined` become the empty string. The result still needs the escape of its format.
 */
export function cleanText(value: string | null | undefined, maxChars: number = defaultMaxChars): string {
    if (value === null || value === undefined) {
        return '';
    }
    const oneLine = value
        .replace(loneSurrogate, '\uFFFD')
        .replace(controlCharacters, ' ')
        .replace(invisibleFormatting, '')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(urlScheme, '$1[:]//')
        .replace(wwwPrefix, 'www[.]');
    return truncate(oneLine, maxChars);
}

/** Cuts `text` to at most `maxChars` graphemes, the last one being "…" when something was cut. */
export function truncate(text: string, maxChars: number): string {
    // Fast path: fewer UTF-16 units than the limit means fewer graphemes too.
    if (text.length <= maxChars) {
        return text;
    }
    const kept: string[] = [];
    for (const { segment } of graphemes.segment(text)) {
        if (kept.length === maxChars) {
            kept[maxChars - 1] = '…';
            return kept.join('');
        }
        kept.push(segment);
    }
    return kept.join('');
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}

/**
 * Escapes text for an Adaptive Card TextBlock or FactSet, whose text Teams renders as markdown: a backslash
 * before every character that starts markdown syntax (emphasis `*` `_` `~`, links and images `[` `]`, code `` ` ``,
 * raw HTML and autolinks `<` `>`, headings `#`, tables `|`, the backslash itself), and before a list marker at the
 * start (`- `, `+ `, `1. `). Without the brackets a `[text](url)` can never become a link. CommonMark honours these
 * escapes; current Teams clients do too (microsoft/AdaptiveCards#5590 tracked the mobile ones).
 */
export function escapeCardText(text: string): string {
    return text.replace(/[\\`*_~[\]<>#|]/g, '\\$&').replace(/^([-+])(?=\s|$)/, '\\$1').replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}
