import { Detection } from '../../../shared/detection';
import { AppError } from '../../../shared/errors';
import { silentLogger } from '../../../shared/logger';
import { createDetectionMessage } from '../../../shared/queue/message';
import {
    ReceivedMessage,
    remediateBatch,
    RemediationConfig,
    RulesSource,
} from '../../../shared/remediation/remediateBatch';
import { RulesValidationError } from '../../../shared/rules/loadRules';
import { FakeClock } from '../../fakes/fakeClock';
import {
    FakeDirectory,
    FakeRiskTenant,
    InMemoryAuditStore,
    RecordingNotifier,
    rulesFrom,
} from '../../fakes/remediationFakes';
import { aDetection } from '../../fixtures/detections';
import { remediationRulesYaml } from '../../fixtures/rules';

const breakGlassGroup = '11111111-2222-4333-8444-555555555555';
const rulesYaml = (mode: 'dryRun' | 'enforce') =>
    remediationRulesYaml({ mode, breakGlassGroup, excludedUsers: ['breakglass@contoso.example'] });

const config: RemediationConfig = {
    tenantId: 'tenant-1',
    forceDryRun: false,
    breakerCaps: { confirmCompromised: 50, dismiss: 200 },
};

function setUp(mode: 'dryRun' | 'enforce' = 'enforce', rules: RulesSource = rulesFrom(rulesYaml(mode))) {
    const tenant = new FakeRiskTenant();
    const audit = new InMemoryAuditStore();
    const notifier = new RecordingNotifier();
    const directory = new FakeDirectory();
    const revoked: string[] = [];
    const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
    const deps = {
        rules,
        directory,
        riskState: tenant,
        act: tenant.act,
        revokeSessions: async (userId: string) => {
            revoked.push(userId);
        },
        audit,
        notifier,
        clock,
    };
    return { tenant, audit, notifier, directory, deps, revoked, clock };
}

function messagesOf(...detections: Detection[]): ReceivedMessage[] {
    return detections.map((detection) => {
        const message = createDetectionMessage('tenant-1', detection, new Date('2026-06-01T11:59:00Z'));
        return { body: message.body, messageId: message.messageId, deliveryCount: 1 };
    });
}

const leaked = (overrides: Partial<Detection> = {}) =>
    aDetection({ riskEventType: 'leakedCredentials', detectionTimingType: 'offline', ...overrides });
const anonymousFromEgress = (overrides: Partial<Detection> = {}) =>
    aDetection({ riskEventType: 'anonymizedIPAddress', ipAddress: '203.0.113.9', ...overrides });

