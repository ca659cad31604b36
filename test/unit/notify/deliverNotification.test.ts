import { AppError } from '../../../shared/errors';
import { silentLogger } from '../../../shared/logger';
import { DeliveryError } from '../../../shared/notify/deliveryError';
import { DeliveryConfig, DeliveryDependencies, deliverNotification } from '../../../shared/notify/deliverNotification';
import { NotificationJob } from '../../../shared/notify/notificationJob';
import { planAlert, planOwnerDigests, toNotificationJob } from '../../../shared/notify/planMessages';
import { FakeClock } from '../../fakes/fakeClock';
import {
    FakeManagerDirectory,
    InMemoryDeliveryLog,
    RecordingAlerts,
    RecordingMailSender,
    RecordingNotificationQueue,
    RecordingTeamsPoster,
    webhooksOf,
} from '../../fakes/notifyFakes';
import { aDecisionReport } from '../../fixtures/decisionReports';

const secopsWebhook = 'https://prod-01.westus.logic.azure.com/workflows/secops?sig=s3cret';
const config: DeliveryConfig = { tenantId: 'tenant-1', maxAttempts: 4, retry: { baseMs: 30_000, maxMs: 3_600_000 } };
const context = { tenantId: 'tenant-1', portalUrl: 'https://entra.microsoft.com', emailEnabled: true };

function setUp() {
    const log = new InMemoryDeliveryLog();
    const queue = new RecordingNotificationQueue();
    const teams = new RecordingTeamsPoster();
    const mail = new RecordingMailSender();
    const managers = new FakeManagerDirectory();
    const alerts = new RecordingAlerts();
    const clock = new FakeClock();
    const deps: DeliveryDependencies = {
        log,
        queue,
        postToTeams: teams.post,
        sendMail: mail.send,
        webhooks: webhooksOf({ secops: secopsWebhook }, 'https://prod-02.westus.logic.azure.com/workflows/alerts?sig=a'),
        managers,
        alerts,
        clock,
        random: () => 0.5,
    };
    return { log, queue, teams, mail, managers, alerts, clock, deps };
}

function jobsFor(channel: 'teams' | 'email'): NotificationJob {
    const { messages } = planOwnerDigests([aDecisionReport({ notify: ['secops'] })], { secops: { teams: secopsWebhook, email: ['secops@contoso.example'] } }, context);
    return toNotificationJob(messages.find((m) => m.channel === channel)!, 'tenant-1', new Date('2026-06-01T12:00:00Z'));
}

const deliver = (job: unknown, deps: DeliveryDependencies) => deliverNotification({ body: job, messageId: 'm-1' }, deps, config, silentLogger);

