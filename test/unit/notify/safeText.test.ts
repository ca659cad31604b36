import { cleanText, escapeCardText, escapeHtml, truncate } from '../../../shared/notify/safeText';
import { hasControlCharacters, hostile } from '../../fixtures/decisionReports';

describe('cleanText: untrusted values become one safe line (issue #4, N2)', () => {
    it('turns control characters, line breaks and DEL/C1 controls into single spaces', () => {
        expect(cleanText(hostile.control)).toBe('line1 line2 [31mred');
        expect(hasControlCharacters(cleanText(hostile.control))).toBe(false);
    });

    it('removes bidirectional overrides, so "admin\u202Egnp.exe" cannot pose as something else', () => {
        expect(cleanText(hostile.bidi)).toBe('admingnp.exe');
    });

    it('defangs URLs, so a name never turns into a link', () => {
        expect(cleanText(hostile.bareUrl)).toBe('see https[:]//evil.example/reset and www[.]evil.example');
        expect(cleanText(hostile.markdownLink)).toBe('[Click to verify](http[:]//evil.example/login)');
    });

    it('keeps emoji and accents whole, and cuts long text at a grapheme boundary with an ellipsis', () => {
        expect(cleanText(hostile.emoji)).toBe('Zoë 👩‍💻 🚀');
        expect(cleanText(hostile.long)).toHaveLength(256);
        expect(cleanText(hostile.long).endsWith('…')).toBe(true);
        const family = '👩‍👩‍👧‍👦';
        expect(truncate(`${family.repeat(5)}`, 3)).toBe(`${family}${family}…`);
    });

    it('replaces lone surrogates, which UTF-8 cannot carry', () => {
        expect(cleanText('a\uD800b')).toBe('a\uFFFDb');
    });

    it('treats null and undefined as empty', () => {
        expect(cleanText(null)).toBe('');
        expect(cleanText(undefined)).toBe('');
    });
});

describe('escapeHtml', () => {
    it.each([
        [hostile.script, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
        [hostile.html, '&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;'],
        [`O'Brien & Co`, 'O&#39;Brien &amp; Co'],
    ])('escapes %s', (input, expected) => {
        expect(escapeHtml(input)).toBe(expected);
    });
});

describe('escapeCardText: no markdown from untrusted text', () => {
    it.each([
        [hostile.markdownLink, '\\[Click to verify\\](http://evil.example/login)'],
        [hostile.markdownImage, '!\\[pixel\\](https://evil.example/p.png)'],
        [hostile.emphasis, '\\*\\*urgent\\*\\* \\_now\\_ \\~\\~gone\\~\\~ \\`code\\`'],
        [hostile.script, '\\<script\\>alert("x")\\</script\\>'],
        [hostile.listStart, '\\- item'],
        [hostile.numberedStart, '1\\. first'],
        ['# heading | cell', '\\# heading \\| cell'],
        ['back\\slash', 'back\\\\slash'],
        ['john.doe@contoso.example', 'john.doe@contoso.example'],
        ['203.0.113.7', '203.0.113.7'],
        ['-1 offset', '-1 offset'],
    ])('escapes %s', (input, expected) => {
        expect(escapeCardText(input)).toBe(expected);
    });

    it('leaves no unescaped bracket, so no [text](url) can form a link', () => {
        const escaped = escapeCardText(cleanText(`${hostile.markdownLink} ${hostile.markdownImage}`));
        expect(escaped).not.toMatch(/(^|[^\\])[[\]]/);
    });
});
