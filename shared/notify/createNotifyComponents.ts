import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';

import { Clock, systemClock } from '../clock';
import { GraphApi } from '../graph/graphApi';
import { ServiceBusNotificationQueue } from '../queue/serviceBusNotificationQueue';
import { NotifySettings } from '../settings/notifySettings';
import { DeliveryConfig, DeliveryDependencies, WebhookSource } from './deliverNotification';
import { DeliveryLog } from './deliveryLog';
import { deliveryLogFileIn, FileDeliveryLog } from './fileDeliveryLog';
import { createGraphMailSender } from './graphMailSender';
import { GraphManagerDirectory } from './graphManagerDirectory';
import { createMailThrottle } from './mailThrottle';
import { QueueingNotifier } from './queueingNotifier';
import { Owners } from './recipients';
import { TableDeliveryLog } from './tableDeliveryLog';
import { createTeamsWebhookPoster } from './teamsWebhookPoster';
import { WebhookPolicy } from './webhookPolicy';

/** The process's shared clients and sources the notification parts are built on. */
export interface NotifyInfrastructure {
    /** TENANT_ID. */
    tenantId: string;
    /** The process's Graph client (manager lookups, sendMail). */
    graph: GraphApi;
    /** The process's Service Bus client; a sender to NOTIFY_QUEUE_NAME is created on it. */
    serviceBusClient: ServiceBusClient;
    /** The owners of the rules file (read on use, so webhook URLs are never kept on the queue). */
    owners: () => Promise<Owners>;
    clock?: Clock;
    random?: () => number;
}

/** Everything notification needs, built once per process from settings. */
export interface NotifyComponents {
    /** The consumer's Notifier: pass it as `RemediationDependencies.notifier`. */
    notifier: QueueingNotifier;
    /**
     * The dependencies of `deliverNotification` (the deliverNotifications function), calling Graph through `graph`
     * (default: the infrastructure's; pass `graph.withLogger(context)` to log its retries per invocation). Every
     * call shares the one sender, delivery log and mail throttle.
     */
    deliveryWith(graph?: GraphApi): DeliveryDependencies;
    deliveryConfig: DeliveryConfig;
    log: DeliveryLog;
}

/** Builds the notifier and the delivery dependencies over one sender, one delivery log and one mail throttle. */
export function createNotifyComponents(settings: NotifySettings, infra: NotifyInfrastructure): NotifyComponents {
    const clock = infra.clock ?? systemClock;
    const queue = new ServiceBusNotificationQueue(infra.serviceBusClient.createSender(settings.NOTIFY_QUEUE_NAME));
    const log = createDeliveryLog(settings, infra.tenantId);
    const managers = new GraphManagerDirectory(infra.graph);
    const notifier = new QueueingNotifier(
        { queue, owners: infra.owners, managers, log, clock },
        {
            portalUrl: settings.ENTRA_PORTAL_URL,
            emailEnabled: settings.MAIL_SENDER !== undefined,
            alertOwner: { teams: settings.ALERT_TEAMS_WEBHOOK !== undefined, email: settings.ALERT_EMAIL ?? [] },
        },
    );
    const throttle = createMailThrottle({ messagesPerMinute: settings.NOTIFY_MAILS_PER_MINUTE, clock });
    const postToTeams = createTeamsWebhookPoster({ policy: webhookPolicyOf(settings), timeoutMs: settings.WEBHOOK_TIMEOUT_SECONDS * 1000, clock });
    const webhooks = createWebhookSource(infra.owners, settings.ALERT_TEAMS_WEBHOOK);
    const sender = settings.MAIL_SENDER;
    const deliveryWith = (graph: GraphApi = infra.graph): DeliveryDependencies => ({
        log,
        queue,
        postToTeams,
        sendMail: sender === undefined ? undefined : createGraphMailSender(graph, sender, throttle),
        webhooks,
        managers: new GraphManagerDirectory(graph),
        alerts: notifier,
        clock,
        random: infra.random ?? Math.random,
    });
    return { notifier, deliveryWith, deliveryConfig: deliveryConfigOf(settings, infra.tenantId), log };
}

/** The allow list from WEBHOOK_ALLOWED_HOSTS and ALLOW_LOOPBACK_WEBHOOKS. */
export function webhookPolicyOf(settings: Pick<NotifySettings, 'WEBHOOK_ALLOWED_HOSTS' | 'ALLOW_LOOPBACK_WEBHOOKS'>): WebhookPolicy {
    return { allowedHosts: settings.WEBHOOK_ALLOWED_HOSTS, allowLoopback: settings.ALLOW_LOOPBACK_WEBHOOKS };
}

/** The retry policy from NOTIFY_MAX_ATTEMPTS and NOTIFY_RETRY_*_SECONDS. */
export function deliveryConfigOf(settings: NotifySettings, tenantId: string): DeliveryConfig {
    return {
        tenantId,
        maxAttempts: settings.NOTIFY_MAX_ATTEMPTS,
        retry: { baseMs: settings.NOTIFY_RETRY_BASE_SECONDS * 1000, maxMs: settings.NOTIFY_RETRY_MAX_SECONDS * 1000 },
    };
}

/** Teams targets to URLs: an owner's `teams` from the rules file (read now), or ALERT_TEAMS_WEBHOOK. */
export function createWebhookSource(owners: () => Promise<Owners>, alertWebhook: string | undefined): WebhookSource {
    return async (target) => {
        if (target.kind === 'alertOwner') {
            return alertWebhook;
        }
        const all = await owners();
        return Object.prototype.hasOwnProperty.call(all, target.owner) ? all[target.owner]?.teams : undefined;
    };
}

/** The delivery log the settings select: Azure Table Storage (default) or JSON lines in a local folder. */
export function createDeliveryLog(settings: NotifySettings, tenantId: string): DeliveryLog {
    if (settings.DELIVERY_LOG_STORE === 'file') {
        return new FileDeliveryLog(deliveryLogFileIn(settings.DELIVERY_LOG_DIR ?? '.state'));
    }
    const connection = settings.AzureWebJobsStorage;
    if (connection) {
        // Azurite speaks plain http on loopback; the SDK refuses that unless told it is intended.
        const allowInsecureConnection = /UseDevelopmentStorage=true|http:\/\/127\.0\.0\.1/i.test(connection);
        return new TableDeliveryLog(TableClient.fromConnectionString(connection, settings.DELIVERY_LOG_TABLE, { allowInsecureConnection }), tenantId);
    }
    const url = settings.AzureWebJobsStorage__tableServiceUri ?? `https://${settings.AzureWebJobsStorage__accountName}.table.core.windows.net`;
    return new TableDeliveryLog(new TableClient(url, settings.DELIVERY_LOG_TABLE, new DefaultAzureCredential()), tenantId);
}
