import type { Detection } from '../../../shared/detection';
import { decideForUsers, isActing, type UserContext, type UserDecision } from '../../../shared/remediation/decide';
import type { RulesFileInput } from '../../../shared/rules/ruleSchema';
import { aDetection, adele, breakGlassGroup, megan, rulesFile, vipGroup } from '../rules/builders';

/** The README's example policy: confirm leaks and threat intel, dismiss anonymizers from the egress range. */
const policy: Omit<RulesFileInput, 'version'> = {
    exclusions: { users: [], groups: [breakGlassGroup] },
    owners: { secops: { email: ['secops@contoso.example'] }, helpdesk: { email: ['helpdesk@contoso.example'] } },
    rules: [
        {
            id: 'leaked-credentials',
            when: { riskEventType: ['leakedCredentials'], riskLevel: ['high'] },
            then: { action: 'confirmCompromised', revokeSessions: true, notify: ['secops', 'manager'] },
        },
        {
            id: 'threat-intelligence',
            when: { riskEventType: ['investigationsThreatIntelligence'], riskLevel: ['high'] },
            then: { action: 'confirmCompromised', notify: ['secops'] },
        },
        {
            id: 'corporate-egress-anonymizer',
            when: { riskEventType: ['anonymizedIPAddress'], ipAddress: ['203.0.113.0/24'] },
            then: { action: 'dismiss', notify: ['helpdesk'] },
        },
        {
            id: 'travel-from-office',
            when: { riskEventType: ['unlikelyTravel'], ipAddress: ['203.0.113.0/24', '2001:db8::/32'] },
            then: { action: 'dismiss', notify: ['secops'] },
        },
        { id: 'everything-else', then: { action: 'none', notify: ['secops'] } },
    ],
};

const leaked = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({
        id,
        riskEventType: 'leakedCredentials',
        activity: 'user',
        detectionTimingType: 'offline',
        ...overrides,
    });
const threatIntel = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({ id, riskEventType: 'investigationsThreatIntelligence', ...overrides });
const egressAnonymizer = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({
        id,
        riskEventType: 'anonymizedIPAddress',
        ipAddress: '203.0.113.20',
        riskLevel: 'medium',
        ...overrides,
    });
const officeTravel = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({ id, riskEventType: 'unlikelyTravel', ipAddress: '2001:db8:10::7', riskLevel: 'medium', ...overrides });
const unfamiliar = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({ id, riskEventType: 'unfamiliarFeatures', ...overrides });
const echo = (id: string, overrides: Partial<Detection> = {}): Detection =>
    aDetection({ id, riskEventType: 'adminConfirmedUserCompromised', activity: 'user', ...overrides });

function context(overrides: Partial<UserContext> = {}): UserContext {
    return { userGroupIds: new Set(), otherDetections: [], ...overrides };
}

function decide(
    detections: Detection[],
    users: Record<string, Partial<UserContext>> = {},
    input: Omit<RulesFileInput, 'version'> = policy,
): UserDecision[] {
    const userIds = [...new Set(detections.map((d) => d.userId))];
    return decideForUsers({
        rules: rulesFile(input),
        detections,
        users: new Map(userIds.map((id) => [id, context(users[id])])),
    });
}

function decideOne(detections: Detection[], user: Partial<UserContext> = {}, input = policy): UserDecision {
    const [decision, ...others] = decide(detections, { [adele.id]: user }, input);
    expect(others).toEqual([]);
    return decision!;
}

