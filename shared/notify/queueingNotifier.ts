import { Clock } from '../clock';
import { ensureError } from '../errors';
import { Logger, silentLogger } from '../logger';
import { DeliveryLog, DeliveryRecord } from './deliveryLog';
import { alertKey, notificationJobId } from './notificationJob';
import { NotificationQueue } from './notificationQueue';
import { Alert, DecisionReport, Notifier } from './notifier';
import { AlertOwner, planAlert, PlanContext, planManagerDigest, planOwnerDigests, PlannedMessage, toNotificationJob } from './planMessages';
import { decisionsForManagers, describeManagerLookup, lookUpManagers, ManagerDirectory, ManagerLookup, Owners } from './recipients';

/** What the notifier needs from the outside. */
export interface NotifierDependencies {
    /** Where delivery jobs go (the NOTIFY_QUEUE_NAME queue). */
    queue: NotificationQueue;
    /** The rules file's owners, read when a batch is notified (the consumer's rules source). */
    owners: () => Promise<Owners>;
    /** Manager lookups for `notify: [manager]`. */
    managers: ManagerDirectory;
    /** Where recipients that cannot be reached are recorded (the notification audit trail). */
    log: DeliveryLog;
    clock: Clock;
}

/** How the notifier is set up (from NotifySettings). */
export interface NotifierConfig {
    /** Entra admin center root for links (ENTRA_PORTAL_URL). */
    portalUrl: string;
    /** A sender mailbox is configured (MAIL_SENDER): the email channel is on. */
    emailEnabled: boolean;
    /** The default alert owner's channels (ALERT_TEAMS_WEBHOOK, ALERT_EMAIL). */
    alertOwner: AlertOwner;
}

/**
 * The consumer's Notifier (design N1): renders one message per owner per channel for the batch and queues it as
 * a delivery job with a deterministic id; `deliverNotification` sends it apart from the remediation, with its
 * own retries. So a slow or failing webhook never holds up, repeats or undoes an action, and the jobs a
 * redelivered batch builds again carry the same ids and are dropped as duplicates.
 *
 * Managers are looked up once per user per batch; a user without one is recorded in the delivery log as
 * `noRecipient` and said so in the owners' digests, and the batch goes on. A lookup that fails is retried at
 * delivery (a `managerOf` job) rather than losing the notification.
 */
export class QueueingNotifier implements Notifier {
    constructor(
        private readonly deps: NotifierDependencies,
        private readonly config: NotifierConfig,
        private readonly logger: Logger = silentLogger,
    ) {}

    /** The same notifier reporting to another logger (an invocation's context). */
    withLogger(logger: Logger): QueueingNotifier {
        return new QueueingNotifier(this.deps, this.config, logger);
    }

    async notifyDecisions(tenantId: string, decisions: readonly DecisionReport[]): Promise<void> {
        const subscribed = decisions.filter((decision) => decision.notify.length > 0);
        if (subscribed.length === 0) {
            return;
        }
        const context = { tenantId, portalUrl: this.config.portalUrl };
        const forManagers = decisionsForManagers(subscribed);
        const lookups = forManagers.length > 0 && this.config.emailEnabled ? await lookUpManagers(forManagers.map((d) => d.userId), this.deps.managers) : new Map<string, ManagerLookup>();
        const managerNotes = new Map(
            forManagers.map((decision) => {
                const lookup = lookups.get(decision.userId);
                return [decision.userId, lookup === undefined ? 'not notified: email is off (MAIL_SENDER is not set)' : describeManagerLookup(lookup)];
            }),
        );
        const planContext: PlanContext = { ...context, emailEnabled: this.config.emailEnabled, managerNotes };
        const owners = await this.deps.owners();
        const { messages, problems } = planOwnerDigests(subscribed, owners, planContext);
        const unreachable: DeliveryRecord[] = problems.map((problem) =>
            this.unreachableRecord(tenantId, problem.owner, `owner:${problem.owner}`, problem.decisionIds, problem.reason),
        );

        const managerPlan = planManagerDigests(forManagers, lookups, this.config.emailEnabled, context);
        messages.push(...managerPlan.messages);
        unreachable.push(
            ...managerPlan.unreachable.map((entry) => this.unreachableRecord(tenantId, 'manager', `managerOf:${entry.userId}`, [entry.decisionId], entry.reason)),
        );

        const now = new Date(this.deps.clock.now());
        await this.deps.queue.send(messages.map((planned) => toNotificationJob(planned, tenantId, now)));
        for (const problem of problems) {
            this.logger.warn(`notify: ${problem.reason}; ${problem.decisionIds.length} decisions not sent to it`);
        }
        for (const entry of managerPlan.unreachable) {
            this.logger.warn(`notify: manager of user ${entry.userId} not notified: ${entry.reason}`);
        }
        await this.record(unreachable);
        this.logger.info(
            `notify: ${subscribed.length} decisions, queued ${messages.length} messages (${describeRecipients(messages)}), ${unreachable.length} recipients unreachable`,
        );
    }

