import { AuditOutcome } from '../../../shared/remediation/auditRecord';
import { DigestContext } from '../../../shared/notify/messageContext';
import { Alert, DecisionReport } from '../../../shared/notify/notifier';
import { buildTeamsAlert, buildTeamsDigest } from '../../../shared/notify/teamsCards';
import { maxTeamsMessageBytes } from '../../../shared/notify/teamsMessage';
import { aDecisionReport, hasControlCharacters, hostile } from '../../fixtures/decisionReports';
import { adaptiveCardProblems, cardTexts, cardUrls, expectValidTeamsMessage } from './cardValidation';

const context: DigestContext = { tenantId: 'contoso-tenant', portalUrl: 'https://entra.microsoft.com', recipient: 'owner "secops"' };

function cardOf(reports: DecisionReport[], extra: Partial<DigestContext> = {}): Record<string, unknown> {
    return expectValidTeamsMessage(buildTeamsDigest(reports, { ...context, ...extra }));
}

describe('Teams digest cards (issue #4)', () => {
    it('one card lists every decision of the batch with user, UPN, detection, level, IP, location, time, rule, action, mode and outcome', () => {
        const report = aDecisionReport({ detection: { userDisplayName: 'Adele Vance', userPrincipalName: 'adele@contoso.example', ipAddress: '203.0.113.7' } });

        const texts = cardTexts(cardOf([report]));

        expect(texts).toEqual(
            expect.arrayContaining([
                'risk-responder: 1 risk decision',
                'Adele Vance (adele@contoso.example)',
                'Applied: confirmed compromised',
                'leakedCredentials (high)',
                '203.0.113.7',
                'Seattle, Washington, US',
                '2026-06-01 11:50:00 UTC',
                'leaked-credentials',
                'Confirm compromised',
                'enforce',
            ]),
        );
        expect(cardUrls(cardOf([report]))).toEqual([
            `https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/${report.userId}`,
            'https://entra.microsoft.com/#view/Microsoft_AAD_IAM/IdentityProtectionMenuBlade/~/RiskyUsers',
        ]);
    });

    it.each<[AuditOutcome, Partial<DecisionReport>, RegExp]>([
        ['dryRun', { mode: 'dryRun' }, /^Dry-run: would confirm compromised/],
        ['held', {}, /^Held: the circuit breaker/],
        ['excluded', { action: 'none', wouldHave: 'confirmCompromised', ruleId: null }, /^Excluded: never acted on; the rules would have chosen confirm compromised/],
        ['failed', {}, /^Failed: Graph refused/],
        ['skipped', {}, /^Skipped/],
        ['noAction', { action: 'none' }, /^No action/],
    ])('shows a %s decision as such, in a valid 1.4 card', (outcome, overrides, label) => {
        const texts = cardTexts(cardOf([aDecisionReport({ outcome, ...overrides })]));
        expect(texts.some((text) => label.test(text))).toBe(true);
    });

    it('says at the top when the batch ran in dry-run', () => {
        const texts = cardTexts(cardOf([aDecisionReport({ mode: 'dryRun', outcome: 'dryRun' })]));
        expect(texts).toContain('Dry-run: nothing was changed in Entra ID; this is what enforce would do.');
    });

    it('lists what needs a look first: failed, then held, then applied, then the routine', () => {
        const reports = (['noAction', 'applied', 'failed', 'held'] as const).map((outcome, i) =>
            aDecisionReport({ outcome, detection: { userDisplayName: `User ${outcome} ${i}` } }),
        );
        const headings = cardTexts(cardOf(reports)).filter((text) => text.startsWith('User '));
        expect(headings.map((heading) => heading.split(' ')[1])).toEqual(['failed', 'held', 'applied', 'noAction']);
    });

    it('shows what became of the manager notification when the digest has notes', () => {
        const report = aDecisionReport({ notify: ['secops', 'manager'] });
        const texts = cardTexts(cardOf([report], { managerNotes: new Map([[report.userId, 'none in the directory: not notified']]) }));
        expect(texts).toContain('none in the directory: not notified');
    });

    it('N2: hostile detection and directory values are escaped, defanged, stripped of controls and cut, and links stay ours', () => {
        const report = aDecisionReport({
            userPrincipalName: hostile.markdownLink,
            ruleId: hostile.emphasis,
            reason: hostile.script,
            detection: {
                userDisplayName: `${hostile.html} ${hostile.control}`,
                riskEventType: hostile.markdownImage,
                ipAddress: hostile.bareUrl,
                location: { city: hostile.long, state: hostile.bidi, countryOrRegion: hostile.emoji },
            },
        });

        const message = buildTeamsDigest([report], context);
        const card = expectValidTeamsMessage(message);
        const texts = cardTexts(card).join('\n');

        expect(texts).not.toMatch(/(^|[^\\])[[\]<>*_`~]/m);
        expect(texts).not.toContain('http://evil');
        expect(texts).not.toContain('https://evil');
        expect(hasControlCharacters(texts)).toBe(false);
        expect(texts).toContain('Zoë 👩‍💻 🚀');
        expect(texts).not.toContain('x'.repeat(300));
        expect(cardUrls(card).every((url) => url.startsWith('https://entra.microsoft.com/#view/'))).toBe(true);
    });

    it('keeps a big batch under the size limit by summarising the overflow with counts, cut between whole entries', () => {
        const reports = Array.from({ length: 120 }, (_, i) =>
            aDecisionReport({ outcome: i % 3 === 0 ? 'held' : 'applied', detection: { userDisplayName: `User ${i} ${'é'.repeat(60)}` } }),
        );

        const message = buildTeamsDigest(reports, context);

        const card = expectValidTeamsMessage(message);
        const size = Buffer.byteLength(JSON.stringify(message));
        expect(size).toBeLessThanOrEqual(maxTeamsMessageBytes);
        expect(size).toBeGreaterThan(maxTeamsMessageBytes * 0.8);
        const texts = cardTexts(card);
        const shown = texts.filter((text) => text.startsWith('User ')).length;
        expect(shown).toBeGreaterThan(5);
        expect(shown).toBeLessThan(120);
        expect(texts).toContain('risk-responder: 120 risk decisions');
        const overflow = texts.find((text) => text.includes('not shown'))!;
        expect(overflow).toMatch(new RegExp(`^${120 - shown} more decisions are not shown \\(\\d+ held, \\d+ applied\\)`));
    });

    it('hostile values at their worst still fit: one entry of maximal text is under the limit', () => {
        const report = aDecisionReport({
            userPrincipalName: '['.repeat(10_000),
            reason: '*'.repeat(10_000),
            detections: Array.from({ length: 50 }, (_, i) =>
                aDecisionReport({ detection: { riskEventType: `${i}${'_'.repeat(100)}`, ipAddress: `${'<'.repeat(200)}${i}` } }).detections[0]!,
            ),
        });
        const card = expectValidTeamsMessage(buildTeamsDigest([report], context));
        expect(cardTexts(card).some((text) => text.includes('and 42 more'))).toBe(true);
    });
});

describe('Teams alert cards (issue #4)', () => {
    it.each<[string, Alert]>([
        ['breaker tripped', { kind: 'breakerTripped', action: 'confirmCompromised', cap: 50, held: 7, resetsAt: '2026-06-01T13:00:00.000Z' }],
        ['rules invalid', { kind: 'rulesInvalid', file: 'rules.yaml', problems: ['rules.yaml:3: rules[0].then.action: invalid value "lock"'] }],
        ['message rejected', { kind: 'messageRejected', messageId: 'm-1', reason: 'detection.userId: expected string' }],
        ['dead-lettered', { kind: 'deadLettered', messageId: null, reason: 'MaxDeliveryCountExceeded' }],
    ])('a %s alert is a valid card with an attention-styled ALERT header', (_name, alert) => {
        const card = expectValidTeamsMessage(buildTeamsAlert(alert, context));
        const [header] = card.body as Array<{ style?: string; items?: Array<{ text: string; color?: string }> }>;
        expect(header).toMatchObject({ type: 'Container', style: 'attention' });
        expect(header!.items![0]).toMatchObject({ text: 'ALERT', color: 'Attention' });
        expect(header!.items![1]!.text).toMatch(/^risk-responder: /);
    });

    it('lists the problems of an invalid rules file escaped, and counts those beyond the limit', () => {
        const problems = Array.from({ length: 25 }, (_, i) => `rules.yaml:${i}: rules[${i}].id: ${hostile.markdownLink}`);
        const card = expectValidTeamsMessage(buildTeamsAlert({ kind: 'rulesInvalid', file: 'rules.yaml', problems }, context));
        const texts = cardTexts(card);
        expect(texts.filter((text) => text.startsWith('• '))).toHaveLength(20);
        expect(texts).toContain('5 more not shown.');
        expect(texts.join('\n')).not.toMatch(/(^|[^\\])\[Click/m);
    });

    it('the adaptivecards package would catch an element Teams 1.4 does not know', () => {
        expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Table', columns: [] }] })).toEqual([
            expect.stringContaining('Unknown element type "Table"'),
        ]);
    });
});
