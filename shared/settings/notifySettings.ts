import { z } from 'zod';

import { booleanSetting, parseSettings, positiveNumberSetting, SettingsSource } from './parseSettings';
import { hasStorage, storageShape } from './storageSettings';
import { isLoopbackUrl } from './settings';

/**
 * App settings of owner notifications (issue 4): the consumer's notifier that queues delivery jobs and the
 * `deliverNotifications` function that sends them. Values of the secret keys (webhook URLs, connection strings)
 * never appear in errors: `parseSettings` names keys, not values.
 */

/** The Power Platform and Logic Apps hosts Teams Workflows webhooks live on (reference section 13.2). */
export const defaultWebhookAllowedHosts = ['.environment.api.powerplatform.com', '.logic.azure.com'] as const;

const emailAddress = z.email({ error: 'must be an email address' });

/** Comma-separated list of email addresses to an array; empty entries are ignored. */
const emailList = z
    .string()
    .transform((text) =>
        text
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry !== ''),
    )
    .pipe(z.array(emailAddress).min(1, { error: 'must list at least one email address' }));

/** A host suffix (`.logic.azure.com`) or an exact host name (`hooks.contoso.example`), lower case. */
const hostEntry = z.string().regex(/^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/, {
    error: 'each entry must be a host name or a host suffix starting with "." (no scheme, port or path)',
});

const hostList = z
    .string()
    .transform((text) =>
        text
            .split(',')
            .map((entry) => entry.trim().toLowerCase())
            .filter((entry) => entry !== ''),
    )
    .pipe(z.array(hostEntry).min(1, { error: 'must list at least one host' }));

/**
 * A webhook URL: https, or http on loopback for the local webhook sink (which the poster still refuses unless
 * ALLOW_LOOPBACK_WEBHOOKS=true). Checked without echoing it: it is a secret.
 */
const secretWebhookUrl = z.string().refine(
    (text) => {
        try {
            const url = new URL(text);
            return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(text));
        } catch {
            return false;
        }
    },
    { error: 'must be an https URL (http only on loopback)' },
);

const portalUrl = z
    .url({ protocol: /^https$/, error: 'must be an https URL' })
    .default('https://entra.microsoft.com')
    .transform((url) => url.replace(/\/+$/, ''));

/** The notification settings; see each key. */
export const notifySettingsSchema = z
    .object({
        /** Mailbox (UPN or id) mail is sent from via Graph sendMail; Mail.Send scoped to it. Optional: without it there is no email channel. */
        MAIL_SENDER: z.string().min(1).optional(),
        /** Teams Workflows webhook of the default alert owner. Secret. Optional. */
        ALERT_TEAMS_WEBHOOK: secretWebhookUrl.optional(),
        /** Comma-separated email addresses of the default alert owner (needs MAIL_SENDER). Optional. */
        ALERT_EMAIL: emailList.optional(),
        /** Queue of delivery jobs, bound by deliverNotifications as %NOTIFY_QUEUE_NAME%. Default risk-notifications. */
        NOTIFY_QUEUE_NAME: z.string().min(1).default('risk-notifications'),
        /** Comma-separated hosts webhooks may be on: `.suffix` matches sub-domains, a bare name matches itself. Default the Power Platform and Logic Apps hosts. */
        WEBHOOK_ALLOWED_HOSTS: hostList.default([...defaultWebhookAllowedHosts]),
        /** true lets webhooks on http://127.0.0.1 or http://localhost be called: local runs with the webhook sink only. Default false. */
        ALLOW_LOOPBACK_WEBHOOKS: booleanSetting(false),
        /** Delivery attempts per message and channel before it is recorded as dead-lettered and alerted. Default 8. */
        NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
        /** Seconds before the first retry of a failed delivery; doubles per attempt, with jitter. Default 30. */
        NOTIFY_RETRY_BASE_SECONDS: positiveNumberSetting(30),
        /** Longest wait between two delivery attempts, in seconds. Default 3600. */
        NOTIFY_RETRY_MAX_SECONDS: positiveNumberSetting(3600),
        /** Mails per minute sent from MAIL_SENDER by one process (Exchange allows about 30, reference 6.4). Default 30. */
        NOTIFY_MAILS_PER_MINUTE: positiveNumberSetting(30),
        /** Seconds one webhook post may take before it counts as a transient failure. Default 30. */
        WEBHOOK_TIMEOUT_SECONDS: positiveNumberSetting(30),
        /** Entra admin center root for links in messages, e.g. https://entra.microsoft.us. Default https://entra.microsoft.com. */
        ENTRA_PORTAL_URL: portalUrl,
        /** table (Azure Table Storage, the default) or file (JSON lines in a local folder) for the delivery log. */
        DELIVERY_LOG_STORE: z.enum(['table', 'file']).default('table'),
        /** Table of the delivery log. Default riskrespondernotify. */
        DELIVERY_LOG_TABLE: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
            .default('riskrespondernotify'),
        /** Folder of the file delivery log; required when DELIVERY_LOG_STORE=file. */
        DELIVERY_LOG_DIR: z.string().min(1).optional(),
        ...storageShape,
    })
    .superRefine((value, ctx) => {
        if (value.DELIVERY_LOG_STORE === 'file' && !value.DELIVERY_LOG_DIR) {
            ctx.addIssue({
                code: 'custom',
                path: ['DELIVERY_LOG_DIR'],
                message: 'missing: required when DELIVERY_LOG_STORE=file',
            });
        }
        if (value.DELIVERY_LOG_STORE === 'table' && !hasStorage(value)) {
            ctx.addIssue({
                code: 'custom',
                path: ['AzureWebJobsStorage'],
                message:
                    'missing: set AzureWebJobsStorage or AzureWebJobsStorage__accountName for the delivery log table',
            });
        }
        if (value.ALERT_EMAIL !== undefined && value.MAIL_SENDER === undefined) {
            ctx.addIssue({
                code: 'custom',
                path: ['MAIL_SENDER'],
                message: 'missing: required when ALERT_EMAIL is set',
            });
        }
        if (value.NOTIFY_RETRY_MAX_SECONDS < value.NOTIFY_RETRY_BASE_SECONDS) {
            ctx.addIssue({
                code: 'custom',
                path: ['NOTIFY_RETRY_MAX_SECONDS'],
                message: 'must be at least NOTIFY_RETRY_BASE_SECONDS',
            });
        }
    });

/** The parsed notification settings, defaults applied. */
export type NotifySettings = z.infer<typeof notifySettingsSchema>;

/** Reads and validates the notification settings once; throws `settings.invalid` naming every bad key, never a value. */
export function loadNotifySettings(source: SettingsSource): NotifySettings {
    return parseSettings(notifySettingsSchema, source);
}

/** Every notification setting key, for the sample file and the deployment templates to be checked against. */
export const notifySettingKeys: readonly string[] = Object.keys(notifySettingsSchema.shape);

/** Keys that are optional or alternatives to others, so a sample file may leave them out. */
export const optionalNotifySettingKeys: readonly string[] = [
    'MAIL_SENDER',
    'ALERT_TEAMS_WEBHOOK',
    'ALERT_EMAIL',
    'DELIVERY_LOG_DIR',
    'AzureWebJobsStorage__accountName',
    'AzureWebJobsStorage__blobServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
];
