import { FakeClock } from '../../fakes/fakeClock';
import { FakeManagerDirectory, InMemoryDeliveryLog, RecordingNotificationQueue } from '../../fakes/notifyFakes';
import { aDecisionReport } from '../../fixtures/decisionReports';
import { alertKey, notificationMessageId, parseNotificationJob } from '../../../shared/notify/notificationJob';
import { Owners } from '../../../shared/notify/recipients';
import { NotifierConfig, QueueingNotifier } from '../../../shared/notify/queueingNotifier';
import { cardTexts, expectValidTeamsMessage } from './cardValidation';

const owners: Owners = {
    secops: { teams: 'https://prod-01.westus.logic.azure.com/workflows/secops?sig=s3cret', email: ['secops@contoso.example'] },
    oncall: { teams: 'https://default.environment.api.powerplatform.com/powerautomate/oncall?sig=s3cret' },
    auditors: { email: ['audit@contoso.example'] },
};

const config: NotifierConfig = {
    portalUrl: 'https://entra.microsoft.com',
    emailEnabled: true,
    alertOwner: { teams: true, email: ['alerts@contoso.example'] },
};

function setUp(overrides: Partial<NotifierConfig> = {}, duplicateDetection = true) {
    const queue = new RecordingNotificationQueue(duplicateDetection);
    const managers = new FakeManagerDirectory();
    const log = new InMemoryDeliveryLog();
    const clock = new FakeClock();
    const notifier = new QueueingNotifier({ queue, owners: async () => owners, managers, log, clock }, { ...config, ...overrides });
    return { queue, managers, log, clock, notifier };
}

describe('QueueingNotifier: one message per owner per channel per batch (issue #4)', () => {
    it('queues one digest per subscribed owner and channel, each holding only that owner\'s decisions', async () => {
        const { queue, notifier } = setUp();
        const a = aDecisionReport({ notify: ['secops', 'oncall'] });
        const b = aDecisionReport({ notify: ['secops'] });
        const c = aDecisionReport({ notify: ['auditors'] });
        const quiet = aDecisionReport({ notify: [] });

        await notifier.notifyDecisions('tenant-1', [a, b, c, quiet]);

        const summary = queue.sent.map((job) => [job.owner, job.channel, job.decisionIds.length]);
        expect(summary).toEqual([
            ['secops', 'teams', 2],
            ['secops', 'email', 2],
            ['oncall', 'teams', 1],
            ['auditors', 'email', 1],
        ]);
        expect(queue.sent.every((job) => parseNotificationJob(JSON.parse(JSON.stringify(job))).ok)).toBe(true);
        for (const job of queue.sent.filter((entry) => entry.channel === 'teams')) {
            expectValidTeamsMessage(job.message);
        }
    });

    it('never puts a webhook URL on the queue: Teams jobs name their owner', async () => {
        const { queue, notifier } = setUp();
        await notifier.notifyDecisions('tenant-1', [aDecisionReport({ notify: ['secops', 'oncall'] })]);
        expect(JSON.stringify(queue.sent)).not.toContain('s3cret');
        expect(queue.sent.filter((job) => job.channel === 'teams').map((job) => job.target)).toEqual([
            { kind: 'owner', owner: 'secops' },
            { kind: 'owner', owner: 'oncall' },
        ]);
    });

    it('a redelivered batch builds the same message ids, so the copies are dropped as duplicates', async () => {
        const { queue, notifier } = setUp();
        const batch = [aDecisionReport({ notify: ['secops'] }), aDecisionReport({ notify: ['secops', 'manager'] })];
        await notifier.notifyDecisions('tenant-1', batch);
        const first = queue.sent.map(notificationMessageId);

        await notifier.notifyDecisions('tenant-1', [...batch].reverse().map((report) => ({ ...report, outcome: 'skipped' as const })));

        expect(queue.sent.map(notificationMessageId)).toEqual(first);
        expect(queue.duplicatesDropped.sort()).toEqual([...first].sort());
    });

    it('ids differ between owners, channels and decision sets', async () => {
        const { queue, notifier } = setUp({}, false);
        const a = aDecisionReport({ notify: ['secops'] });
        await notifier.notifyDecisions('tenant-1', [a]);
        await notifier.notifyDecisions('tenant-1', [a, aDecisionReport({ notify: ['secops'] })]);
        expect(new Set(queue.sent.map((job) => job.jobId)).size).toBe(queue.sent.length);
    });

    it('an owner missing from the rules file, or with only email while email is off, is warned about and recorded, and the rest still go', async () => {
        const { queue, log, notifier } = setUp({ emailEnabled: false });
        await notifier.notifyDecisions('tenant-1', [aDecisionReport({ notify: ['ghost', 'auditors', 'oncall'] })]);
        expect(queue.sent.map((job) => [job.owner, job.channel])).toEqual([['oncall', 'teams']]);
        expect(log.byStatus('noRecipient').map((record) => record.reason)).toEqual([
            'owner "ghost" is not defined in the rules file',
            'owner "auditors" has only email and email is off (MAIL_SENDER is not set)',
        ]);
    });
});

