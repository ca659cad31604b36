import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTenant, GraphSimulator, startGraphSimulator } from '../../dev/graph-simulator';
import { aDetection } from '../fixtures/detections';
import { remediationRulesYaml } from '../fixtures/rules';
import { runCli } from './cliHarness';

const dir = mkdtempSync(join(tmpdir(), 'rr-cli-rules-'));
const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
};
const rulesFile = write(
    'rules.yaml',
    remediationRulesYaml({ mode: 'enforce', breakGlassGroup: '11111111-2222-4333-8444-555555555555' }),
);

const leaked = aDetection({ riskEventType: 'leakedCredentials' });
const egress = aDetection({ riskEventType: 'anonymizedIPAddress', ipAddress: '203.0.113.9' });
const blocked = aDetection({ riskEventType: 'anonymizedIPAddress', ipAddress: '203.0.113.10' });
const blocker = aDetection({ userId: blocked.userId, riskEventType: 'unlikelyTravel' });
const detections = [leaked, egress, blocked, blocker];

describe('risk-responder validate-rules and evaluate (issue #3)', () => {
    it('validate-rules prints a one-line summary and exits 0 for a valid file', async () => {
        const result = await runCli(['validate-rules', rulesFile]);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(
            'rules.yaml: valid; mode enforce, 2 rules (1 confirm, 1 dismiss, 0 none), 0 excluded users, 1 excluded groups, 1 owners\n',
        );
    });

    it('validate-rules exits 2 listing every problem with its path', async () => {
        const bad = write(
            'bad.yaml',
            'version: 1\nrules:\n  - id: a\n    when: { riskLevel: [severe] }\n    then: { action: lock }\n',
        );
        const result = await runCli(['validate-rules', bad]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('rules[0].when.riskLevel[0]');
        expect(result.stderr).toContain('rules[0].then.action');
    });

    it.each([
        ['a JSON array', JSON.stringify(detections)],
        ['a Graph list response', JSON.stringify({ '@odata.context': 'x', value: detections })],
        ['JSON lines', detections.map((d) => JSON.stringify(d)).join('\n')],
    ])('evaluate --json decides %s: one line per user', async (_form, text) => {
        const file = write(`detections-${_form.replace(/\W/g, '')}.json`, text);
        const result = await runCli(['evaluate', '--rules', rulesFile, '--detections', file, '--json']);
        expect(result.code).toBe(0);
        const lines = result.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines).toEqual([
            {
                userId: leaked.userId,
                action: 'confirmCompromised',
                ruleId: 'leaked-credentials',
                detectionIds: [leaked.id],
                reason: expect.any(String),
            },
            {
                userId: egress.userId,
                action: 'dismiss',
                ruleId: 'corporate-egress',
                detectionIds: [egress.id],
                reason: expect.any(String),
            },
            {
                userId: blocked.userId,
                action: 'none',
                ruleId: null,
                detectionIds: [blocked.id, blocker.id],
                reason: expect.stringContaining(blocker.id),
            },
        ]);
        expect(result.stderr).toContain('group exclusions and memberOfGroup are not evaluated');
    });

    it('evaluate prints a readable table by default', async () => {
        const file = write('detections.json', JSON.stringify(detections));
        const result = await runCli(['evaluate', '--rules', rulesFile, '--detections', file]);
        expect(result.stdout.split('\n')[0]).toMatch(/^user\s+action\s+rule\s+detections\s+reason$/);
        expect(result.stdout).toContain('confirmCompromised');
    });

    it.each([
        [['evaluate', '--rules', rulesFile], /either --detections/],
        [['evaluate', '--rules', rulesFile, '--from-graph'], /--since/],
        [['evaluate', '--rules', rulesFile, '--from-graph', '--since', 'last week'], /--since/],
    ])('evaluate exits 2 on bad arguments %p', async (argv, reason) => {
        const result = await runCli(argv);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(reason);
    });

    it('evaluate exits 2 naming the item and field of an invalid detections file', async () => {
        const file = write('broken.json', JSON.stringify([leaked, { ...egress, lastUpdatedDateTime: 'soon' }]));
        const result = await runCli(['evaluate', '--rules', rulesFile, '--detections', file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/broken.json: item 1: lastUpdatedDateTime/);
    });

    describe('--from-graph', () => {
        let simulator: GraphSimulator;
        beforeAll(async () => {
            const tenant = createTenant('5a6b7c8d-0000-4000-8000-00000000000a');
            const user = tenant.addUser({ userPrincipalName: 'isaiah@contoso.example', displayName: 'Isaiah' });
            tenant.addDetection({
                userId: user.id,
                riskEventType: 'leakedCredentials',
                riskLevel: 'high',
                lastUpdatedDateTime: new Date(Date.now() - 2 * 86_400_000),
            });
            tenant.addDetection({
                userId: user.id,
                riskEventType: 'leakedCredentials',
                riskLevel: 'high',
                lastUpdatedDateTime: new Date(Date.now() - 40 * 86_400_000),
            });
            simulator = await startGraphSimulator({ tenant, limitPerSecond: 100 });
        });
        afterAll(async () => {
            await simulator.stop();
        });

        it('reads the tenant detections updated within the duration, read-only', async () => {
            const result = await runCli(
                [
                    'evaluate',
                    '--rules',
                    rulesFile,
                    '--from-graph',
                    '--since',
                    'P30D',
                    '--graph-endpoint',
                    simulator.url,
                    '--json',
                ],
                {
                    GRAPH_CALLS_PER_SECOND: '100',
                },
            );
            expect(result.code).toBe(0);
            const lines = result.stdout
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line) as { detectionIds: string[]; action: string });
            expect(lines).toHaveLength(1);
            expect(lines[0]).toMatchObject({ action: 'confirmCompromised' });
            expect(lines[0]!.detectionIds).toHaveLength(1);
            expect(simulator.requests.every((request) => request.method === 'GET')).toBe(true);
        });
    });
});