describe('decideForUsers', () => {
    describe('R2: confirmCompromised beats dismiss for the same user in the same batch', () => {
        it.each<[string, string, Detection[], string, boolean]>([
            [
                'one leaked credential',
                'leaked-credentials',
                [leaked('d1')],
                'rule "leaked-credentials" confirmed d1',
                true,
            ],
            [
                'a leak and a dismissable anonymizer',
                'leaked-credentials',
                [egressAnonymizer('d1'), leaked('d2')],
                'rule "leaked-credentials" confirmed d2',
                true,
            ],
            [
                'threat intel, then a leak: the first rule in rule order names it',
                'leaked-credentials',
                [threatIntel('d1'), leaked('d2')],
                'rules "leaked-credentials", "threat-intelligence" confirmed d1, d2',
                true,
            ],
            [
                'threat intel only',
                'threat-intelligence',
                [threatIntel('d1'), egressAnonymizer('d2')],
                'rule "threat-intelligence" confirmed d1',
                false,
            ],
            [
                'a confirmation next to an unmatched detection',
                'threat-intelligence',
                [unfamiliar('d1'), threatIntel('d2')],
                'rule "threat-intelligence" confirmed d2',
                false,
            ],
        ])('%s: confirmCompromised by rule %s', (_name, ruleId, detections, reason, revokeSessions) => {
            const decision = decideOne(detections);

            expect(decision).toMatchObject({
                userId: adele.id,
                userPrincipalName: adele.upn,
                action: 'confirmCompromised',
                ruleId,
                reason,
                revokeSessions,
                excluded: false,
                detectionIds: detections.map((d) => d.id),
            });
            expect(isActing(decision)).toBe(true);
        });

        it('notifies the union of the confirming rules\u2019 lists, in rule order, once each', () => {
            const decision = decideOne([threatIntel('d1'), leaked('d2'), egressAnonymizer('d3')]);

            expect(decision.notify).toEqual(['secops', 'manager']);
        });

        it('does not confirm because of a detection outside the batch: other detections only block dismissals', () => {
            const decision = decideOne([unfamiliar('d1')], { otherDetections: [leaked('d9')] });

            expect(decision).toMatchObject({ action: 'none', ruleId: 'everything-else', detectionIds: ['d1'] });
            expect(decision.otherOutcomes).toMatchObject([{ detectionId: 'd9', action: 'confirmCompromised' }]);
        });
    });

    describe('R3: dismiss only when every at-risk detection of the user is covered by a dismiss rule', () => {
        it.each<[string, 'dismiss' | 'none', Detection[], Detection[], string | null, string]>([
            [
                'one covered detection',
                'dismiss',
                [egressAnonymizer('d1')],
                [],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1) is covered by a dismiss rule: rule "corporate-egress-anonymizer"',
            ],
            [
                'two detections covered by two dismiss rules',
                'dismiss',
                [officeTravel('d1'), egressAnonymizer('d2')],
                [],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1, d2) is covered by a dismiss rule: rules "corporate-egress-anonymizer", "travel-from-office"',
            ],
            [
                'a covered batch and a covered other detection from Graph',
                'dismiss',
                [egressAnonymizer('d1')],
                [officeTravel('g1')],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1, g1) is covered by a dismiss rule: rules "corporate-egress-anonymizer", "travel-from-office"',
            ],
            [
                'an uncovered detection in the batch',
                'none',
                [egressAnonymizer('d1'), unfamiliar('d2')],
                [],
                'everything-else',
                'not dismissed: not every at-risk detection is covered by a dismiss rule: d2 (rule "everything-else": none)',
            ],
            [
                'an uncovered other detection from Graph',
                'none',
                [egressAnonymizer('d1')],
                [unfamiliar('g1')],
                null,
                'not dismissed: not every at-risk detection is covered by a dismiss rule: g1 (rule "everything-else": none, not in this batch)',
            ],
            [
                'a confirmable other detection from Graph',
                'none',
                [egressAnonymizer('d1')],
                [leaked('g1')],
                null,
                'not dismissed: not every at-risk detection is covered by a dismiss rule: g1 (rule "leaked-credentials": confirmCompromised, not in this batch)',
            ],
            [
                'an anonymizer outside the egress range',
                'none',
                [egressAnonymizer('d1'), egressAnonymizer('d2', { ipAddress: '192.0.2.1' })],
                [],
                'everything-else',
                'not dismissed: not every at-risk detection is covered by a dismiss rule: d2 (rule "everything-else": none)',
            ],
            [
                'other detections no longer at risk do not count',
                'dismiss',
                [egressAnonymizer('d1')],
                [unfamiliar('g1', { riskState: 'remediated' })],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1) is covered by a dismiss rule: rule "corporate-egress-anonymizer"',
            ],
            [
                'the echo of a confirmation does not count',
                'dismiss',
                [egressAnonymizer('d1')],
                [echo('g1')],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1) is covered by a dismiss rule: rule "corporate-egress-anonymizer"',
            ],
            [
                'the batch copy of an id Graph also lists counts once',
                'dismiss',
                [egressAnonymizer('d1')],
                [egressAnonymizer('d1')],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1) is covered by a dismiss rule: rule "corporate-egress-anonymizer"',
            ],
            [
                'another user\u2019s detection passed by mistake does not count',
                'dismiss',
                [egressAnonymizer('d1')],
                [unfamiliar('m1', { userId: megan.id })],
                'corporate-egress-anonymizer',
                'every at-risk detection (d1) is covered by a dismiss rule: rule "corporate-egress-anonymizer"',
            ],
        ])('%s: %s', (_name, action, batch, others, ruleId, reason) => {
            const decision = decideOne(batch, { otherDetections: others });

            expect(decision).toMatchObject({ action, ruleId, reason, revokeSessions: false, excluded: false });
            expect(decision.detectionIds).toEqual([...new Set(batch.map((d) => d.id))]);
        });

        it('when a dismissal is blocked, then the owners of the rules that matched the batch still hear of it', () => {
            const decision = decideOne([egressAnonymizer('d1')], { otherDetections: [unfamiliar('g1')] });

            expect(decision.notify).toEqual(['helpdesk']);
        });

        it('when Graph has a newer version of a batch detection that is no longer at risk, then the newer one counts', () => {
            const stale = egressAnonymizer('d1', { lastUpdatedDateTime: '2025-06-01T10:00:00Z' });
            const dismissedSince = egressAnonymizer('d1', {
                riskState: 'dismissed',
                lastUpdatedDateTime: '2025-06-01T10:05:00Z',
            });

            const decision = decideOne([stale], { otherDetections: [dismissedSince] });

            expect(decision).toMatchObject({
                action: 'none',
                ruleId: null,
                reason: 'no actionable detection: d1: riskState is "dismissed", not atRisk; never acted on',
                detectionIds: ['d1'],
            });
            expect(decision.otherOutcomes).toEqual([]);
        });
    });

    describe('R1: excluded users are never acted on, and still reported', () => {
        it.each<[string, Partial<UserContext>, Partial<RulesFileInput['exclusions']>, object]>([
            ['by object id', {}, { users: [adele.id] }, { kind: 'user', entry: adele.id }],
            [
                'by object id in upper case',
                {},
                { users: [adele.id.toUpperCase()] },
                { kind: 'user', entry: adele.id.toUpperCase() },
            ],
            [
                'by UPN, case-insensitive',
                {},
                { users: ['adelev@CONTOSO.example'] },
                { kind: 'user', entry: 'adelev@CONTOSO.example' },
            ],
            [
                'by the UPN read from the directory',
                { userPrincipalName: 'adele.vance@fabrikam.example' },
                { users: ['adele.vance@fabrikam.example'] },
                { kind: 'user', entry: 'adele.vance@fabrikam.example' },
            ],
            [
                'as a member of an excluded group',
                { userGroupIds: new Set([breakGlassGroup]) },
                {},
                { kind: 'group', groupId: breakGlassGroup },
            ],
            [
                'as a member of an excluded group, ids in another case',
                { userGroupIds: new Set([breakGlassGroup.toUpperCase()]) },
                {},
                { kind: 'group', groupId: breakGlassGroup },
            ],
        ])(
            'excluded %s: none, reason excluded, and the decision it would have had',
            (_name, user, exclusions, exclusion) => {
                const decision = decideOne([leaked('d1')], user, {
                    ...policy,
                    exclusions: { groups: [breakGlassGroup], ...exclusions },
                });

                expect(decision).toMatchObject({
                    action: 'none',
                    ruleId: null,
                    reason: 'excluded',
                    revokeSessions: false,
                    excluded: true,
                    exclusion,
                    wouldHave: { action: 'confirmCompromised', ruleId: 'leaked-credentials', revokeSessions: true },
                    notify: ['secops', 'manager'],
                    detectionIds: ['d1'],
                });
                expect(isActing(decision)).toBe(false);
            },
        );

        it('when a user is in a group the exclusions do not name, then the user is acted on', () => {
            const decision = decideOne([leaked('d1')], { userGroupIds: new Set([vipGroup]) });

            expect(decision).toMatchObject({ action: 'confirmCompromised', excluded: false });
        });

        it('an excluded user who would have been left alone is still reported as excluded', () => {
            const decision = decideOne([unfamiliar('d1')], { userGroupIds: new Set([breakGlassGroup]) });

            expect(decision).toMatchObject({
                action: 'none',
                excluded: true,
                wouldHave: { action: 'none', ruleId: 'everything-else' },
            });
        });
    });

    describe('detections that never trigger an action', () => {
        it.each<[string, Detection[], string]>([
            [
                'the echo of our own confirmation',
                [echo('d1')],
                'no actionable detection: d1: type adminConfirmedUserCompromised is the echo of a confirmation; never acted on',
            ],
            [
                'a leak that was remediated meanwhile',
                [leaked('d1', { riskState: 'remediated' })],
                'no actionable detection: d1: riskState is "remediated", not atRisk; never acted on',
            ],
            [
                'a leak an admin confirmed already',
                [leaked('d1', { riskState: 'confirmedCompromised' })],
                'no actionable detection: d1: riskState is "confirmedCompromised", not atRisk; never acted on',
            ],
        ])('%s: none, with the reason', (_name, detections, reason) => {
            expect(decideOne(detections)).toMatchObject({ action: 'none', ruleId: null, reason, notify: [] });
        });
    });

    describe('no rule decides an action', () => {
        it('when only the catch-all matches, then it names the decision and its owners are notified', () => {
            expect(decideOne([unfamiliar('d1')])).toMatchObject({
                action: 'none',
                ruleId: 'everything-else',
                reason: 'd1: rule "everything-else": none',
                notify: ['secops'],
            });
        });

        it('when no rule matches at all, then the rule is null and nobody is notified', () => {
            const noCatchAll = { ...policy, rules: policy.rules.filter((r) => r.id !== 'everything-else') };

            expect(decideOne([unfamiliar('d1'), echo('d2')], {}, noCatchAll)).toMatchObject({
                action: 'none',
                ruleId: null,
                reason: 'd1: no rule matched; d2: echo of a confirmation, ignored',
                notify: [],
            });
        });
    });

    describe('one decision per user', () => {
        it('folds a batch of several users in the order they first appear, each with its own detections', () => {
            const batch = [
                egressAnonymizer('d1'),
                leaked('m1', { userId: megan.id, userPrincipalName: megan.upn }),
                egressAnonymizer('d2'),
                egressAnonymizer('d1'),
            ];

            const decisions = decide(batch);

            expect(decisions.map((d) => [d.userId, d.userPrincipalName, d.action, d.detectionIds])).toEqual([
                [adele.id, adele.upn, 'dismiss', ['d1', 'd2']],
                [megan.id, megan.upn, 'confirmCompromised', ['m1']],
            ]);
        });

        it('does not modify its input', () => {
            const batch = [egressAnonymizer('d1'), leaked('d2')];
            const users = new Map([[adele.id, context({ otherDetections: [unfamiliar('g1')] })]]);
            const rules = rulesFile(policy);
            const before = JSON.stringify({ batch, users: [...users], rules });

            decideForUsers({ rules, detections: batch, users });

            expect(JSON.stringify({ batch, users: [...users], rules })).toBe(before);
        });

        it('when the caller gave no context for a user of the batch, then it is a bug and throws', () => {
            expect(() =>
                decideForUsers({ rules: rulesFile(policy), detections: [leaked('d1')], users: new Map() }),
            ).toThrow(`no user context for user ${adele.id}`);
        });
    });
});
