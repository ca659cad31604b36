import { buildEmailAlert, buildEmailDigest, emailContentSchema, maxEmailBytes } from '../../../shared/notify/emailContent';
import { DigestContext } from '../../../shared/notify/messageContext';
import { aDecisionReport, hasControlCharacters, hostile } from '../../fixtures/decisionReports';

const context: DigestContext = { tenantId: 'contoso-tenant', portalUrl: 'https://entra.microsoft.com', recipient: 'owner "secops"' };

/** The HTML with our own markup removed: what remains must be text, with no tag or attribute from a detection. */
function tagsOf(html: string): string[] {
    return [...html.matchAll(/<\/?([a-zA-Z0-9!]+)/g)].map((match) => match[1]!.toLowerCase());
}

describe('email digests (issue #4)', () => {
    it('have a subject with counts and mode, an HTML body and a plain-text alternative with the same facts', () => {
        const report = aDecisionReport({ mode: 'dryRun', outcome: 'dryRun', detection: { userDisplayName: 'Adele Vance', ipAddress: '203.0.113.7' } });

        const email = buildEmailDigest([report], context);

        expect(emailContentSchema.parse(email)).toEqual(email);
        expect(email.subject).toBe('risk-responder: 1 risk decision (dry-run): 1 dry-run');
        for (const part of [email.html, email.text]) {
            expect(part).toContain('Adele Vance');
            expect(part).toContain('Dry-run: would confirm compromised');
            expect(part).toContain('leakedCredentials (high)');
            expect(part).toContain('203.0.113.7');
            expect(part).toContain('Seattle, Washington, US');
            expect(part).toContain('2026-06-01 11:50:00 UTC');
            expect(part).toContain('leaked-credentials');
            expect(part).toContain(`/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/${report.userId}`);
        }
        expect(email.html).toMatch(/^<!DOCTYPE html>/);
        expect(email.text).not.toMatch(/<[a-z]/i);
    });

    it('show held, excluded and failed decisions in words', () => {
        const email = buildEmailDigest(
            [
                aDecisionReport({ outcome: 'held' }),
                aDecisionReport({ outcome: 'excluded', action: 'none', wouldHave: 'dismiss', ruleId: null }),
                aDecisionReport({ outcome: 'failed' }),
            ],
            context,
        );
        expect(email.subject).toBe('risk-responder: 3 risk decisions (enforce): 1 failed, 1 held, 1 excluded');
        expect(email.text).toContain("Held: the circuit breaker's hourly cap was reached");
        expect(email.text).toContain('Excluded: never acted on; the rules would have chosen dismiss user risk');
        expect(email.text).toContain('Failed: Graph refused to confirm compromised');
    });

    it('N2: hostile values are HTML-escaped: no tag, attribute or link from a detection reaches the HTML', () => {
        const benign = buildEmailDigest([aDecisionReport()], context);
        const report = aDecisionReport({
            userPrincipalName: hostile.markdownLink,
            reason: hostile.script,
            detection: { userDisplayName: `${hostile.html} ${hostile.control} "quoted" 'single'`, ipAddress: hostile.bareUrl, location: { city: hostile.long } },
        });

        const email = buildEmailDigest([report], context);

        expect(tagsOf(email.html).sort()).toEqual(tagsOf(benign.html).sort());
        expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
        expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
        expect(email.html).not.toContain('https://evil');
        expect(email.html).not.toContain('x'.repeat(100));
        expect(hasControlCharacters(email.text)).toBe(false);
        expect([...email.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]).every((url) => url!.startsWith('https://entra.microsoft.com/'))).toBe(true);
    });

    it('summarise overflow with counts under the size limit', () => {
        const reports = Array.from({ length: 400 }, (_, i) => aDecisionReport({ outcome: i % 2 ? 'applied' : 'noAction', reason: `r${i} ${'é'.repeat(400)}` }));
        const email = buildEmailDigest(reports, context, 64 * 1024);
        expect(Buffer.byteLength(JSON.stringify({ html: email.html, text: email.text }))).toBeLessThanOrEqual(64 * 1024);
        expect(email.text).toMatch(/\d+ more decisions are not shown \(\d+ applied, \d+ no action\)/);
        expect(email.html).toContain('more decisions are not shown');
        expect(maxEmailBytes).toBeLessThan(256 * 1024);
    });
});

describe('email alerts (issue #4)', () => {
    it('have an "[ALERT]" subject and an attention-coloured ALERT header', () => {
        const email = buildEmailAlert({ kind: 'breakerTripped', action: 'dismiss', cap: 200, held: 3, resetsAt: '2026-06-01T13:00:00.000Z' }, context);
        expect(email.subject).toBe('[ALERT] risk-responder: Circuit breaker tripped: dismiss actions are held');
        expect(email.html).toMatch(/border-left:4px solid #c50f1f[^>]*>.*ALERT/s);
        expect(email.text).toMatch(/^ALERT: risk-responder: Circuit breaker tripped/);
        expect(email.text).toContain('Hourly cap: 200');
    });

    it('escape the problems of an invalid rules file', () => {
        const email = buildEmailAlert({ kind: 'rulesInvalid', file: 'rules.yaml', problems: [hostile.script] }, context);
        expect(email.html).toContain('<li>&lt;script&gt;');
        expect(email.text).toContain('- <script>alert("x")</script>');
    });
});
