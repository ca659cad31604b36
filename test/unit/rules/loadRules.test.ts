import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { hasErrorCode } from '../../../shared/errors';
import {
    getRulesProblems,
    loadRulesFile,
    parseRulesText,
    RulesValidationError,
    type RulesProblem,
} from '../../../shared/rules/loadRules';
import type { RulesFile } from '../../../shared/rules/ruleSchema';

/** The problems a text yields, or fails the test when it is valid. */
function problemsOf(
    text: string,
    settings: Record<string, string | undefined> = {},
    fileName = 'rules.yaml',
): RulesError {
    try {
        parseRulesText(text, { fileName, settings });
    } catch (error) {
        const problems = getRulesProblems(error);
        if (problems === undefined) {
            throw error;
        }
        return { message: (error as Error).message, problems, error };
    }
    throw new Error('expected the rules text to be invalid');
}
interface RulesError {
    message: string;
    problems: readonly RulesProblem[];
    error: unknown;
}

function parse(text: string, settings: Record<string, string | undefined> = {}, fileName = 'rules.yaml'): RulesFile {
    return parseRulesText(text, { fileName, settings });
}

/** A valid file with one rule; `rule` replaces its body lines (indented under "- "). */
function withRule(ruleLines: string, extra = ''): string {
    return `version: 1
owners:
  secops: { email: [secops@contoso.example] }
${extra}rules:
  - ${ruleLines.trim().split('\n').join('\n    ')}
`;
}

