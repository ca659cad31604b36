/**
 * Owner notifications end to end (issue #4): the consumer's use case with the real Graph adapters against the
 * Graph simulator, the notifier queueing delivery jobs on the Service Bus emulator through the real SDK, and
 * the delivery use case draining that queue, posting to the local webhook sink and sending mail through the
 * simulator. Checks N1: one digest per owner per batch, nothing twice, retries that never repeat an action.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { ServiceBusClient } from '@azure/service-bus';

import { startServiceBusEmulator, type ServiceBusEmulator } from '../../dev/service-bus-emulator';
import { startWebhookSink, type WebhookSink } from '../../dev/webhook-sink';
import { systemClock } from '../../shared/clock';
import { Detection, detectionSchema } from '../../shared/detection';
import { silentLogger } from '../../shared/logger';
import { createNotifyComponents, NotifyComponents } from '../../shared/notify/createNotifyComponents';
import { deliverNotification, DeliveryOutcome } from '../../shared/notify/deliverNotification';
import { deliveryLogFileIn, FileDeliveryLog } from '../../shared/notify/fileDeliveryLog';
import { Owners } from '../../shared/notify/recipients';
import { createDetectionMessage } from '../../shared/queue/message';
import { FileAuditStore } from '../../shared/remediation/fileAuditStore';
import { createGraphRemediationPorts } from '../../shared/remediation/graphRiskActions';
import { ReceivedMessage, remediateBatch, RemediationConfig } from '../../shared/remediation/remediateBatch';
import { loadNotifySettings } from '../../shared/settings/notifySettings';
import { rulesFrom } from '../fakes/remediationFakes';
import { cardTexts, expectValidTeamsMessage } from '../unit/notify/cardValidation';
import { GraphHarness, startGraphHarness } from './graphHarness';

/** Fail fast: the SDK defaults would retry for minutes against a misbehaving broker. */
const retryOptions = { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 5000 };
const sender = 'risk-responder@contoso.example';

/** The rules file as remediation reads it; webhook URLs are placeholders there (the schema requires https). */
const rulesYaml = `
version: 1
mode: enforce
owners:
  secops:
    teams: 'https://prod-01.westus.logic.azure.com/workflows/secops?sig=placeholder'
    email: [secops@contoso.example]
  oncall:
    teams: 'https://prod-01.westus.logic.azure.com/workflows/oncall?sig=placeholder'
rules:
  - id: leaked-credentials
    when: { riskEventType: [leakedCredentials] }
    then: { action: confirmCompromised, notify: [secops, oncall, manager] }
`;

let emulator: ServiceBusEmulator;
let client: ServiceBusClient;
let sink: WebhookSink;

beforeAll(async () => {
    emulator = await startServiceBusEmulator();
    client = new ServiceBusClient(emulator.connectionString, { retryOptions });
    sink = await startWebhookSink();
});

afterAll(async () => {
    await client.close();
    await emulator.stop();
    await sink.stop();
});