    async alert(tenantId: string, alert: Alert): Promise<void> {
        const key = alertKey(alert, this.deps.clock.now());
        const alertOwner: AlertOwner = { teams: this.config.alertOwner.teams, email: this.config.emailEnabled ? this.config.alertOwner.email : [] };
        const messages = planAlert(alert, key, alertOwner, { tenantId, portalUrl: this.config.portalUrl });
        if (messages.length === 0) {
            this.logger.warn(`notify: ${alert.kind} alert not sent: no alert owner is configured (ALERT_TEAMS_WEBHOOK, or ALERT_EMAIL with MAIL_SENDER)`);
            return;
        }
        const now = new Date(this.deps.clock.now());
        await this.deps.queue.send(messages.map((planned) => toNotificationJob(planned, tenantId, now)));
        this.logger.info(`notify: queued ${alert.kind} alert (${messages.map((m) => m.channel).join(', ')})`);
    }

    private unreachableRecord(tenantId: string, owner: string, recipientKey: string, decisionIds: readonly string[], reason: string): DeliveryRecord {
        return {
            jobId: notificationJobId(tenantId, 'digest', recipientKey, 'email', decisionIds),
            tenantId,
            time: new Date(this.deps.clock.now()).toISOString(),
            kind: 'digest',
            owner,
            channel: 'email',
            status: 'noRecipient',
            attempts: 0,
            reason,
            decisionIds: [...decisionIds],
        };
    }

    /** The records are the audit of who could not be told; failing to write them must not fail the batch. */
    private async record(records: readonly DeliveryRecord[]): Promise<void> {
        for (const record of records) {
            try {
                await this.deps.log.put(record);
            } catch (error) {
                this.logger.warn(`notify: could not record unreachable recipient ${record.owner}: ${ensureError(error).message}`);
            }
        }
    }
}

interface UnreachableManager {
    userId: string;
    decisionId: string;
    reason: string;
}

/**
 * One email per manager for all of the manager's users in the batch; a failed lookup becomes a per-user job the
 * delivery resolves again; no manager, no mailbox or email off are unreachable.
 */
function planManagerDigests(
    reports: readonly DecisionReport[],
    lookups: ReadonlyMap<string, ManagerLookup>,
    emailEnabled: boolean,
    context: { tenantId: string; portalUrl: string },
): { messages: PlannedMessage[]; unreachable: UnreachableManager[] } {
    const messages: PlannedMessage[] = [];
    const unreachable: UnreachableManager[] = [];
    const byManager = new Map<string, { address: string; reports: DecisionReport[] }>();
    for (const report of reports) {
        const lookup = lookups.get(report.userId);
        if (!emailEnabled || lookup === undefined) {
            unreachable.push({ userId: report.userId, decisionId: report.decisionId, reason: 'email is off (MAIL_SENDER is not set)' });
            continue;
        }
        switch (lookup.kind) {
            case 'found': {
                const entry = byManager.get(lookup.managerId) ?? { address: lookup.address, reports: [] };
                entry.reports.push(report);
                byManager.set(lookup.managerId, entry);
                break;
            }
            case 'failed':
                messages.push(planManagerDigest([report], { kind: 'managerOf', userId: report.userId }, `managerOf:${report.userId}`, context));
                break;
            case 'noManager':
                unreachable.push({ userId: report.userId, decisionId: report.decisionId, reason: 'the user has no manager in the directory' });
                break;
            case 'noMailbox':
                unreachable.push({ userId: report.userId, decisionId: report.decisionId, reason: `the manager ${lookup.managerId} has no mailbox` });
                break;
        }
    }
    for (const [managerId, entry] of byManager) {
        messages.push(planManagerDigest(entry.reports, { kind: 'addresses', to: [entry.address] }, `manager:${managerId}`, context));
    }
    return { messages, unreachable };
}

function describeRecipients(messages: readonly PlannedMessage[]): string {
    const names = [...new Set(messages.map((message) => `${message.owner} ${message.channel}`))];
    return names.length === 0 ? 'none' : names.join(', ');
}
