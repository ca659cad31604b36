import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTenant, GraphSimulator, startGraphSimulator } from '../../dev/graph-simulator';
import { runCli } from './cliHarness';

describe('risk-responder poll (issue #2)', () => {
    let simulator: GraphSimulator;
    const env = { GRAPH_CALLS_PER_SECOND: '100' };

    beforeAll(async () => {
        const tenant = createTenant('2b7c1e0a-3d4f-4a5b-8c6d-7e8f9a0b1c2d');
        const user = tenant.addUser({ userPrincipalName: 'megan.bowen@contoso.example', displayName: 'Megan Bowen' });
        const at = new Date(Date.now() - 60 * 60_000);
        tenant.addDetection({
            userId: user.id,
            riskEventType: 'leakedCredentials',
            riskLevel: 'high',
            detectionTimingType: 'offline',
            lastUpdatedDateTime: at,
        });
        tenant.addDetection({
            userId: user.id,
            riskEventType: 'unfamiliarFeatures',
            riskLevel: 'medium',
            lastUpdatedDateTime: at,
        });
        simulator = await startGraphSimulator({ tenant, limitPerSecond: 100 });
    });
    afterAll(async () => {
        await simulator.stop();
    });

    it('--once --print writes each message as one JSON line on stdout and advances the checkpoint as if sent', async () => {
        const stateDir = mkdtempSync(join(tmpdir(), 'rr-cli-'));
        const args = ['poll', '--once', '--print', '--graph-endpoint', simulator.url, '--state-dir', stateDir];

        const first = await runCli(args, env);

        expect(first.code).toBe(0);
        const lines = first.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { messageId: string; body: { detection: Record<string, unknown> } });
        expect(lines).toHaveLength(1);
        expect(lines[0]!.messageId).toMatch(/^[0-9a-f]{64}$/);
        expect(lines[0]!.body.detection).toMatchObject({
            riskEventType: 'leakedCredentials',
            riskLevel: 'high',
            riskState: 'atRisk',
            userId: expect.any(String),
            id: expect.any(String),
            lastUpdatedDateTime: expect.any(String),
        });
        expect(first.stderr).toContain('queued 1');

        const second = await runCli(args, env);
        expect(second.code).toBe(0);
        expect(second.stdout).toBe('');
    });

    it.each([
        [['poll'], /--once/],
        [['poll', '--once', '--since', 'yesterday'], /--since/],
        [['poll', '--once', '--bogus'], /bogus/],
        [['nope'], /unknown command/],
    ])('exits 2 with the reason for bad arguments %p', async (argv, reason) => {
        const result = await runCli(argv, env);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(reason);
    });

    it('exits 2 naming the setting when a setting is bad', async () => {
        const result = await runCli(['poll', '--once', '--print', '--graph-endpoint', simulator.url], {
            MIN_RISK_LEVEL: 'severe',
        });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('MIN_RISK_LEVEL');
    });

    it('exits 1 when Graph cannot be reached', async () => {
        const result = await runCli(
            [
                'poll',
                '--once',
                '--print',
                '--graph-endpoint',
                'http://127.0.0.1:9',
                '--state-dir',
                mkdtempSync(join(tmpdir(), 'rr-cli-')),
            ],
            {
                ...env,
                TENANT_ID: 't',
                GRAPH_MAX_ATTEMPTS: '1',
            },
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/error: Graph request .* failed/);
    });
});