describe('QueueingNotifier: managers (issue #4)', () => {
    it('looks each user\'s manager up once per batch and sends one email per manager for all their users', async () => {
        const { queue, managers, notifier } = setUp();
        const a = aDecisionReport({ notify: ['manager'] });
        const b = aDecisionReport({ notify: ['manager', 'secops'] });
        const sameUserAgain = { ...aDecisionReport({ notify: ['manager'] }), userId: a.userId };
        const boss = { id: 'mgr-1', displayName: 'Megan Bowen', mail: 'megan@contoso.example', userPrincipalName: 'megan@contoso.example' };
        managers.managers.set(a.userId, boss);
        managers.managers.set(b.userId, boss);

        await notifier.notifyDecisions('tenant-1', [a, b, sameUserAgain]);

        expect(managers.lookups.sort()).toEqual([a.userId, b.userId].sort());
        const managerJobs = queue.sent.filter((job) => job.owner === 'manager');
        expect(managerJobs).toHaveLength(1);
        expect(managerJobs[0]).toMatchObject({ channel: 'email', target: { kind: 'addresses', to: ['megan@contoso.example'] } });
        expect(managerJobs[0]!.decisionIds.sort()).toEqual([a.decisionId, b.decisionId, sameUserAgain.decisionId].sort());
        const secopsCard = queue.sent.find((job) => job.owner === 'secops' && job.channel === 'teams')!;
        expect(cardTexts(expectValidTeamsMessage(secopsCard.message))).toContain('Megan Bowen: notified by email');
    });

    it('when a user has no manager, it says so in the owners\' digest and the delivery log, and goes on', async () => {
        const { queue, log, notifier } = setUp();
        const orphan = aDecisionReport({ notify: ['manager', 'oncall'] });

        await notifier.notifyDecisions('tenant-1', [orphan]);

        expect(queue.sent.map((job) => job.owner)).toEqual(['oncall']);
        expect(cardTexts(expectValidTeamsMessage(queue.sent[0]!.message))).toContain('none in the directory: not notified');
        expect(log.byStatus('noRecipient')).toEqual([
            expect.objectContaining({ owner: 'manager', decisionIds: [orphan.decisionId], reason: 'the user has no manager in the directory' }),
        ]);
    });

    it('a manager without a mailbox is recorded, not emailed', async () => {
        const { queue, managers, log, notifier } = setUp();
        const report = aDecisionReport({ notify: ['manager'] });
        managers.managers.set(report.userId, { id: 'mgr-2', displayName: 'No Mail', mail: null });
        await notifier.notifyDecisions('tenant-1', [report]);
        expect(queue.sent).toEqual([]);
        expect(log.byStatus('noRecipient')[0]!.reason).toBe('the manager mgr-2 has no mailbox');
    });

    it('a failed lookup does not lose the notification: the job asks delivery to look the manager up again', async () => {
        const { queue, managers, notifier } = setUp();
        const report = aDecisionReport({ notify: ['manager'] });
        managers.failFor.add(report.userId);
        await notifier.notifyDecisions('tenant-1', [report]);
        expect(queue.sent).toEqual([expect.objectContaining({ owner: 'manager', channel: 'email', target: { kind: 'managerOf', userId: report.userId } })]);
    });

    it('with email off, managers are not looked up and the reason is recorded', async () => {
        const { queue, managers, log, notifier } = setUp({ emailEnabled: false });
        await notifier.notifyDecisions('tenant-1', [aDecisionReport({ notify: ['manager'] })]);
        expect(managers.lookups).toEqual([]);
        expect(queue.sent).toEqual([]);
        expect(log.byStatus('noRecipient')[0]!.reason).toBe('email is off (MAIL_SENDER is not set)');
    });
});

describe('QueueingNotifier: alerts (issue #4)', () => {
    it('go to the default alert owner on each configured channel', async () => {
        const { queue, notifier } = setUp();
        await notifier.alert('tenant-1', { kind: 'rulesInvalid', file: 'rules.yaml', problems: ['x'] });
        expect(queue.sent.map((job) => [job.kind, job.owner, job.channel, job.target])).toEqual([
            ['alert', 'alerts', 'teams', { kind: 'alertOwner' }],
            ['alert', 'alerts', 'email', { kind: 'addresses', to: ['alerts@contoso.example'] }],
        ]);
    });

    it('the same alert raised again in the same hour (every redelivery of a batch with invalid rules) is one message', async () => {
        const { queue, clock, notifier } = setUp();
        const alert = { kind: 'rulesInvalid' as const, file: 'rules.yaml', problems: ['x'] };
        await notifier.alert('tenant-1', alert);
        clock.advance(60_000);
        await notifier.alert('tenant-1', alert);
        expect(queue.sent).toHaveLength(2);
        expect(queue.duplicatesDropped).toHaveLength(2);
    });

    it('alert keys: per message for rejected and dead-lettered messages, per action and hour for the breaker', () => {
        const hour = 3_600_000;
        const breaker = { kind: 'breakerTripped' as const, action: 'dismiss' as const, cap: 1, held: 1, resetsAt: 'x' };
        expect(alertKey(breaker, 10 * hour)).toBe(alertKey({ ...breaker, held: 5 }, 10 * hour + 1000));
        expect(alertKey(breaker, 10 * hour)).not.toBe(alertKey(breaker, 11 * hour));
        expect(alertKey({ kind: 'deadLettered', messageId: 'm1', reason: 'a' }, 0)).toBe(alertKey({ kind: 'deadLettered', messageId: 'm1', reason: 'b' }, 5 * hour));
    });

    it('with no alert owner configured, nothing is queued', async () => {
        const { queue, notifier } = setUp({ alertOwner: { teams: false, email: [] } });
        await notifier.alert('tenant-1', { kind: 'messageRejected', messageId: 'm', reason: 'r' });
        expect(queue.sent).toEqual([]);
    });
});
