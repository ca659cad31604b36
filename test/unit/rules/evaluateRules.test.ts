import type { Detection } from '../../../shared/detection';
import { evaluateDetection, groupsReferencedBy, type UserFacts } from '../../../shared/rules/evaluateRules';
import type { Matchers, RuleAction } from '../../../shared/rules/ruleSchema';
import { aDetection, adele, breakGlassGroup, noGroups, rulesFile, vipGroup } from './builders';

/** One dismiss rule with the given `when`: the detection matches it or gets no rule at all. */
function decidesWith(when: Matchers, detection: Detection, facts: UserFacts = noGroups): RuleAction {
    const rules = rulesFile({ rules: [{ id: 'under-test', when, then: { action: 'dismiss' } }] });
    return evaluateDetection(detection, rules.rules, facts).action;
}

describe('evaluateDetection', () => {
    describe('each matcher', () => {
        it.each<[string, 'matches' | 'does not match', Matchers, Partial<Detection>]>([
            ['riskEventType names the type', 'matches', { riskEventType: ['unfamiliarFeatures'] }, {}],
            ['riskEventType ignores case', 'matches', { riskEventType: ['UnfamiliarFeatures'] }, {}],
            [
                'riskEventType any of a list',
                'matches',
                { riskEventType: ['leakedCredentials', 'unfamiliarFeatures'] },
                {},
            ],
            ['riskEventType another type', 'does not match', { riskEventType: ['leakedCredentials'] }, {}],
            ['riskLevel the level', 'matches', { riskLevel: ['medium', 'high'] }, {}],
            ['riskLevel another level', 'does not match', { riskLevel: ['low'] }, {}],
            [
                'riskLevel hidden never matches',
                'does not match',
                { riskLevel: ['low', 'medium', 'high'] },
                { riskLevel: 'hidden' },
            ],
            [
                'detectionTimingType offline',
                'matches',
                { detectionTimingType: ['offline'] },
                { detectionTimingType: 'offline' },
            ],
            ['detectionTimingType realtime vs offline', 'does not match', { detectionTimingType: ['offline'] }, {}],
            [
                'detectionTimingType missing',
                'does not match',
                { detectionTimingType: ['realtime'] },
                { detectionTimingType: null },
            ],
            ['activity user', 'matches', { activity: ['user'] }, { activity: 'user' }],
            ['activity signin vs user', 'does not match', { activity: ['user'] }, {}],
            ['source ignores case', 'matches', { source: ['identityprotection'] }, {}],
            ['source another source', 'does not match', { source: ['MicrosoftCloudAppSecurity'] }, {}],
            ['ipAddress IPv4 CIDR', 'matches', { ipAddress: ['198.51.100.0/24'] }, {}],
            ['ipAddress single IPv4', 'matches', { ipAddress: ['198.51.100.7'] }, {}],
            ['ipAddress IPv6 CIDR', 'matches', { ipAddress: ['2001:db8::/32'] }, { ipAddress: '2001:db8:5::1' }],
            [
                'ipAddress IPv6 outside',
                'does not match',
                { ipAddress: ['2001:db8::/32'] },
                { ipAddress: '2001:db9::1' },
            ],
            [
                'ipAddress IPv4-mapped detection',
                'matches',
                { ipAddress: ['203.0.113.0/24'] },
                { ipAddress: '::ffff:203.0.113.5' },
            ],
            [
                'ipAddress compressed rule, long detection',
                'matches',
                { ipAddress: ['2001:db8::5'] },
                { ipAddress: '2001:0db8:0000:0000:0000:0000:0000:0005' },
            ],
            ['ipAddress missing', 'does not match', { ipAddress: ['0.0.0.0/0'] }, { ipAddress: null }],
            ['ipAddress unparseable', 'does not match', { ipAddress: ['0.0.0.0/0'] }, { ipAddress: 'unknown' }],
            ['country ignores case', 'matches', { country: ['us', 'DE'] }, {}],
            ['country another country', 'does not match', { country: ['DE'] }, {}],
            ['country missing location', 'does not match', { country: ['US'] }, { location: null }],
            ['userPrincipalName glob', 'matches', { userPrincipalName: ['*@contoso.example'] }, {}],
            ['userPrincipalName glob ignores case', 'matches', { userPrincipalName: ['adelev@*'] }, {}],
            ['userPrincipalName other domain', 'does not match', { userPrincipalName: ['*@fabrikam.example'] }, {}],
            ['userPrincipalName missing', 'does not match', { userPrincipalName: ['*'] }, { userPrincipalName: null }],
            ['every key must match', 'does not match', { riskLevel: ['high'], country: ['DE'] }, {}],
            ['every key matching', 'matches', { riskLevel: ['high'], country: ['US'], activity: ['signin'] }, {}],
        ])('%s: the rule %s', (_name, expected, when, overrides) => {
            expect(decidesWith(when, aDetection(overrides))).toBe(expected === 'matches' ? 'dismiss' : 'none');
        });

        it.each<[string, boolean, ReadonlySet<string>]>([
            ['a member of the group', true, new Set([vipGroup])],
            ['a member, ids in another case', true, new Set([vipGroup.toUpperCase()])],
            ['a member of another group only', false, new Set([breakGlassGroup])],
            ['in no group', false, new Set<string>()],
        ])('memberOfGroup: a user %s matches: %s', (_name, expected, userGroupIds) => {
            expect(decidesWith({ memberOfGroup: [vipGroup] }, aDetection(), { userGroupIds })).toBe(
                expected ? 'dismiss' : 'none',
            );
        });

        it('userPrincipalName uses the UPN the caller read from the directory over the detection\u2019s', () => {
            const renamed: UserFacts = { userGroupIds: new Set(), userPrincipalName: 'adele.vance@fabrikam.example' };

            expect(decidesWith({ userPrincipalName: ['*@fabrikam.example'] }, aDetection(), renamed)).toBe('dismiss');
            expect(decidesWith({ userPrincipalName: ['*@contoso.example'] }, aDetection(), renamed)).toBe('none');
        });
    });

    describe('rule order and unless', () => {
        const rules = rulesFile({
            rules: [
                {
                    id: 'confirm-high-offline',
                    when: { riskLevel: ['high'], detectionTimingType: ['offline'] },
                    unless: { memberOfGroup: [vipGroup] },
                    then: { action: 'confirmCompromised' },
                },
                { id: 'dismiss-corporate', when: { ipAddress: ['203.0.113.0/24'] }, then: { action: 'dismiss' } },
                {
                    id: 'disabled-confirm',
                    enabled: false,
                    when: { riskLevel: ['medium'] },
                    then: { action: 'confirmCompromised' },
                },
                { id: 'everything-else', then: { action: 'none' } },
            ],
        }).rules;

        it.each<[string, Partial<Detection>, UserFacts, RuleAction, string | null, string]>([
            [
                'the first matching rule decides',
                { detectionTimingType: 'offline', ipAddress: '203.0.113.9' },
                noGroups,
                'confirmCompromised',
                'confirm-high-offline',
                'rule "confirm-high-offline" matched (confirmCompromised)',
            ],
            [
                'a later rule decides when earlier ones do not match',
                { ipAddress: '203.0.113.9' },
                noGroups,
                'dismiss',
                'dismiss-corporate',
                'rule "dismiss-corporate" matched (dismiss)',
            ],
            [
                'unless vetoes a rule and later rules are tried',
                { detectionTimingType: 'offline', ipAddress: '203.0.113.9' },
                { userGroupIds: new Set([vipGroup]) },
                'dismiss',
                'dismiss-corporate',
                'rule "dismiss-corporate" matched (dismiss); vetoed by unless: "confirm-high-offline"',
            ],
            [
                'a vetoed rule falls through to the catch-all',
                { detectionTimingType: 'offline' },
                { userGroupIds: new Set([vipGroup]) },
                'none',
                'everything-else',
                'rule "everything-else" matched (none); vetoed by unless: "confirm-high-offline"',
            ],
            [
                'a disabled rule is skipped',
                { riskLevel: 'medium' },
                noGroups,
                'none',
                'everything-else',
                'rule "everything-else" matched (none)',
            ],
        ])('%s', (_name, overrides, facts, action, ruleId, reason) => {
            const outcome = evaluateDetection(aDetection(overrides), rules, facts);

            expect(outcome).toMatchObject({ detectionId: 'det-1', userId: adele.id, action, ruleId, reason });
        });

        it('when no rule matches, then the action is none with no rule', () => {
            const onlyConfirm = rulesFile({
                rules: [
                    {
                        id: 'leaked',
                        when: { riskEventType: ['leakedCredentials'] },
                        then: { action: 'confirmCompromised' },
                    },
                ],
            }).rules;

            expect(evaluateDetection(aDetection(), onlyConfirm, noGroups)).toEqual({
                kind: 'unmatched',
                detectionId: 'det-1',
                userId: adele.id,
                action: 'none',
                ruleId: null,
                vetoedRuleIds: [],
                reason: 'no rule matched',
            });
        });
    });

    describe('unknown detection types', () => {
        const rules = rulesFile({
            rules: [
                {
                    id: 'known-types',
                    when: { riskEventType: ['leakedCredentials', 'anonymizedIPAddress'] },
                    then: { action: 'confirmCompromised' },
                },
                {
                    id: 'types-unless',
                    when: { riskLevel: ['high'] },
                    unless: { riskEventType: ['passwordSpray'] },
                    then: { action: 'dismiss' },
                },
            ],
        }).rules;

        it('when a type is new to the rules, then only rules that do not name types match it', () => {
            const outcome = evaluateDetection(aDetection({ riskEventType: 'someTypeFrom2030' }), rules, noGroups);

            expect(outcome).toMatchObject({ action: 'dismiss', ruleId: 'types-unless' });
        });

        it('when a type is new and low, then no rule matches it', () => {
            const outcome = evaluateDetection(
                aDetection({ riskEventType: 'someTypeFrom2030', riskLevel: 'low' }),
                rules,
                noGroups,
            );

            expect(outcome).toMatchObject({ kind: 'unmatched', action: 'none' });
        });
    });

    describe('detections that never trigger an action', () => {
        const rules = rulesFile({
            rules: [{ id: 'confirm-high', when: { riskLevel: ['high'] }, then: { action: 'confirmCompromised' } }],
        }).rules;

        it('when the detection is the echo of a confirmation, then it is ignored even though a rule matches it', () => {
            const outcome = evaluateDetection(
                aDetection({ riskEventType: 'adminConfirmedUserCompromised' }),
                rules,
                noGroups,
            );

            expect(outcome).toMatchObject({ kind: 'ignored', ignoredBecause: 'echo', action: 'none', ruleId: null });
            expect(outcome.reason).toContain('adminConfirmedUserCompromised');
        });

        it.each(['dismissed', 'remediated', 'confirmedCompromised', 'confirmedSafe', 'none', 'unknownFutureValue'])(
            'when the detection is %s, then it is ignored and the reason names the state',
            (riskState) => {
                const outcome = evaluateDetection(aDetection({ riskState }), rules, noGroups);

                expect(outcome).toMatchObject({
                    kind: 'ignored',
                    ignoredBecause: 'notAtRisk',
                    action: 'none',
                    ruleId: null,
                });
                expect(outcome.reason).toBe(`riskState is "${riskState}", not atRisk; never acted on`);
            },
        );
    });
});

describe('groupsReferencedBy', () => {
    it('lists the excluded groups and every memberOfGroup of enabled rules, once, lower-cased', () => {
        const otherGroup = '11111111-2222-3333-4444-555555555555';
        const disabledGroup = '99999999-8888-7777-6666-555555555555';
        const rules = rulesFile({
            exclusions: { groups: [breakGlassGroup.toUpperCase()] },
            rules: [
                {
                    id: 'a',
                    when: { memberOfGroup: [vipGroup] },
                    unless: { memberOfGroup: [otherGroup] },
                    then: { action: 'confirmCompromised' },
                },
                { id: 'b', when: { memberOfGroup: [vipGroup, breakGlassGroup] }, then: { action: 'none' } },
                { id: 'c', enabled: false, when: { memberOfGroup: [disabledGroup] }, then: { action: 'none' } },
            ],
        });

        expect(groupsReferencedBy(rules)).toEqual([breakGlassGroup, vipGroup, otherGroup]);
    });
});