describe('deliverNotification (issue #4, N1)', () => {
    it('posts a Teams job to the owner\'s webhook and records it as delivered', async () => {
        const { teams, log, deps } = setUp();
        const job = jobsFor('teams');

        const outcome = await deliver(job, deps);

        expect(outcome).toEqual({ kind: 'delivered', jobId: job.jobId, attempt: 1 });
        expect(teams.posts).toEqual([{ url: secopsWebhook, message: job.message }]);
        expect(log.records.get(job.jobId)).toMatchObject({ status: 'delivered', attempts: 1, owner: 'secops', channel: 'teams' });
    });

    it('sends an email job to its addresses with the job id as correlation header', async () => {
        const { mail, deps } = setUp();
        const job = jobsFor('email');
        await deliver(JSON.stringify(job), deps);
        expect(mail.sent).toEqual([{ to: ['secops@contoso.example'], content: job.message, correlationId: job.jobId }]);
    });

    it('a job already delivered is not sent again (a copy on a queue without duplicate detection)', async () => {
        const { teams, deps } = setUp();
        const job = jobsFor('teams');
        await deliver(job, deps);

        const again = await deliver(job, deps);

        expect(again).toEqual({ kind: 'duplicate', jobId: job.jobId, status: 'delivered' });
        expect(teams.posts).toHaveLength(1);
    });

    it('a transient failure schedules attempt 2 after the back-off, and the retry delivers', async () => {
        const { teams, queue, log, clock, deps } = setUp();
        const job = jobsFor('teams');
        teams.failures.push(new DeliveryError('POST https://prod-01.westus.logic.azure.com/… answered 500', true));

        const first = await deliver(job, deps);

        expect(first).toEqual({ kind: 'retryScheduled', jobId: job.jobId, attempt: 2, at: new Date(clock.now() + 22_500) });
        expect(queue.scheduled).toEqual([{ job: { ...job, attempt: 2 }, at: new Date(clock.now() + 22_500) }]);
        expect(log.records.get(job.jobId)).toMatchObject({ status: 'retrying', attempts: 1, reason: expect.stringContaining('answered 500') });

        const second = await deliver(queue.scheduled[0]!.job, deps);

        expect(second).toMatchObject({ kind: 'delivered', attempt: 2 });
        expect(teams.posts).toHaveLength(1);
        expect(log.records.get(job.jobId)).toMatchObject({ status: 'delivered', attempts: 2 });
    });

    it('back-off doubles per attempt and honours a longer Retry-After', async () => {
        const { teams, queue, clock, deps } = setUp();
        const job = { ...jobsFor('teams'), attempt: 3 };
        teams.failures.push(new DeliveryError('answered 429', true, 600_000));
        await deliver(job, deps);
        expect(queue.scheduled[0]!.at.getTime() - clock.now()).toBe(600_000);

        teams.failures.push(new DeliveryError('answered 503', true));
        await deliver({ ...job, jobId: 'f'.repeat(64) }, deps);
        expect(queue.scheduled[1]!.at.getTime() - clock.now()).toBe(120_000 * 0.75);
    });

    it('when attempts run out, the job is dead-lettered with its reason and the alert owner is told', async () => {
        const { teams, queue, log, alerts, deps } = setUp();
        const job = { ...jobsFor('teams'), attempt: 4 };
        teams.failures.push(new DeliveryError('POST https://prod-01.westus.logic.azure.com/… answered 503', true));

        const outcome = await deliver(job, deps);

        expect(outcome).toEqual({ kind: 'deadLettered', jobId: job.jobId, reason: expect.stringMatching(/^gave up after 4 attempts: POST .* answered 503$/) });
        expect(queue.scheduled).toEqual([]);
        expect(log.records.get(job.jobId)).toMatchObject({ status: 'deadLettered', attempts: 4 });
        expect(alerts.alerts).toEqual([
            { tenantId: 'tenant-1', alert: { kind: 'deadLettered', messageId: job.jobId, reason: expect.stringContaining('digest for secops via teams not delivered') } },
        ]);
    });

    it('a permanent failure (webhook refused, host not allowed) is dead-lettered at once, without retries', async () => {
        const { teams, queue, log, deps } = setUp();
        const job = jobsFor('teams');
        teams.failures.push(new DeliveryError('webhook https://evil.example/… is not on an allowed host (WEBHOOK_ALLOWED_HOSTS)', false));
        expect(await deliver(job, deps)).toMatchObject({ kind: 'deadLettered' });
        expect(queue.scheduled).toEqual([]);
        expect(log.records.get(job.jobId)!.reason).not.toContain('s3cret');
    });

    it('an alert that cannot be delivered is dead-lettered without alerting again (no loop)', async () => {
        const { teams, alerts, deps } = setUp();
        const [alertJob] = planAlert({ kind: 'messageRejected', messageId: 'x', reason: 'y' }, 'k', { teams: true, email: [] }, context).map((p) =>
            toNotificationJob(p, 'tenant-1', new Date()),
        );
        teams.failures.push(new DeliveryError('answered 404', false));
        expect(await deliver(alertJob, deps)).toMatchObject({ kind: 'deadLettered' });
        expect(alerts.alerts).toEqual([]);
    });

    it('an owner no longer in the rules file is dead-lettered with that reason', async () => {
        const { deps } = setUp();
        const job = jobsFor('teams');
        const outcome = await deliver(job, { ...deps, webhooks: webhooksOf({}) });
        expect(outcome).toEqual({ kind: 'deadLettered', jobId: job.jobId, reason: 'owner "secops" has no teams webhook in the rules file' });
    });

    it('an invalid rules file at delivery is transient: retried, not dead-lettered', async () => {
        const { queue, deps } = setUp();
        const outcome = await deliver(jobsFor('teams'), {
            ...deps,
            webhooks: () => Promise.reject(new AppError('rules.invalid', 'rules.yaml: bad', false)),
        });
        expect(outcome).toMatchObject({ kind: 'retryScheduled' });
        expect(queue.scheduled[0]!.job.attempt).toBe(2);
    });

    it('a managerOf job looks the manager up at delivery; no manager is recorded, not failed', async () => {
        const { mail, managers, log, deps } = setUp();
        const base = jobsFor('email');
        const job: NotificationJob = { ...base, owner: 'manager', target: { kind: 'managerOf', userId: 'u-1' } } as NotificationJob;

        expect(await deliver(job, deps)).toMatchObject({ kind: 'noRecipient', reason: 'the user has no manager in the directory' });
        expect(log.records.get(job.jobId)).toMatchObject({ status: 'noRecipient' });

        managers.managers.set('u-2', { id: 'm', displayName: 'Boss', mail: 'boss@contoso.example' });
        const withManager = { ...job, jobId: 'e'.repeat(64), target: { kind: 'managerOf', userId: 'u-2' } } as NotificationJob;
        expect(await deliver(withManager, deps)).toMatchObject({ kind: 'delivered' });
        expect(mail.sent.map((sent) => sent.to)).toEqual([['boss@contoso.example']]);
    });

    it('email without a sender mailbox is a permanent failure', async () => {
        const { deps } = setUp();
        expect(await deliver(jobsFor('email'), { ...deps, sendMail: undefined })).toMatchObject({
            kind: 'deadLettered',
            reason: expect.stringContaining('MAIL_SENDER'),
        });
    });

    it('a message that is not a job is rejected and alerted, never retried', async () => {
        const { alerts, queue, deps } = setUp();
        expect(await deliver('{"version":2}', deps)).toMatchObject({ kind: 'rejected' });
        expect(alerts.alerts).toEqual([{ tenantId: 'tenant-1', alert: expect.objectContaining({ kind: 'messageRejected', messageId: 'm-1' }) }]);
        expect(queue.scheduled).toEqual([]);
    });

    it('when the retry cannot be scheduled, it throws so Service Bus redelivers the attempt', async () => {
        const { teams, deps } = setUp();
        teams.failures.push(new DeliveryError('answered 500', true));
        const failingQueue = { ...deps.queue, send: deps.queue.send.bind(deps.queue), schedule: () => Promise.reject(new AppError('queue.failed', 'down', true)) };
        await expect(deliver(jobsFor('teams'), { ...deps, queue: failingQueue })).rejects.toMatchObject({ code: 'queue.failed' });
    });

    it('a delivered job whose log write fails is not sent twice by throwing', async () => {
        const { teams, deps } = setUp();
        const brokenLog = { get: deps.log.get.bind(deps.log), put: () => Promise.reject(new AppError('storage.failed', 'down', true)) };
        expect(await deliver(jobsFor('teams'), { ...deps, log: brokenLog })).toMatchObject({ kind: 'delivered' });
        expect(teams.posts).toHaveLength(1);
    });
});