describe('owner notifications through the notification queue (issue #4)', () => {
    let harness: GraphHarness;
    let stateDir: string;
    let queueName: string;
    let path: (owner: string) => string;
    let notify: NotifyComponents;
    let audit: FileAuditStore;
    let config: RemediationConfig;

    /** Each test: its own queue, sink paths, state folder and tenant. */
    async function setUp(options: { duplicateDetection?: boolean; maxAttempts?: number } = {}): Promise<void> {
        harness = await startGraphHarness();
        harness.tenant.addUser({ userPrincipalName: sender, displayName: 'Risk Responder', mail: sender });
        stateDir = mkdtempSync(join(tmpdir(), 'rr-notify-'));
        queueName = `notify-${randomUUID().slice(0, 8)}`;
        emulator.createQueue({ name: queueName, ...(options.duplicateDetection === false ? {} : { duplicateDetectionWindowMs: 60_000 }) });
        const prefix = `/${queueName}`;
        path = (owner) => `${prefix}/${owner}`;
        const owners: Owners = {
            secops: { teams: `${sink.url}${path('secops')}`, email: ['secops@contoso.example'] },
            oncall: { teams: `${sink.url}${path('oncall')}` },
        };
        const settings = loadNotifySettings({
            MAIL_SENDER: sender,
            ALERT_TEAMS_WEBHOOK: `${sink.url}${path('alerts')}`,
            NOTIFY_QUEUE_NAME: queueName,
            ALLOW_LOOPBACK_WEBHOOKS: 'true',
            NOTIFY_MAX_ATTEMPTS: String(options.maxAttempts ?? 5),
            NOTIFY_RETRY_BASE_SECONDS: '0.05',
            NOTIFY_RETRY_MAX_SECONDS: '0.2',
            NOTIFY_MAILS_PER_MINUTE: '6000',
            DELIVERY_LOG_STORE: 'file',
            DELIVERY_LOG_DIR: stateDir,
        });
        notify = createNotifyComponents(settings, {
            tenantId: harness.tenant.tenantId,
            graph: harness.graph,
            serviceBusClient: client,
            // The owners as the rules file would give them locally: webhooks pointing at the sink.
            owners: async () => owners,
        });
        audit = new FileAuditStore(join(stateDir, 'audit.jsonl'));
        config = { tenantId: harness.tenant.tenantId, forceDryRun: false, breakerCaps: { confirmCompromised: 50, dismiss: 200 } };
    }

    afterEach(async () => {
        await harness.simulator.stop();
        await rm(stateDir, { recursive: true, force: true });
    });

    function user(name: string, managerId?: string): string {
        return harness.tenant.addUser({ userPrincipalName: `${name}@contoso.example`, displayName: name, ...(managerId ? { managerId } : {}) }).id;
    }

    function detect(userId: string): Detection {
        return detectionSchema.parse(harness.tenant.addDetection({ userId, riskEventType: 'leakedCredentials', riskLevel: 'high', ipAddress: '198.51.100.20' }));
    }

    function messages(...detections: Detection[]): ReceivedMessage[] {
        return detections.map((detection) => {
            const message = createDetectionMessage(harness.tenant.tenantId, detection, new Date());
            return { body: JSON.parse(JSON.stringify(message.body)) as unknown, messageId: message.messageId, deliveryCount: 1 };
        });
    }

    async function remediate(batch: ReceivedMessage[]): Promise<void> {
        await remediateBatch(
            batch,
            { ...createGraphRemediationPorts(harness.graph), rules: rulesFrom(rulesYaml), audit, notifier: notify.notifier, clock: systemClock },
            config,
            silentLogger,
        );
    }

    /** Plays the deliverNotifications function: receive, deliver, complete, until nothing is due or scheduled. */
    async function drainNotifications(withinMs = 15_000): Promise<DeliveryOutcome[]> {
        const receiver = client.createReceiver(queueName);
        const outcomes: DeliveryOutcome[] = [];
        const deadline = Date.now() + withinMs;
        try {
            while (Date.now() < deadline) {
                const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 100 });
                for (const message of received) {
                    const messageId = message.messageId === undefined ? null : String(message.messageId);
                    outcomes.push(await deliverNotification({ body: message.body, messageId }, notify.deliveryWith(), notify.deliveryConfig, silentLogger));
                    await receiver.completeMessage(message);
                }
                const stats = emulator.queueStats(queueName);
                if (received.length === 0 && stats.active === 0 && stats.scheduled === 0 && stats.locked === 0) {
                    break;
                }
            }
        } finally {
            await receiver.close();
        }
        return outcomes;
    }

    const mailTo = (address: string) => harness.simulator.sentMail.filter((mail) => JSON.stringify(mail.message).includes(address));

    it('one digest per owner per batch, each channel once, and the manager looked up: an email to the one who has one', async () => {
        await setUp();
        const megan = user('megan');
        const adele = user('adele', megan);
        const alex = user('alex');

        await remediate(messages(detect(adele), detect(alex)));
        const outcomes = await drainNotifications();

        expect(sink.accepted(path('secops'))).toHaveLength(1);
        expect(sink.accepted(path('oncall'))).toHaveLength(1);
        const card = expectValidTeamsMessage(sink.accepted(path('secops'))[0]!.body);
        const texts = cardTexts(card);
        expect(texts).toContain('risk-responder: 2 risk decisions');
        expect(texts.filter((text) => text === 'Applied: confirmed compromised')).toHaveLength(2);
        expect(texts).toContain('megan: notified by email');
        expect(texts).toContain('none in the directory: not notified');
        expect(mailTo('secops@contoso.example')).toHaveLength(1);
        const toManager = mailTo('megan@contoso.example');
        expect(toManager).toHaveLength(1);
        expect(toManager[0]).toMatchObject({ from: sender, message: { subject: 'risk-responder: 1 risk decision (enforce): 1 applied' } });
        expect(JSON.stringify(toManager[0]!.message)).toContain('adele@contoso.example');
        expect(JSON.stringify(toManager[0]!.message)).not.toContain('alex@contoso.example');
        expect(outcomes.map((outcome) => outcome.kind)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
        const log = new FileDeliveryLog(deliveryLogFileIn(stateDir));
        expect((await log.list()).filter((record) => record.status === 'noRecipient')).toEqual([
            expect.objectContaining({ owner: 'manager', reason: 'the user has no manager in the directory' }),
        ]);
    });

    it('a failing webhook is retried with back-off until it takes the digest, and the action is not repeated', async () => {
        await setUp();
        const adele = user('adele');
        sink.failNext(2, 500);

        await remediate(messages(detect(adele)));
        const outcomes = await drainNotifications();

        const secopsPosts = sink.posts.filter((post) => post.path === path('secops'));
        const oncallPosts = sink.posts.filter((post) => post.path === path('oncall'));
        // The two failures hit whichever posts came first; every owner ends with exactly one accepted digest.
        expect([...secopsPosts, ...oncallPosts].map((post) => post.status).filter((status) => status === 500)).toHaveLength(2);
        expect(sink.accepted(path('secops'))).toHaveLength(1);
        expect(sink.accepted(path('oncall'))).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.kind === 'retryScheduled')).toHaveLength(2);
        expect(harness.simulator.stats().writes.confirmCompromised).toBe(1);
        expect((await audit.list({})).map((record) => record.outcome)).toEqual(['applied']);
    });

    it('a redelivered batch sends no duplicate: Service Bus drops the copies of the jobs', async () => {
        await setUp();
        const batch = messages(detect(user('adele')), detect(user('alex')));

        await remediate(batch);
        await remediate(batch);
        await drainNotifications();

        expect(sink.accepted(path('secops'))).toHaveLength(1);
        expect(sink.accepted(path('oncall'))).toHaveLength(1);
        expect(mailTo('secops@contoso.example')).toHaveLength(1);
        expect(emulator.queueStats(queueName).duplicatesDropped).toBe(3);
        expect(harness.simulator.stats().writes.confirmCompromised).toBe(1);
    });

    it('on a queue without duplicate detection, the delivery log keeps a redelivered batch to one message per owner', async () => {
        await setUp({ duplicateDetection: false });
        const batch = messages(detect(user('adele')));

        await remediate(batch);
        await drainNotifications();
        await remediate(batch);
        const second = await drainNotifications();

        expect(second.map((outcome) => outcome.kind)).toEqual(['duplicate', 'duplicate', 'duplicate']);
        expect(sink.accepted(path('secops'))).toHaveLength(1);
        expect(sink.accepted(path('oncall'))).toHaveLength(1);
        expect(mailTo('secops@contoso.example')).toHaveLength(1);
    });

    it('when retries run out, the job is recorded as dead-lettered and the alert owner gets an ALERT card', async () => {
        await setUp({ maxAttempts: 2 });
        sink.failNext(4, 503);

        await remediate(messages(detect(user('adele'))));
        await drainNotifications();

        const alerts = sink.accepted(path('alerts'));
        expect(alerts.length).toBeGreaterThanOrEqual(1);
        const texts = cardTexts(expectValidTeamsMessage(alerts[0]!.body));
        expect(texts[0]).toBe('ALERT');
        expect(texts).toContain('risk-responder: Message dead-lettered');
        const log = new FileDeliveryLog(deliveryLogFileIn(stateDir));
        const deadLettered = (await log.list()).filter((record) => record.status === 'deadLettered');
        expect(deadLettered.length).toBeGreaterThanOrEqual(1);
        expect(deadLettered[0]!.reason).toMatch(/^gave up after 2 attempts: POST http:\/\/127\.0\.0\.1:\d+\/… answered 503$/);
        expect(harness.simulator.stats().writes.confirmCompromised).toBe(1);
    });
});
