/**
 * `risk-responder start` (issue 5): starts every part with Azurite from npm, prints where each listens, a live
 * log, and with --for stops by itself and ends with the summary line. Run here from the TypeScript sources for a
 * short while; `npm start -- --for 60s` runs the same code compiled.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runStart } from '../../cli/commands/start';
import { UsageError } from '../../cli/usageError';
import { createSyntheticTenant, startGraphSimulator } from '../../dev/graph-simulator';
import { actionableUsers, addDetection, auditByUser, startTestStack, waitFor } from './localStackHarness';

jest.setTimeout(60_000);

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; lines: string[] }> {
    let text = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        text += chunk.toString();
        return true;
    });
    try {
        const code = await run();
        return { code, lines: text.split('\n').filter((line) => line !== '') };
    } finally {
        spy.mockRestore();
    }
}

describe('risk-responder start (issue 5)', () => {
    it('runs the stack for the given time on a synthetic tenant and ends with the summary line', async () => {
        const stateDir = await mkdtemp(join(tmpdir(), 'start-'));
        const { code, lines } = await captureStdout(() =>
            runStart(['--for', '15s', '--state-dir', stateDir, '--users', '40', '--detections', '60'], {}),
        );
        expect(code).toBe(0);
        const text = lines.join('\n');
        for (const part of ['Graph simulator', 'Service Bus', 'Storage', 'Webhook sink', 'Rules file', 'Functions host', 'Status page']) {
            expect(text).toMatch(new RegExp(`^  ${part} +\\S`, 'm'));
        }
        expect(text).toMatch(/Status page +http:\/\/127\.0\.0\.1:\d+\//);
        expect(text).not.toMatch(/SharedAccessKey=local/);
        expect(text).toMatch(/poll {7}listed \d+, queued [1-9]\d*/);
        const summary = lines.at(-1)!;
        const match = /^summary: polled=(\d+) queued=(\d+) decided=(\d+) confirmed=(\d+) dismissed=(\d+) held=(\d+) notified=(\d+) rejected=(\d+) deadLettered=(\d+)$/.exec(summary);
        expect(match).not.toBeNull();
        const [polled, queued, decided, , , , notified] = match!.slice(1).map(Number);
        expect(polled).toBeGreaterThanOrEqual(1);
        expect(queued).toBeGreaterThanOrEqual(1);
        expect(decided).toBeGreaterThanOrEqual(1);
        expect(notified).toBeGreaterThanOrEqual(1);

        // The state folder holds what a later run or `func start` needs.
        for (const file of ['rules.yaml', 'local.settings.json', 'service-bus.json', 'outbox.jsonl']) {
            expect(existsSync(join(stateDir, file))).toBe(true);
        }
        const rules = await readFile(join(stateDir, 'rules.yaml'), 'utf8');
        expect(rules).toMatch(/^mode: enforce$/m);
        expect(rules).toContain('${TEAMS_SECOPS_WEBHOOK}');
        expect(rules).not.toContain('00000000-0000-0000-0000-000000000000');
    });

    it('--tenant mode: the tenant found through Graph, dry-run forced, decisions recorded and no write call made', async () => {
        // A real tenant stands behind GRAPH_ENDPOINT; here it is the simulator on loopback (no Azure credential needed).
        const tenant = createSyntheticTenant({ seed: 'tenant-mode', userCount: 20, start: new Date() });
        const simulator = await startGraphSimulator({ tenant, limitPerSecond: 20 });
        const stack = await startTestStack({ realTenant: { enforce: false, env: { GRAPH_ENDPOINT: simulator.url } } });
        try {
            expect(stack.simulator).toBeUndefined();
            expect(stack.tenantId).toBe(tenant.tenantId);
            expect(stack.settings).toMatchObject({ FORCE_DRY_RUN: 'true', GRAPH_ENDPOINT: simulator.url, TENANT_ID: tenant.tenantId });
            expect(await readFile(stack.rulesFile, 'utf8')).toMatch(/^mode: dryRun$/m);
            const [user] = actionableUsers(tenant);
            addDetection(tenant, user!, 'leaked');
            await waitFor('the dry-run decision', async () => (await auditByUser(stack)).get(user!)?.[0]);
            expect((await auditByUser(stack)).get(user!)).toEqual([
                expect.objectContaining({ action: 'confirmCompromised', mode: 'dryRun', outcome: 'dryRun', ruleId: 'leaked-credentials' }),
            ]);
            expect(simulator.stats().writes).toEqual({ confirmCompromised: 0, dismiss: 0 });
            expect(simulator.revokedSessions).toEqual([]);
            expect(tenant.riskyUsers.get(user!)?.riskState).toBe('atRisk');
        } finally {
            await stack.stop();
            await simulator.stop();
        }
    });

    it.each([
        [['--enforce'], '--enforce goes with --tenant'],
        [['--tenant', '--enforce'], 'set RULES_FILE'],
        [['--for', 'soon'], '--for: expected a duration'],
    ])('refuses %j: %s', async (argv, message) => {
        await expect(runStart(argv, {})).rejects.toThrow(UsageError);
        await expect(runStart(argv, {})).rejects.toThrow(message);
    });
});