describe('parseRulesText', () => {
    describe('a valid file', () => {
        it('applies the defaults: dryRun, no exclusions, no owners, rules enabled, no notify, no revoke', () => {
            const rules = parse(`version: 1
rules:
  - id: leaked
    when: { riskEventType: [leakedCredentials] }
    then: { action: confirmCompromised }
`);

            expect(rules).toEqual({
                version: 1,
                mode: 'dryRun',
                exclusions: { users: [], groups: [] },
                owners: {},
                rules: [
                    {
                        id: 'leaked',
                        enabled: true,
                        when: { riskEventType: ['leakedCredentials'] },
                        then: { action: 'confirmCompromised', revokeSessions: false, notify: [] },
                    },
                ],
            });
        });

        it('reads the shape of issue 3, every matcher included', () => {
            const rules = parse(
                withRule(`id: leaked-credentials
when:
  riskEventType: [leakedCredentials]
  riskLevel: [high]
  detectionTimingType: [offline]
  activity: [user]
  source: [IdentityProtection]
  ipAddress: [203.0.113.0/24, 2001:db8::/32, 198.51.100.7, "::ffff:203.0.113.5"]
  country: [US, DE, NO]
  userPrincipalName: ["*@contoso.example"]
  memberOfGroup: [7a3d9c1e-2b4f-4e6a-8c0d-1f2e3a4b5c6d]
unless: { country: [DE] }
then:
  action: confirmCompromised
  revokeSessions: false
  notify: [secops, manager]`),
            );

            expect(rules.rules[0]?.when).toEqual({
                riskEventType: ['leakedCredentials'],
                riskLevel: ['high'],
                detectionTimingType: ['offline'],
                activity: ['user'],
                source: ['IdentityProtection'],
                ipAddress: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7', '::ffff:203.0.113.5'],
                country: ['US', 'DE', 'NO'],
                userPrincipalName: ['*@contoso.example'],
                memberOfGroup: ['7a3d9c1e-2b4f-4e6a-8c0d-1f2e3a4b5c6d'],
            });
            expect(rules.rules[0]?.then.notify).toEqual(['secops', 'manager']);
        });

        it('reads JSON from a .json file, with a $schema reference for editors', () => {
            const rules = parse(
                '{"$schema": "./schemas/rules.schema.json", "version": 1, "mode": "enforce", "rules": [{"id": "none", "then": {"action": "none"}}]}',
                {},
                'rules.json',
            );

            expect(rules.mode).toBe('enforce');
            expect(rules.rules.map((r) => r.id)).toEqual(['none']);
        });
    });

    describe('an invalid file', () => {
        it.each<[string, string, string]>([
            [
                'an unknown action',
                withRule('id: a\nwhen: { riskLevel: [high] }\nthen: { action: lock }'),
                'rules.yaml: rules[0].then.action: invalid value "lock"; expected confirmCompromised | dismiss | none',
            ],
            [
                'a missing action',
                withRule('id: a\nwhen: { riskLevel: [high] }\nthen: {}'),
                'rules.yaml: rules[0].then.action: required; expected confirmCompromised | dismiss | none',
            ],
            ['a missing then', withRule('id: a\nwhen: { riskLevel: [high] }'), 'rules.yaml: rules[0].then: required'],
            ['another version', 'version: 2\nrules: []\n', 'rules.yaml: version: invalid value 2; expected 1'],
            ['a missing version', 'rules: []\n', 'rules.yaml: version: required; expected 1'],
            [
                'an unknown mode',
                'version: 1\nmode: enforced\nrules: []\n',
                'rules.yaml: mode: invalid value "enforced"; expected dryRun | enforce',
            ],
            [
                'an unknown risk level',
                withRule('id: a\nwhen: { riskLevel: [severe] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.riskLevel[0]: invalid value "severe"; expected low | medium | high',
            ],
            [
                'an unknown timing type',
                withRule('id: a\nwhen: { detectionTimingType: [Offline] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.detectionTimingType[0]: invalid value "Offline"; expected realtime | nearRealtime | offline | notDefined',
            ],
            [
                'an unknown activity',
                withRule('id: a\nwhen: { activity: [signIn] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.activity[0]: invalid value "signIn"; expected signin | user',
            ],
            [
                'a scalar where a list belongs',
                withRule('id: a\nwhen: { riskLevel: high }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.riskLevel: expected a list, got a string (write [high])',
            ],
            [
                'an empty list',
                withRule('id: a\nwhen: { riskEventType: [] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.riskEventType: expected at least one value (leave the key out to match any value)',
            ],
            [
                'a misspelt matcher',
                withRule('id: a\nwhen: { riskEventTypes: [leakedCredentials] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.riskEventTypes: unknown key (did you mean "riskEventType"?); expected one of: riskEventType, riskLevel, detectionTimingType, activity, source, ipAddress, country, userPrincipalName, memberOfGroup',
            ],
            [
                'an unknown top-level key',
                'version: 1\nrule: []\nrules: []\n',
                'rules.yaml: rule: unknown key (did you mean "rules"?); expected one of: $schema, version, mode, exclusions, owners, rules',
            ],
            [
                'an address that is not one',
                withRule('id: a\nwhen: { ipAddress: [10.0.0.300] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.ipAddress[0]: invalid value "10.0.0.300"; expected an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)',
            ],
            [
                'a range with host bits',
                withRule('id: a\nwhen: { ipAddress: ["2001:db8::1/32"] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.ipAddress[0]: invalid value "2001:db8::1/32"; expected a network address: host bits are set; did you mean 2001:db8::/32?',
            ],
            [
                'a three-letter country',
                withRule('id: a\nwhen: { country: [USA] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.country[0]: invalid value "USA"; expected a two-letter country code, e.g. US',
            ],
            [
                'a group that is not an id',
                withRule('id: a\nwhen: { memberOfGroup: [VIPs] }\nthen: { action: none }'),
                'rules.yaml: rules[0].when.memberOfGroup[0]: invalid value "VIPs"; expected a group object id (GUID)',
            ],
            [
                'a rule id with spaces',
                withRule('id: leaked credentials\nwhen: { riskLevel: [high] }\nthen: { action: none }'),
                'rules.yaml: rules[0].id: invalid value "leaked credentials"; expected a rule id of letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit)',
            ],
            [
                'an undefined owner in notify',
                withRule('id: a\nwhen: { riskLevel: [high] }\nthen: { action: none, notify: [secops, soc] }'),
                'rules.yaml: rules[0].then.notify[1]: invalid value "soc"; expected an owner name (secops) or "manager"',
            ],
            [
                'revokeSessions with dismiss',
                withRule('id: a\nwhen: { riskLevel: [low] }\nthen: { action: dismiss, revokeSessions: true }'),
                'rules.yaml: rules[0].then.revokeSessions: revokeSessions applies only to action confirmCompromised',
            ],
            [
                'a confirm rule without matchers',
                withRule('id: a\nthen: { action: confirmCompromised }'),
                'rules.yaml: rules[0].when: a confirmCompromised rule needs at least one matcher: a rule that confirms every detection is too dangerous',
            ],
            [
                'a confirm rule with an empty when',
                withRule('id: a\nwhen: {}\nthen: { action: confirmCompromised }'),
                'rules.yaml: rules[0].when: a confirmCompromised rule needs at least one matcher: a rule that confirms every detection is too dangerous',
            ],
            [
                'a dismiss rule without matchers',
                withRule('id: a\nwhen: {}\nthen: { action: dismiss }'),
                'rules.yaml: rules[0].when: a dismiss rule needs at least one matcher: a rule that dismisses every detection is too dangerous',
            ],
            [
                'an empty unless',
                withRule('id: a\nwhen: { riskLevel: [high] }\nunless: {}\nthen: { action: none }'),
                'rules.yaml: rules[0].unless: expected at least one matcher (an empty unless vetoes every detection)',
            ],
            [
                'an empty when',
                withRule('id: a\nwhen:\nthen: { action: none }'),
                'rules.yaml: rules[0].when: expected a mapping (key: value), got an empty value (write {} for an empty mapping)',
            ],
            [
                'an invalid owner email',
                'version: 1\nowners:\n  secops: { email: [secops.contoso.example] }\nrules: []\n',
                'rules.yaml: owners.secops.email[0]: invalid value "secops.contoso.example"; expected an email address',
            ],
            [
                'a plain-http webhook',
                'version: 1\nowners:\n  secops: { teams: "http://hooks.contoso.example/x" }\nrules: []\n',
                'rules.yaml: owners.secops.teams: invalid value "http://hooks.contoso.example/x"; expected an https URL',
            ],
            [
                'an owner with no target',
                'version: 1\nowners:\n  secops: {}\nrules: []\n',
                'rules.yaml: owners.secops: expected at least one of teams or email',
            ],
            [
                'an owner named manager',
                'version: 1\nowners:\n  manager: { email: [m@contoso.example] }\nrules: []\n',
                'rules.yaml: owners.manager: "manager" is reserved for the user\'s manager; choose another owner name',
            ],
            [
                'an owner name with a space',
                'version: 1\nowners:\n  sec ops: { email: [m@contoso.example] }\nrules: []\n',
                'rules.yaml: owners["sec ops"]: invalid key; expected an owner name of letters, digits, "_" and "-", starting with a letter',
            ],
            [
                'an excluded user that is neither id nor UPN',
                'version: 1\nexclusions: { users: [adele] }\nrules: []\n',
                'rules.yaml: exclusions.users[0]: invalid value "adele"; expected a user object id (GUID) or a UPN (exact, no wildcards)',
            ],
            [
                'an excluded user as a glob',
                'version: 1\nexclusions: { users: ["*@contoso.example"] }\nrules: []\n',
                'rules.yaml: exclusions.users[0]: invalid value "*@contoso.example"; expected a user object id (GUID) or a UPN (exact, no wildcards)',
            ],
            [
                'a root that is a list',
                '- version: 1\n',
                'rules.yaml: line 1, column 1: expected a mapping (key: value), got a list',
            ],
            [
                'an empty file',
                '# nothing yet\n',
                'rules.yaml: the file is empty; expected a rules file (version: 1, rules: [...])',
            ],
        ])('%s', (_name, text, expected) => {
            const { message, problems } = problemsOf(text);

            expect(message).toBe(expected);
            expect(problems).toHaveLength(1);
        });

        it('when a catch-all rule comes before others, then the rules after it are reported as never evaluated', () => {
            const { message } = problemsOf(`version: 1
rules:
  - id: everything-else
    then: { action: none }
  - id: leaked
    when: { riskEventType: [leakedCredentials] }
    then: { action: confirmCompromised }
`);

            expect(message).toBe(
                'rules.yaml: rules[1]: never evaluated: rules[0] "everything-else" matches every detection before it',
            );
        });

        it('when a rule id repeats, then the second use is reported with the first', () => {
            const { message } = problemsOf(`version: 1
rules:
  - { id: a, when: { riskLevel: [high] }, then: { action: none } }
  - { id: b, when: { riskLevel: [low] }, then: { action: none } }
  - { id: a, when: { riskLevel: [medium] }, then: { action: none } }
`);

            expect(message).toBe(
                'rules.yaml: rules[2].id: invalid value "a"; rule ids must be unique (also used by rules[0])',
            );
        });

        it('lists every problem at once, shape and cross-field alike, in document order with their lines', () => {
            const { error, message, problems } = problemsOf(`version: 1
mode: enforced
owners:
  secops: { email: [secops@contoso.example] }
rules:
  - id: first
    when: { riskLevel: [severe] }
    then: { action: confirmCompromised, notify: [soc] }
  - id: first
    when: { ipAddress: [203.0.113.5/24] }
    then: { action: lock }
`);

            expect(message.split('\n')).toEqual([
                'rules.yaml: mode: invalid value "enforced"; expected dryRun | enforce',
                'rules.yaml: rules[0].when.riskLevel[0]: invalid value "severe"; expected low | medium | high',
                'rules.yaml: rules[0].then.notify[0]: invalid value "soc"; expected an owner name (secops) or "manager"',
                'rules.yaml: rules[1].id: invalid value "first"; rule ids must be unique (also used by rules[0])',
                'rules.yaml: rules[1].when.ipAddress[0]: invalid value "203.0.113.5/24"; expected a network address: host bits are set; did you mean 203.0.113.0/24?',
                'rules.yaml: rules[1].then.action: invalid value "lock"; expected confirmCompromised | dismiss | none',
            ]);
            expect(problems.map((p) => [p.path, p.line])).toEqual([
                ['mode', 2],
                ['rules[0].when.riskLevel[0]', 7],
                ['rules[0].then.notify[0]', 8],
                ['rules[1].id', 9],
                ['rules[1].when.ipAddress[0]', 10],
                ['rules[1].then.action', 11],
            ]);
            expect(hasErrorCode(error, 'rules.invalid')).toBe(true);
            expect(error).toBeInstanceOf(RulesValidationError);
            expect(error).toMatchObject({ retryable: false, fileName: 'rules.yaml' });
        });
    });

    describe('syntax errors', () => {
        it('when the YAML is malformed, then the error gives the line and column', () => {
            const { message, problems } = problemsOf('version: 1\nrules:\n  - id: a\n    then: { action: none\n');

            expect(message).toMatch(/^rules\.yaml: line 5, column 1: YAML syntax error: /);
            expect(problems[0]).toMatchObject({ path: '', line: 5, column: 1 });
        });

        it('when a key repeats, then it is an error rather than a silent override', () => {
            const { message } = problemsOf('version: 1\nmode: dryRun\nmode: enforce\nrules: []\n');

            expect(message).toBe('rules.yaml: line 3, column 1: YAML syntax error: Map keys must be unique');
        });

        it('when a .json file holds YAML, then it is a JSON syntax error with its position', () => {
            const { message } = problemsOf('version: 1\nrules: []\n', {}, 'rules.json');

            expect(message).toMatch(/^rules\.json: line 1, column 1: JSON syntax error: /);
        });

        it('when a .json file repeats a key, then it is reported too', () => {
            const { message } = problemsOf('{"version": 1, "rules": [], "rules": []}', {}, 'rules.json');

            expect(message).toBe('rules.json: line 1, column 29: JSON syntax error: Map keys must be unique');
        });
    });

    describe('${NAME} substitution', () => {
        const hook =
            'https://prod-00.westus.logic.azure.com/workflows/0123abcd/triggers/manual/paths/invoke?sig=s3cr3t';
        const file = `version: 1
owners:
  secops: { teams: "\${TEAMS_SECOPS_WEBHOOK}", email: ["\${SECOPS_MAILBOX}"] }
rules:
  - id: a
    description: "costs $5, written $\${NOT_A_SETTING}"
    when: { riskLevel: [high] }
    then: { action: none, notify: [secops] }
`;

        it('fills string values from the settings and leaves $${ as a literal ${', () => {
            const rules = parse(file, { TEAMS_SECOPS_WEBHOOK: hook, SECOPS_MAILBOX: 'secops@contoso.example' });

            expect(rules.owners.secops).toEqual({ teams: hook, email: ['secops@contoso.example'] });
            expect(rules.rules[0]?.description).toBe('costs $5, written ${NOT_A_SETTING}');
        });

        it('when a setting is missing or empty, then the error names it and where it is used', () => {
            const { message } = problemsOf(file, { TEAMS_SECOPS_WEBHOOK: '' });

            expect(message.split('\n')).toEqual([
                'rules.yaml: owners.secops.teams: app setting TEAMS_SECOPS_WEBHOOK is not set (or is empty)',
                'rules.yaml: owners.secops.email[0]: app setting SECOPS_MAILBOX is not set (or is empty)',
            ]);
        });

        it('when a placeholder is malformed, then the error says how to write one', () => {
            const { message } = problemsOf(withRule('id: a\ndescription: "${TEAMS WEBHOOK}"\nthen: { action: none }'));

            expect(message).toBe(
                'rules.yaml: rules[0].description: malformed placeholder: expected ${NAME} with letters, digits and _ (write $${ for a literal ${)',
            );
        });

        it.each<[string, string, Record<string, string>, string]>([
            [
                'a webhook URL that is not https',
                'version: 1\nowners:\n  secops: { teams: "${HOOK}" }\nrules: []\n',
                { HOOK: 'http://hooks.contoso.example/workflows/sig=plain-secret-value' },
                'rules.yaml: owners.secops.teams: invalid value (from app setting HOOK); expected an https URL',
            ],
            [
                'an action taken from a setting',
                withRule('id: a\nwhen: { riskLevel: [high] }\nthen: { action: "${ACTION}" }'),
                { ACTION: 'lock-with-secret-token' },
                'rules.yaml: rules[0].then.action: invalid value (from app setting ACTION); expected confirmCompromised | dismiss | none',
            ],
            [
                'a range with host bits whose hint would quote it',
                withRule('id: a\nwhen: { ipAddress: ["${EGRESS}"] }\nthen: { action: none }'),
                { EGRESS: '198.51.100.77/24' },
                'rules.yaml: rules[0].when.ipAddress[0]: invalid value (from app setting EGRESS); expected a network address: host bits are set',
            ],
            [
                'a notify name taken from a setting',
                withRule('id: a\nwhen: { riskLevel: [high] }\nthen: { action: none, notify: ["${OWNER}"] }'),
                { OWNER: 'secret-owner-name' },
                'rules.yaml: rules[0].then.notify[0]: invalid value (from app setting OWNER); expected an owner name (secops) or "manager"',
            ],
            [
                'a duplicate rule id taken from a setting',
                'version: 1\nrules:\n  - { id: "${RULE}", then: { action: none }, when: { riskLevel: [low] } }\n  - { id: "${RULE}", then: { action: none }, when: { riskLevel: [high] } }\n',
                { RULE: 'hidden-rule-id' },
                'rules.yaml: rules[1].id: invalid value (from app setting RULE); rule ids must be unique (also used by rules[0])',
            ],
        ])(
            'when %s is invalid, then the error names the setting and never shows its value',
            (_name, text, settings, expected) => {
                const { message, problems } = problemsOf(text, settings);

                expect(message).toBe(expected);
                for (const value of Object.values(settings)) {
                    expect(message).not.toContain(value);
                    expect(JSON.stringify(problems)).not.toContain(value);
                }
            },
        );

        it('never substitutes keys', () => {
            const { message } = problemsOf('version: 1\nrules: []\n"${EXTRA}": 1\n', { EXTRA: 'mode' });

            expect(message).toContain('rules.yaml: ["${EXTRA}"]: unknown key');
        });
    });
});

describe('loadRulesFile', () => {
    let dir: string;
    beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'risk-responder-rules-'));
    });
    afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    it('reads a YAML file and names it as given in errors', async () => {
        const path = join(dir, 'rules.yml');
        await writeFile(path, 'version: 1\nrules: []\n');

        await expect(loadRulesFile(path, {})).resolves.toMatchObject({ version: 1, rules: [] });

        await writeFile(path, 'version: 1\nrules: [{ id: a, then: { action: lock } }]\n');
        await expect(loadRulesFile(path, {})).rejects.toThrow(`${path}: rules[0].then.action: invalid value "lock"`);
    });

    it('when the file does not exist, then it is rules.invalid naming the file', async () => {
        const path = join(dir, 'missing.yaml');

        const error: unknown = await loadRulesFile(path, {}).catch((e: unknown) => e);

        expect(hasErrorCode(error, 'rules.invalid')).toBe(true);
        expect((error as Error).message).toBe(`${path}: cannot read the rules file (ENOENT)`);
    });
});
