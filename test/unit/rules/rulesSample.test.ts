import { join } from 'node:path';

import type { Detection } from '../../../shared/detection';
import { decideForUsers } from '../../../shared/remediation/decide';
import { loadRulesFile } from '../../../shared/rules/loadRules';
import type { RulesFile } from '../../../shared/rules/ruleSchema';
import { aDetection, adele } from './builders';

const samplePath = join(__dirname, '..', '..', '..', 'rules.sample.yaml');
const webhook =
    'https://prod-00.westus.logic.azure.com:443/workflows/0123456789abcdef/triggers/manual/paths/invoke?sig=example';

describe('rules.sample.yaml', () => {
    let sample: RulesFile;
    beforeAll(async () => {
        sample = await loadRulesFile(samplePath, { TEAMS_SECOPS_WEBHOOK: webhook });
    });

    it('validates, in dryRun, with the secops webhook taken from its app setting', () => {
        expect(sample.mode).toBe('dryRun');
        expect(sample.owners.secops).toEqual({ teams: webhook, email: ['secops@contoso.example'] });
        expect(sample.exclusions.groups).toHaveLength(1);
        expect(sample.rules.map((r) => [r.id, r.then.action])).toEqual([
            ['leaked-credentials', 'confirmCompromised'],
            ['threat-intelligence', 'confirmCompromised'],
            ['corporate-egress-anonymizer', 'dismiss'],
            ['everything-else', 'none'],
        ]);
    });

    it('when TEAMS_SECOPS_WEBHOOK is not set, then loading fails naming the setting and where it is used', async () => {
        await expect(loadRulesFile(samplePath, {})).rejects.toThrow(
            `${samplePath}: owners.secops.teams: app setting TEAMS_SECOPS_WEBHOOK is not set (or is empty)`,
        );
    });

    it.each<[string, Partial<Detection>, string, string | null]>([
        [
            'a high leaked credential is confirmed',
            { riskEventType: 'leakedCredentials', activity: 'user' },
            'confirmCompromised',
            'leaked-credentials',
        ],
        [
            'a medium leaked credential is left to a person',
            { riskEventType: 'leakedCredentials', riskLevel: 'medium' },
            'none',
            'everything-else',
        ],
        [
            'high threat intelligence is confirmed',
            { riskEventType: 'investigationsThreatIntelligence' },
            'confirmCompromised',
            'threat-intelligence',
        ],
        [
            'an anonymizer from the egress range is dismissed',
            { riskEventType: 'anonymizedIPAddress', ipAddress: '203.0.113.40' },
            'dismiss',
            'corporate-egress-anonymizer',
        ],
        [
            'an anonymizer from elsewhere is left to a person',
            { riskEventType: 'anonymizedIPAddress', ipAddress: '192.0.2.40' },
            'none',
            'everything-else',
        ],
        ['anything else is left to a person', { riskEventType: 'unfamiliarFeatures' }, 'none', 'everything-else'],
    ])('%s', (_name, overrides, action, ruleId) => {
        const [decision] = decideForUsers({
            rules: sample,
            detections: [aDetection(overrides)],
            users: new Map([[adele.id, { userGroupIds: new Set<string>(), otherDetections: [] }]]),
        });

        expect(decision).toMatchObject({ action, ruleId, notify: expect.arrayContaining(['secops']) as unknown });
    });
});