describe('remediateBatch (issue #3)', () => {
    it('confirms and dismisses in one call per action, records every decision and notifies once', async () => {
        const a = leaked();
        const b = anonymousFromEgress();
        const c = aDetection({ riskEventType: 'unfamiliarFeatures' });
        const { tenant, audit, notifier, deps } = setUp();
        tenant.atRisk(a.userId, b.userId, c.userId);
        tenant.detections.push(b);

        const report = await remediateBatch(messagesOf(a, b, c), deps, config, silentLogger);

        expect(tenant.calls).toEqual([
            { action: 'confirmCompromised', userIds: [a.userId] },
            { action: 'dismiss', userIds: [b.userId] },
        ]);
        expect(audit.byUser(a.userId)).toMatchObject({
            action: 'confirmCompromised',
            outcome: 'applied',
            ruleId: 'leaked-credentials',
            mode: 'enforce',
        });
        expect(audit.byUser(b.userId)).toMatchObject({
            action: 'dismiss',
            outcome: 'applied',
            ruleId: 'corporate-egress',
        });
        expect(audit.byUser(c.userId)).toMatchObject({ action: 'none', outcome: 'noAction', ruleId: null });
        expect(notifier.batches).toHaveLength(1);
        expect(notifier.batches[0]!.map((d) => d.outcome).sort()).toEqual(['applied', 'applied', 'noAction']);
        expect(report.counts).toMatchObject({ applied: 2, noAction: 1 });
    });

    it('R7: a malformed message is recorded as rejected with its raw body and alerted, and the rest of the batch goes on', async () => {
        const a = leaked();
        const { tenant, audit, notifier, deps } = setUp();
        tenant.atRisk(a.userId);
        const bad: ReceivedMessage = {
            body: '{"version":1,"tenantId":"t","detection":{"id":"x"}}',
            messageId: 'bad-1',
            deliveryCount: 1,
        };

        const report = await remediateBatch([bad, ...messagesOf(a)], deps, config, silentLogger);

        expect(report.rejected).toBe(1);
        const rejected = [...audit.records.values()].find((r) => r.outcome === 'rejected')!;
        expect(rejected).toMatchObject({ messageIds: ['bad-1'], rawBody: bad.body });
        expect(rejected.reason).toMatch(/^message.invalid: .*detection/);
        expect(notifier.alerts).toEqual([expect.objectContaining({ kind: 'messageRejected', messageId: 'bad-1' })]);
        expect(tenant.actedOn('confirmCompromised')).toEqual([a.userId]);
    });

    it('R4: a redelivered batch repeats no action', async () => {
        const a = leaked();
        const { tenant, audit, deps } = setUp();
        tenant.atRisk(a.userId);
        const batch = messagesOf(a);
        await remediateBatch(batch, deps, config, silentLogger);
        await remediateBatch(batch, deps, config, silentLogger);
        expect(tenant.calls).toHaveLength(1);
        expect(audit.byUser(a.userId)).toMatchObject({ outcome: 'applied' });
    });

    it('R4: an admin dismissal between queueing and processing is never overridden', async () => {
        const a = leaked();
        const { tenant, audit, deps } = setUp();
        tenant.states.set(a.userId, { riskState: 'dismissed', isDeleted: false });
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(tenant.calls).toEqual([]);
        expect(audit.byUser(a.userId)).toMatchObject({
            outcome: 'skipped',
            reason: expect.stringContaining('dismissed'),
        });
    });

    it('R4: when the action went out but the batch failed before the final record, the redelivery records it as applied without acting', async () => {
        const a = leaked();
        const { tenant, audit, deps } = setUp();
        tenant.atRisk(a.userId);
        const depsWithFlakyAudit = {
            ...deps,
            audit: { ...audit, put: audit.put.bind(audit), get: audit.get.bind(audit), list: audit.list.bind(audit) },
        };
        let writes = 0;
        depsWithFlakyAudit.audit.put = async (records) => {
            writes++;
            if (writes === 2) {
                throw new AppError('storage.failed', 'table unavailable (simulated)', true);
            }
            await audit.put(records);
        };
        await expect(remediateBatch(messagesOf(a), depsWithFlakyAudit, config, silentLogger)).rejects.toMatchObject({
            code: 'storage.failed',
        });
        expect(audit.byUser(a.userId)).toMatchObject({ outcome: 'pending' });
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(tenant.calls).toHaveLength(1);
        expect(audit.byUser(a.userId)).toMatchObject({
            outcome: 'applied',
            reason: expect.stringContaining('applied earlier'),
        });
    });

    it('R5: dry-run decides and records as enforce would and calls no write endpoint', async () => {
        const detections = [leaked(), anonymousFromEgress(), aDetection()];
        const enforce = setUp('enforce');
        const dry = setUp('dryRun');
        for (const run of [enforce, dry]) {
            run.tenant.atRisk(...detections.map((d) => d.userId));
            run.tenant.detections.push(detections[1]!);
            await remediateBatch(messagesOf(...detections), run.deps, config, silentLogger);
        }
        expect(dry.tenant.calls).toEqual([]);
        const byUser = (audit: InMemoryAuditStore) =>
            [...audit.records.values()].sort((a, b) => a.userId!.localeCompare(b.userId!));
        const summary = (audit: InMemoryAuditStore) => byUser(audit).map((r) => [r.userId, r.action, r.ruleId]);
        expect(summary(dry.audit)).toEqual(summary(enforce.audit));
        expect(byUser(dry.audit).map((r) => r.outcome)).toEqual(['dryRun', 'dryRun', 'noAction']);
    });

    it('FORCE_DRY_RUN overrides an enforce rules file', async () => {
        const a = leaked();
        const { tenant, audit, deps } = setUp('enforce');
        tenant.atRisk(a.userId);
        await remediateBatch(messagesOf(a), deps, { ...config, forceDryRun: true }, silentLogger);
        expect(tenant.calls).toEqual([]);
        expect(audit.byUser(a.userId)).toMatchObject({ mode: 'dryRun', outcome: 'dryRun' });
    });

    it('R1: excluded users (by UPN and by group) are never acted on and still reported', async () => {
        const byUpn = leaked({ userPrincipalName: 'BreakGlass@contoso.example' });
        const byGroup = leaked();
        const { tenant, audit, notifier, directory, deps } = setUp();
        tenant.atRisk(byUpn.userId, byGroup.userId);
        directory.memberships.set(byGroup.userId, [breakGlassGroup]);
        await remediateBatch(messagesOf(byUpn, byGroup), deps, config, silentLogger);
        expect(tenant.calls).toEqual([]);
        expect(audit.byUser(byUpn.userId)).toMatchObject({ outcome: 'excluded', action: 'none' });
        expect(audit.byUser(byGroup.userId)).toMatchObject({ outcome: 'excluded', action: 'none' });
        expect(notifier.batches[0]!.map((d) => d.wouldHave)).toEqual(['confirmCompromised', 'confirmCompromised']);
    });

    it('R3: a user with another at-risk detection that no dismiss rule covers is not dismissed', async () => {
        const covered = anonymousFromEgress();
        const uncovered = aDetection({ userId: covered.userId, riskEventType: 'unlikelyTravel' });
        const { tenant, audit, deps } = setUp();
        tenant.atRisk(covered.userId);
        tenant.detections.push(covered, uncovered);
        await remediateBatch(messagesOf(covered), deps, config, silentLogger);
        expect(tenant.calls).toEqual([]);
        expect(audit.byUser(covered.userId)).toMatchObject({
            action: 'none',
            outcome: 'noAction',
            reason: expect.stringContaining(uncovered.id),
        });
    });

    it('R2: confirmCompromised beats dismiss for the same user in the same batch', async () => {
        const dismissable = anonymousFromEgress();
        const confirming = leaked({ userId: dismissable.userId });
        const { tenant, deps } = setUp();
        tenant.atRisk(dismissable.userId);
        await remediateBatch(messagesOf(dismissable, confirming), deps, config, silentLogger);
        expect(tenant.calls).toEqual([{ action: 'confirmCompromised', userIds: [dismissable.userId] }]);
    });

    it('acts on 130 users in three calls of at most 60', async () => {
        const detections = Array.from({ length: 130 }, () => leaked());
        const { tenant, deps } = setUp();
        tenant.atRisk(...detections.map((d) => d.userId));
        await remediateBatch(
            messagesOf(...detections),
            deps,
            { ...config, breakerCaps: { confirmCompromised: 500, dismiss: 500 } },
            silentLogger,
        );
        expect(tenant.calls.map((call) => call.userIds.length)).toEqual([60, 60, 10]);
    });

    it('when Graph refuses a call because of one user, the others are still acted on and that user is recorded as failed', async () => {
        const detections = Array.from({ length: 5 }, () => leaked());
        const { tenant, audit, deps } = setUp();
        tenant.atRisk(...detections.map((d) => d.userId));
        tenant.refuse.add(detections[3]!.userId);
        await remediateBatch(messagesOf(...detections), deps, config, silentLogger);
        expect(tenant.actedOn('confirmCompromised').sort()).toEqual(
            detections
                .filter((_, i) => i !== 3)
                .map((d) => d.userId)
                .sort(),
        );
        expect(audit.byUser(detections[3]!.userId)).toMatchObject({ outcome: 'failed' });
    });

    it('R6: past the hourly cap the breaker holds the rest, records them as held and alerts', async () => {
        const detections = Array.from({ length: 5 }, () => leaked());
        const { tenant, audit, notifier, deps } = setUp();
        tenant.atRisk(...detections.map((d) => d.userId));
        await remediateBatch(
            messagesOf(...detections),
            deps,
            { ...config, breakerCaps: { confirmCompromised: 3, dismiss: 10 } },
            silentLogger,
        );
        expect(tenant.actedOn('confirmCompromised')).toHaveLength(3);
        expect([...audit.records.values()].filter((r) => r.outcome === 'held')).toHaveLength(2);
        expect(notifier.alerts).toEqual([
            expect.objectContaining({ kind: 'breakerTripped', action: 'confirmCompromised', cap: 3, held: 2 }),
        ]);
    });

    it('R6: actions of the last hour count against the cap; after an hour there is room again', async () => {
        const { tenant, deps, clock } = setUp();
        const first = Array.from({ length: 3 }, () => leaked());
        tenant.atRisk(...first.map((d) => d.userId));
        const caps = { ...config, breakerCaps: { confirmCompromised: 3, dismiss: 10 } };
        await remediateBatch(messagesOf(...first), deps, caps, silentLogger);
        const second = leaked();
        tenant.atRisk(second.userId);
        clock.advance(30 * 60_000);
        await remediateBatch(messagesOf(second), deps, caps, silentLogger);
        expect(tenant.actedOn('confirmCompromised')).toHaveLength(3);
        clock.advance(31 * 60_000);
        await remediateBatch(messagesOf(second), deps, caps, silentLogger);
        expect(tenant.actedOn('confirmCompromised')).toContain(second.userId);
    });

    it('R7: an invalid rules file stops every action, alerts, and throws so the batch is redelivered', async () => {
        const a = leaked();
        const invalid: RulesSource = {
            location: 'rules.yaml',
            load: async () => {
                throw new RulesValidationError('rules.yaml', [
                    { path: 'rules[0].then.action', message: 'invalid value "lock"' },
                ]);
            },
        };
        const { tenant, notifier, deps } = setUp('enforce', invalid);
        tenant.atRisk(a.userId);
        await expect(remediateBatch(messagesOf(a), deps, config, silentLogger)).rejects.toMatchObject({
            code: 'rules.invalid',
        });
        expect(tenant.calls).toEqual([]);
        expect(notifier.alerts).toEqual([
            expect.objectContaining({
                kind: 'rulesInvalid',
                problems: [expect.stringContaining('rules[0].then.action')],
            }),
        ]);
    });

    it('a transient Graph failure throws (the batch is redelivered) and the redelivery acts once', async () => {
        const a = leaked();
        const { tenant, deps } = setUp();
        tenant.atRisk(a.userId);
        tenant.failNextCallWith = new AppError('graph.throttled', 'throttled past the budget', true);
        await expect(remediateBatch(messagesOf(a), deps, config, silentLogger)).rejects.toMatchObject({
            code: 'graph.throttled',
        });
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(tenant.calls).toEqual([{ action: 'confirmCompromised', userIds: [a.userId] }]);
    });

    it('a failing notification hand-off never undoes or repeats the action; the redelivered batch notifies (N1)', async () => {
        const a = leaked();
        const { tenant, audit, notifier, deps } = setUp();
        tenant.atRisk(a.userId);
        notifier.failDecisions = true;
        await expect(remediateBatch(messagesOf(a), deps, config, silentLogger)).rejects.toMatchObject({
            code: 'notify.failed',
        });
        expect(tenant.calls).toHaveLength(1);
        expect(audit.byUser(a.userId)).toMatchObject({ outcome: 'applied' });

        notifier.failDecisions = false;
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(tenant.calls).toHaveLength(1);
        expect(notifier.batches).toEqual([
            [
                expect.objectContaining({
                    userId: a.userId,
                    outcome: 'applied',
                    decisionId: audit.byUser(a.userId)!.decisionId,
                }),
            ],
        ]);
    });

    it('when the process died between the confirmation and the revocation, the redelivery revokes the sessions', async () => {
        const a = leaked();
        const yaml = rulesYaml('enforce').replace(
            'then: { action: confirmCompromised, notify: [secops] }',
            'then: { action: confirmCompromised, revokeSessions: true, notify: [secops] }',
        );
        const { tenant, revoked, deps } = setUp('enforce', rulesFrom(yaml));
        tenant.atRisk(a.userId);
        const dying = {
            ...deps,
            revokeSessions: () => Promise.reject(new AppError('graph.failed', 'process killed', true)),
        };
        await remediateBatch(messagesOf(a), dying, config, silentLogger);
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(tenant.calls).toHaveLength(1);
        expect(revoked).toEqual([a.userId]);
    });

    it('revokes sessions after a confirmation when the rule asks for it', async () => {
        const a = leaked();
        const yaml = rulesYaml('enforce').replace(
            'then: { action: confirmCompromised, notify: [secops] }',
            'then: { action: confirmCompromised, revokeSessions: true, notify: [secops] }',
        );
        const { tenant, revoked, deps } = setUp('enforce', rulesFrom(yaml));
        tenant.atRisk(a.userId);
        await remediateBatch(messagesOf(a), deps, config, silentLogger);
        expect(revoked).toEqual([a.userId]);
    });
});
