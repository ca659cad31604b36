import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../shared/clock';
import { Detection, detectionSchema } from '../../shared/detection';
import { silentLogger } from '../../shared/logger';
import { createDetectionMessage } from '../../shared/queue/message';
import { FileAuditStore } from '../../shared/remediation/fileAuditStore';
import { createGraphRemediationPorts } from '../../shared/remediation/graphRiskActions';
import {
    ReceivedMessage,
    remediateBatch,
    RemediationConfig,
    RemediationDependencies,
} from '../../shared/remediation/remediateBatch';
import { RecordingNotifier, rulesFrom } from '../fakes/remediationFakes';
import { remediationRulesYaml } from '../fixtures/rules';
import { GraphHarness, startGraphHarness } from './graphHarness';

const rulesYaml = (mode: 'dryRun' | 'enforce', breakGlassGroup: string) =>
    remediationRulesYaml({ mode, breakGlassGroup });

describe('remediation against the Graph simulator (issue #3)', () => {
    let harness: GraphHarness;
    let audit: FileAuditStore;
    let notifier: RecordingNotifier;
    let breakGlassGroup: string;
    let config: RemediationConfig;

    async function useHarness(options: Parameters<typeof startGraphHarness>[0] = {}): Promise<void> {
        await harness?.simulator.stop();
        harness = await startGraphHarness(options);
        audit = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'rr-remediate-')), 'audit.jsonl'));
        notifier = new RecordingNotifier();
        breakGlassGroup = harness.tenant.addGroup({ displayName: 'Break Glass Accounts' }).id;
        config = {
            tenantId: harness.tenant.tenantId,
            forceDryRun: false,
            breakerCaps: { confirmCompromised: 50, dismiss: 200 },
        };
    }

    beforeEach(async () => {
        await useHarness();
    });
    afterEach(async () => {
        await harness.simulator.stop();
    });

    function deps(mode: 'dryRun' | 'enforce' = 'enforce'): RemediationDependencies {
        return {
            ...createGraphRemediationPorts(harness.graph),
            rules: rulesFrom(rulesYaml(mode, breakGlassGroup)),
            audit,
            notifier,
            clock: systemClock,
        };
    }

    function user(name: string): string {
        return harness.tenant.addUser({ userPrincipalName: `${name}@contoso.example`, displayName: name }).id;
    }

    function detect(userId: string, riskEventType: string, extra: Record<string, unknown> = {}): Detection {
        const created = harness.tenant.addDetection({
            userId,
            riskEventType,
            riskLevel: 'high',
            ipAddress: '198.51.100.20',
            ...extra,
        });
        // What Graph would list: the simulator's record reduced to the fields the app selects.
        return detectionSchema.parse(created);
    }

    const messages = (...detections: Detection[]): ReceivedMessage[] =>
        detections.map((detection) => {
            const message = createDetectionMessage(harness.tenant.tenantId, detection, new Date());
            return {
                body: JSON.parse(JSON.stringify(message.body)) as unknown,
                messageId: message.messageId,
                deliveryCount: 1,
            };
        });

    const stateOf = (userId: string) => harness.tenant.riskyUsers.get(userId)?.riskState;
    const ipCalls = () => harness.simulator.stats().identityProtectionCalls;

    it('a batch mixing good and malformed messages: the good ones are acted on, the bad one is recorded and alerted', async () => {
        const adele = user('adele');
        const alex = user('alex');
        const good = [
            detect(adele, 'leakedCredentials'),
            detect(alex, 'anonymizedIPAddress', { ipAddress: '203.0.113.44' }),
        ];
        const poison: ReceivedMessage = {
            body: { version: 1, detection: { id: 'x' } },
            messageId: 'poison-1',
            deliveryCount: 1,
        };

        const report = await remediateBatch([...messages(...good), poison], deps(), config, silentLogger);

        expect(stateOf(adele)).toBe('confirmedCompromised');
        expect(stateOf(alex)).toBe('dismissed');
        expect(report.rejected).toBe(1);
        expect((await audit.list({})).map((r) => r.outcome).sort()).toEqual(['applied', 'applied', 'rejected']);
        expect(notifier.alerts).toEqual([expect.objectContaining({ kind: 'messageRejected', messageId: 'poison-1' })]);
        expect(harness.simulator.stats().writes).toEqual({ confirmCompromised: 1, dismiss: 1 });
    });

    it('a redelivered batch repeats no action', async () => {
        const users = ['a', 'b', 'c'].map(user);
        const batch = messages(...users.map((id) => detect(id, 'leakedCredentials')));
        await remediateBatch(batch, deps(), config, silentLogger);
        await remediateBatch(batch, deps(), config, silentLogger);
        expect(harness.simulator.stats().writes.confirmCompromised).toBe(1);
        expect(harness.simulator.stats().usersActedOn.confirmCompromised).toBe(3);
    });

    it('an admin dismissal between queueing and processing is never overridden', async () => {
        const megan = user('megan');
        const batch = messages(detect(megan, 'leakedCredentials'));
        harness.tenant.adminDismiss(megan);
        await remediateBatch(batch, deps(), config, silentLogger);
        expect(stateOf(megan)).toBe('dismissed');
        expect(harness.simulator.stats().writes.confirmCompromised).toBe(0);
        expect((await audit.list({ userId: megan }))[0]).toMatchObject({ outcome: 'skipped' });
    });

    it('dry-run decides and records what enforce would, with no write call', async () => {
        const ids = ['p', 'q'].map(user);
        const batch = messages(
            detect(ids[0]!, 'leakedCredentials'),
            detect(ids[1]!, 'anonymizedIPAddress', { ipAddress: '203.0.113.7' }),
        );
        const report = await remediateBatch(batch, deps('dryRun'), config, silentLogger);
        expect(harness.simulator.stats().writes).toEqual({ confirmCompromised: 0, dismiss: 0 });
        expect(ids.map(stateOf)).toEqual(['atRisk', 'atRisk']);
        expect(report.decisions.map((d) => [d.action, d.outcome])).toEqual([
            ['confirmCompromised', 'dryRun'],
            ['dismiss', 'dryRun'],
        ]);
        expect(
            harness.simulator.requests.filter((r) => r.method === 'POST' && r.path.includes('identityProtection')),
        ).toEqual([]);
    });

    it('members of an excluded group (transitively) are never acted on', async () => {
        const nested = harness.tenant.addGroup({ displayName: 'Executive Office' }).id;
        harness.tenant.addGroupMember(breakGlassGroup, nested);
        const ceo = user('ceo');
        harness.tenant.addGroupMember(nested, ceo);
        await remediateBatch(messages(detect(ceo, 'leakedCredentials')), deps(), config, silentLogger);
        expect(stateOf(ceo)).toBe('atRisk');
        expect((await audit.list({ userId: ceo }))[0]).toMatchObject({ outcome: 'excluded' });
    });

    it('for a larger batch, exclusion groups are read by listing their transitive members, not one call per user', async () => {
        const nested = harness.tenant.addGroup({ displayName: 'Executive Office' }).id;
        harness.tenant.addGroupMember(breakGlassGroup, nested);
        const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map(user);
        harness.tenant.addGroupMember(nested, users[2]!);
        harness.simulator.resetStats();
        await remediateBatch(
            messages(...users.map((id) => detect(id, 'leakedCredentials'))),
            deps(),
            config,
            silentLogger,
        );
        expect(harness.simulator.stats().byRoute).toMatchObject({
            'GET /groups/{id}/transitiveMembers/microsoft.graph.user': 1,
        });
        expect(harness.simulator.stats().byRoute['POST /users/{id}/checkMemberGroups']).toBeUndefined();
        expect(users.map(stateOf)).toEqual([
            'confirmedCompromised',
            'confirmedCompromised',
            'atRisk',
            'confirmedCompromised',
            'confirmedCompromised',
        ]);
    });

    it('a dismissal is blocked by another at-risk detection in Graph that no dismiss rule covers (R3)', async () => {
        const grady = user('grady');
        detect(grady, 'unlikelyTravel', { detectionTimingType: 'offline' });
        await remediateBatch(
            messages(detect(grady, 'anonymizedIPAddress', { ipAddress: '203.0.113.8' })),
            deps(),
            config,
            silentLogger,
        );
        expect(stateOf(grady)).toBe('atRisk');
        expect((await audit.list({ userId: grady }))[0]).toMatchObject({ action: 'none', outcome: 'noAction' });
    });

    it('coverage for a few dismissals reads each user (cheaper than a tenant-wide listing)', async () => {
        const users = ['e1', 'e2', 'e3'].map(user);
        const batch = messages(...users.map((id) => detect(id, 'anonymizedIPAddress', { ipAddress: '203.0.113.9' })));
        harness.simulator.resetStats();
        await remediateBatch(batch, deps(), config, silentLogger);
        const coverage = harness.simulator.requests.filter((r) => r.path.endsWith('/riskDetections'));
        expect(coverage).toHaveLength(3);
        expect(coverage.every((r) => r.query.includes('userId eq'))).toBe(true);
        expect(users.map(stateOf)).toEqual(['dismissed', 'dismissed', 'dismissed']);
    });

    it('429s on identity-protection calls are absorbed (no Retry-After) and the batch completes', async () => {
        const lynne = user('lynne');
        harness.simulator.injectFaults([{ pathPattern: /identityProtection/, kind: 'status429', count: 3 }]);
        await remediateBatch(messages(detect(lynne, 'leakedCredentials')), deps(), config, silentLogger);
        expect(stateOf(lynne)).toBe('confirmedCompromised');
    });

    it('a storm past the hourly cap trips the breaker: the cap is confirmed, the rest held and alerted', async () => {
        const users = Array.from({ length: 80 }, (_, i) => user(`spray${i}`));
        const batch = messages(...users.map((id) => detect(id, 'leakedCredentials')));
        await remediateBatch(batch, deps(), config, silentLogger);
        expect(users.filter((id) => stateOf(id) === 'confirmedCompromised')).toHaveLength(50);
        expect((await audit.list({})).filter((r) => r.outcome === 'held')).toHaveLength(30);
        expect(notifier.alerts).toEqual([
            expect.objectContaining({ kind: 'breakerTripped', action: 'confirmCompromised', cap: 50, held: 30 }),
        ]);
    });

    it('identity-protection calls for a batch of N detections over U users: one state read, coverage reads, one action call per 60 users and action', async () => {
        // 150 detections over 120 users: 100 users confirmed, 20 users dismissed (one detection each), 30 extra detections.
        const confirmUsers = Array.from({ length: 100 }, (_, i) => user(`c${i}`));
        const dismissUsers = Array.from({ length: 20 }, (_, i) => user(`d${i}`));
        const detections = [
            ...confirmUsers.map((id) => detect(id, 'leakedCredentials')),
            ...confirmUsers.slice(0, 30).map((id) => detect(id, 'unfamiliarFeatures')),
            ...dismissUsers.map((id) => detect(id, 'anonymizedIPAddress', { ipAddress: '203.0.113.50' })),
        ];
        harness.simulator.resetStats();
        await remediateBatch(
            messages(...detections),
            deps(),
            { ...config, breakerCaps: { confirmCompromised: 500, dismiss: 500 } },
            silentLogger,
        );
        // At-risk users: one listing page (120 < 500). Coverage of 20 dismissals: more candidates than the first
        // guess of 10 listing pages, so one listing of at-risk detections (150 < 500, one page). Confirm 100 users:
        // 2 calls; dismiss 20: 1 call.
        expect(ipCalls()).toBe(1 + 1 + 2 + 1);
        expect(confirmUsers.every((id) => stateOf(id) === 'confirmedCompromised')).toBe(true);
        expect(dismissUsers.every((id) => stateOf(id) === 'dismissed')).toBe(true);
    });
});
