import { managerRecipient } from '../rules/ruleSchema';
import { buildEmailAlert, buildEmailDigest, EmailContent } from './emailContent';
import { DigestContext, MessageContext } from './messageContext';
import { EmailTarget, NotificationJob, notificationJobId, TeamsTarget } from './notificationJob';
import { Alert, DecisionReport } from './notifier';
import { decisionsByRecipient, Owners } from './recipients';
import { buildTeamsAlert, buildTeamsDigest } from './teamsCards';
import { TeamsMessage } from './teamsMessage';

/**
 * From a batch's decisions (or an alert) to the messages to send: one per recipient and channel, rendered. The
 * consumer's notifier turns them into delivery jobs; `risk-responder preview` prints them. Pure code.
 */

interface PlannedCommon {
    readonly kind: 'digest' | 'alert';
    /** Owner name, "manager" or "alerts": shown in logs, the delivery log and preview. */
    readonly owner: string;
    /** Distinguishes recipients in job ids: `owner:secops`, `manager:<id>`, `managerOf:<user id>`, `alerts`. */
    readonly recipientKey: string;
    /** The decisions reported; empty for alerts. */
    readonly decisionIds: readonly string[];
    /** Alerts only: what makes two alerts the same (see `alertKey`). */
    readonly alertKey?: string;
}

/** A message ready to queue or print. */
export type PlannedMessage = PlannedCommon &
    (
        | { readonly channel: 'teams'; readonly target: TeamsTarget; readonly message: TeamsMessage }
        | { readonly channel: 'email'; readonly target: EmailTarget; readonly message: EmailContent }
    );

/** A notify name that leads nowhere, with the decisions it concerned. */
export interface PlanProblem {
    readonly owner: string;
    readonly reason: string;
    readonly decisionIds: readonly string[];
}

/** What planning needs beyond the decisions. */
export interface PlanContext extends MessageContext {
    /** False when no sender mailbox is configured (MAIL_SENDER): owners' email lists are then skipped. */
    readonly emailEnabled: boolean;
    /** Per user id: the manager-notification note owners' digests show. */
    readonly managerNotes?: ReadonlyMap<string, string>;
}

/**
 * One digest per named owner and channel: Teams when the owner has a webhook, email when it has addresses and
 * email is enabled. Owners the rules file no longer defines, and owners left without a channel, are problems.
 * `manager` is not handled here (see `planManagerDigest`).
 */
export function planOwnerDigests(
    reports: readonly DecisionReport[],
    owners: Owners,
    context: PlanContext,
): { messages: PlannedMessage[]; problems: PlanProblem[] } {
    const messages: PlannedMessage[] = [];
    const problems: PlanProblem[] = [];
    for (const [name, subscribed] of decisionsByRecipient(reports)) {
        if (name === managerRecipient) {
            continue;
        }
        const decisionIds = subscribed.map((report) => report.decisionId);
        const owner = Object.prototype.hasOwnProperty.call(owners, name) ? owners[name] : undefined;
        if (owner === undefined) {
            problems.push({ owner: name, reason: `owner "${name}" is not defined in the rules file`, decisionIds });
            continue;
        }
        const digestContext: DigestContext = { ...context, recipient: `owner "${name}"` };
        const common = { kind: 'digest' as const, owner: name, recipientKey: `owner:${name}`, decisionIds };
        if (owner.teams !== undefined) {
            messages.push({ ...common, channel: 'teams', target: { kind: 'owner', owner: name }, message: buildTeamsDigest(subscribed, digestContext) });
        }
        if (owner.email !== undefined && context.emailEnabled) {
            messages.push({ ...common, channel: 'email', target: { kind: 'addresses', to: [...owner.email] }, message: buildEmailDigest(subscribed, digestContext) });
        }
        if (owner.teams === undefined && (owner.email === undefined || !context.emailEnabled)) {
            problems.push({ owner: name, reason: `owner "${name}" has only email and email is off (MAIL_SENDER is not set)`, decisionIds });
        }
    }
    return { messages, problems };
}

/** The email digest for one manager (or for the manager of one user, resolved at delivery). */
export function planManagerDigest(
    reports: readonly DecisionReport[],
    target: EmailTarget,
    recipientKey: string,
    context: MessageContext,
): PlannedMessage {
    return {
        kind: 'digest',
        owner: managerRecipient,
        recipientKey,
        decisionIds: reports.map((report) => report.decisionId),
        channel: 'email',
        target,
        message: buildEmailDigest(reports, { ...context, recipient: 'the manager of these users' }),
    };
}

/** The default alert owner's channels. */
export interface AlertOwner {
    /** ALERT_TEAMS_WEBHOOK is set. */
    readonly teams: boolean;
    /** ALERT_EMAIL, when email is enabled; empty otherwise. */
    readonly email: readonly string[];
}

/** One alert message per channel of the alert owner; none when the alert owner has no channel. */
export function planAlert(alert: Alert, alertKey: string, alertOwner: AlertOwner, context: MessageContext): PlannedMessage[] {
    const common = { kind: 'alert' as const, owner: 'alerts', recipientKey: 'alerts', decisionIds: [], alertKey };
    const messages: PlannedMessage[] = [];
    if (alertOwner.teams) {
        messages.push({ ...common, channel: 'teams', target: { kind: 'alertOwner' }, message: buildTeamsAlert(alert, context) });
    }
    if (alertOwner.email.length > 0) {
        messages.push({ ...common, channel: 'email', target: { kind: 'addresses', to: [...alertOwner.email] }, message: buildEmailAlert(alert, context) });
    }
    return messages;
}

/** The first-attempt delivery job of a planned message. */
export function toNotificationJob(planned: PlannedMessage, tenantId: string, createdAt: Date): NotificationJob {
    const subjectKeys = planned.kind === 'alert' ? [planned.alertKey ?? ''] : planned.decisionIds;
    const common = {
        version: 1 as const,
        tenantId,
        jobId: notificationJobId(tenantId, planned.kind, planned.recipientKey, planned.channel, subjectKeys),
        kind: planned.kind,
        owner: planned.owner,
        decisionIds: [...planned.decisionIds],
        attempt: 1,
        createdAt: createdAt.toISOString(),
    };
    return planned.channel === 'teams'
        ? { ...common, channel: 'teams', target: planned.target, message: planned.message }
        : { ...common, channel: 'email', target: planned.target, message: planned.message };
}
