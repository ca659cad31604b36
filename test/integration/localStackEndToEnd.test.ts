/**
 * The whole system on the local stack (issue 5): detections appear in the Graph simulator, the timer function
 * polls them, they go through the Service Bus emulator to remediateRisk, which decides, acts in the simulator and
 * hands notifications to deliverNotifications, which posts to the webhook sink and mails through the simulator.
 * All three functions run on the local Functions host from their registrations, in one child process as one
 * Azure instance would. Then the status page is read in headless Chromium.
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

import type { LocalStack } from '../../dev/local/localStack';
import { actionableUsers, addDetection, auditByUser, riskStateOf, startTestStack, waitFor, writes } from './localStackHarness';

jest.setTimeout(90_000);

const chromiumPath = '/usr/bin/chromium';

describe('the local stack end to end (issue 5)', () => {
    let stack: LocalStack & { lines: string[] };
    let users: { confirmed: string; dismissed: string; excluded: string; noRule: string; later: string };

    beforeAll(async () => {
        stack = await startTestStack({ statusPage: true });
        const tenant = stack.tenant!;
        const [confirmed, dismissed, noRule, later] = actionableUsers(tenant);
        users = { confirmed: confirmed!, dismissed: dismissed!, excluded: tenant.breakGlassUserIds[0], noRule: noRule!, later: later! };
        addDetection(tenant, users.confirmed, 'leaked');
        addDetection(tenant, users.dismissed, 'anonymizedCorporate');
        addDetection(tenant, users.excluded, 'leaked');
        // Detection text is untrusted: the status page and the cards must show it as text.
        addDetection(tenant, users.noRule, 'unfamiliar', '<img src=x onerror="window.pwned=1">');
    });

    afterAll(async () => {
        await stack?.stop();
    });

    it('polls, queues, decides, acts in Graph once per user, records the audit trail and notifies', async () => {
        const tenant = stack.tenant!;
        await waitFor('the first four decisions in the audit table', async () => {
            const byUser = await auditByUser(stack);
            return Object.values(users).filter((id) => id !== users.later).every((id) => byUser.get(id)?.some((r) => r.outcome !== 'pending')) || undefined;
        });

        // Graph-side state: one confirmation (with its sessions revoked), one dismissal, nobody else touched.
        expect(riskStateOf(tenant, users.confirmed)).toBe('confirmedCompromised');
        expect(riskStateOf(tenant, users.dismissed)).toBe('dismissed');
        expect(riskStateOf(tenant, users.excluded)).toBe('atRisk');
        expect(riskStateOf(tenant, users.noRule)).toBe('atRisk');
        expect(writes(stack)).toEqual({ confirmCompromised: 1, dismiss: 1 });
        expect(stack.simulator!.revokedSessions.map((entry) => entry.userId)).toEqual([users.confirmed]);

        // The audit table: one record per decision, with rule, mode and outcome.
        const byUser = await auditByUser(stack);
        expect(byUser.get(users.confirmed)).toEqual([
            expect.objectContaining({ action: 'confirmCompromised', ruleId: 'leaked-credentials', mode: 'enforce', outcome: 'applied' }),
        ]);
        expect(byUser.get(users.dismissed)).toEqual([
            expect.objectContaining({ action: 'dismiss', ruleId: 'corporate-egress-anonymizer', outcome: 'applied' }),
        ]);
        expect(byUser.get(users.excluded)).toEqual([expect.objectContaining({ action: 'none', outcome: 'excluded' })]);
        expect(byUser.get(users.noRule)).toEqual([expect.objectContaining({ action: 'none', ruleId: 'everything-else', outcome: 'noAction' })]);
        for (const records of byUser.values()) {
            expect(records[0]!.messageIds).toHaveLength(1);
        }

        // The outbox: the secops digest in Teams (the sink) and by mail, and the confirmed user's manager by mail.
        const managerMail = tenant.users.get(tenant.users.get(users.confirmed)!.managerId!)!.mail;
        await waitFor('the digests and the manager mail', () => {
            const mailTo = stack.simulator!.sentMail.flatMap((mail) =>
                ((mail.message as { toRecipients?: Array<{ emailAddress: { address: string } }> }).toRecipients ?? []).map((r) => r.emailAddress.address),
            );
            return (stack.sink.accepted('/secops').length >= 1 && mailTo.includes('secops@contoso.example') && mailTo.includes(managerMail!)) || undefined;
        });
        const card = JSON.stringify(stack.sink.accepted('/secops')[0]!.body);
        expect(card).toContain(tenant.users.get(users.confirmed)!.userPrincipalName);
        // Detection text reaches the card escaped for its format (design N2): no bare "<".
        expect(card).not.toMatch(/[^\\]<img/);

        // Through the emulator: the detections queue drained, nothing dead-lettered.
        expect(stack.emulator.queueStats('risk-detections')).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
        await stack.refresh();
        expect(stack.monitor.counts()).toMatchObject({ queued: 4, decided: 4, confirmed: 1, dismissed: 1, rejected: 0, deadLettered: 0 });
        expect(stack.monitor.counts().polled).toBeGreaterThanOrEqual(1);
    });

    it('picks up a detection that arrives later on the next poll, and never repeats earlier actions', async () => {
        const tenant = stack.tenant!;
        addDetection(tenant, users.later, 'threatIntel');
        await waitFor('the later user confirmed', () => riskStateOf(tenant, users.later) === 'confirmedCompromised' || undefined);
        const pollsAfter = stack.monitor.polls.length;
        await waitFor('two more polls', () => stack.monitor.polls.length >= pollsAfter + 2 || undefined);
        expect(writes(stack)).toEqual({ confirmCompromised: 2, dismiss: 1 });
        await stack.refresh();
        expect(stack.monitor.counts()).toMatchObject({ queued: 5, decided: 5, confirmed: 2 });
        // The live log told the story.
        const log = stack.lines.join('\n');
        expect(log).toMatch(/poll {7}listed \d+, queued 4/);
        expect(log).toMatch(/decision {3}\S+ confirmCompromised rule=leaked-credentials mode=enforce -> applied/);
        expect(log).toMatch(/action {5}POST confirmCompromised -> 204/);
        expect(log).toMatch(/notify {5}teams \/secops: risk-responder: \d+ risk decisions?/);
        expect(stack.monitor.summaryLine()).toMatch(
            /^summary: polled=\d+ queued=5 decided=5 confirmed=2 dismissed=1 held=0 notified=\d+ rejected=0 deadLettered=0$/,
        );
    });

    describe('the status page in headless Chromium', () => {
        let browser: Browser;

        beforeAll(async () => {
            if (!existsSync(chromiumPath)) {
                throw new Error(
                    `${chromiumPath} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium); ` +
                        'this test does not skip without it',
                );
            }
            browser = await chromium.launch({
                executablePath: chromiumPath,
                args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
            });
        });

        afterAll(async () => {
            await browser?.close();
        });

        it('shows detections, decisions, actions, notifications, breaker state and rule hits, with detection text escaped', async () => {
            expect(stack.statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
            const page = await browser.newPage();
            const response = await page.goto(stack.statusUrl!);
            expect(response?.status()).toBe(200);
            await expect(page.title()).resolves.toBe('risk-responder local status');
            expect(await page.locator('h2').allTextContents()).toEqual([
                'Summary',
                'Circuit breaker (rolling hour)',
                'Rule hits',
                'Queues',
                'Recent polls',
                'Recent detections',
                'Recent decisions',
                'Action calls',
                'Notifications',
                'Dead letters',
            ]);
            const tenant = stack.tenant!;
            const upn = (id: string) => tenant.users.get(id)!.userPrincipalName;
            await expect(page.locator('[data-count="confirmed"]').textContent()).resolves.toBe('2');
            await expect(page.locator('[data-count="dismissed"]').textContent()).resolves.toBe('1');

            const decisions = await page.locator('#decisions tbody tr').allTextContents();
            expect(decisions.some((row) => row.includes(upn(users.confirmed)) && row.includes('confirmCompromised') && row.includes('applied'))).toBe(true);
            expect(decisions.some((row) => row.includes(upn(users.excluded)) && row.includes('excluded'))).toBe(true);

            const detections = await page.locator('#detections tbody tr').allTextContents();
            expect(detections.some((row) => row.includes('<img src=x onerror="window.pwned=1">'))).toBe(true);
            expect(await page.locator('#detections img').count()).toBe(0);
            expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();

            const breaker = await page.locator('#breaker tbody tr').allTextContents();
            expect(breaker).toEqual(['confirmCompromisedclosed2500', 'dismissclosed12000']);
            const hits = await page.locator('#rule-hits tbody tr').allTextContents();
            expect(hits).toEqual(
                expect.arrayContaining(['leaked-credentials21', 'corporate-egress-anonymizer11', 'everything-else10']),
            );
            const actions = await page.locator('#actions tbody tr').allTextContents();
            expect(actions.filter((row) => row.includes('confirmCompromised204'))).toHaveLength(2);
            expect(actions.filter((row) => row.includes('revokeSignInSessions200'))).toHaveLength(1);
            expect(await page.locator('#notifications tbody tr').count()).toBeGreaterThanOrEqual(3);
            expect(await page.locator('#dead-letters-empty').textContent()).toBe('none');
            await page.close();
        });
    });
});
