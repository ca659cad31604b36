import { z } from 'zod';

import { levelsAtOrAbove, riskLevels } from '../detection';
import { booleanSetting, parseSettings, positiveNumberSetting, SettingsSource } from './parseSettings';
import { hasStorage, storageShape } from './storageSettings';

/** True for http(s) URLs on 127.0.0.1, ::1 or localhost: the local stand-ins, reached without Azure credentials. */
export function isLoopbackUrl(url: string): boolean {
    try {
        const host = new URL(url).hostname;
        return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
    } catch {
        return false;
    }
}

const graphEndpoint = z
    .url()
    .default('https://graph.microsoft.com')
    .refine((url) => url.startsWith('https://') || isLoopbackUrl(url), 'must be https (http only on loopback)')
    .transform((url) => url.replace(/\/+$/, ''));

/** NCRONTAB with 6 fields (`{second} {minute} {hour} {day} {month} {day-of-week}`) or 5. */
const ncrontab = z
    .string()
    .refine(
        (value) => [5, 6].includes(value.trim().split(/\s+/).length),
        'must be an NCRONTAB expression with 5 or 6 fields',
    );

/** Settings every Graph caller needs. */
export const graphSettingsSchema = z.object({
    /** Entra tenant id (GUID) the app works on; part of every message id and audit record. Required. */
    TENANT_ID: z.string().min(1),
    /** Graph root, e.g. https://graph.microsoft.us for GCC High; a loopback URL selects the local simulator. */
    GRAPH_ENDPOINT: graphEndpoint,
    /** Identity-protection calls per second for this tenant, shared by all apps (Graph allows 1). Default 1. */
    GRAPH_CALLS_PER_SECOND: positiveNumberSetting(1),
    /** Attempts per Graph request on 429, 5xx, network errors and timeouts, before giving up. Default 6. */
    GRAPH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
    /** Seconds one Graph request may take before it is abandoned and retried. Default 30. */
    GRAPH_REQUEST_TIMEOUT_SECONDS: positiveNumberSetting(30),
    /** Client id of a user-assigned managed identity; empty for a system-assigned one. Optional. */
    AZURE_CLIENT_ID: z.string().min(1).optional(),
});

/** Settings of the intake (the timer function and `risk-responder poll`). */
export const intakeSettingsSchema = z.object({
    /** Lowest risk level queued: low | medium | high. Default high. */
    MIN_RISK_LEVEL: z.enum(riskLevels).default('high'),
    /** NCRONTAB schedule of pollRiskDetections, bound as %POLL_SCHEDULE%. Default every 5 minutes. */
    POLL_SCHEDULE: ncrontab.default('0 */5 * * * *'),
    /** Minutes each poll re-reads before the watermark, because Graph surfaces records late. Default 15. */
    POLL_OVERLAP_MINUTES: positiveNumberSetting(15),
    /** Hours to look back on the very first poll (no checkpoint yet). Default 24. */
    INITIAL_LOOKBACK_HOURS: positiveNumberSetting(24),
    /** Seconds a poll cycle may spend before it stops listing and keeps its progress. Default 240. */
    POLL_TIME_BUDGET_SECONDS: positiveNumberSetting(240),
});

/** Where the Service Bus queue is: a connection string, or a namespace reached by identity. */
export const queueSettingsSchema = z
    .object({
        /** Queue the poller sends to and remediateRisk listens on, bound as %RISK_QUEUE_NAME%. */
        RISK_QUEUE_NAME: z.string().min(1).default('risk-detections'),
        /** Connection string (local emulator or SAS). Secret. Use this or the namespace form. */
        ServiceBusConnection: z.string().min(1).optional(),
        /** Namespace host, e.g. contoso-risk.servicebus.windows.net, reached with the managed identity. */
        ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1).optional(),
        /** Client id of the user-assigned identity for Service Bus, as the host's binding reads it. Optional. */
        ServiceBusConnection__clientId: z.string().min(1).optional(),
    })
    .superRefine((value, ctx) => {
        if (!value.ServiceBusConnection && !value.ServiceBusConnection__fullyQualifiedNamespace) {
            ctx.addIssue({
                code: 'custom',
                path: ['ServiceBusConnection'],
                message: 'missing: set ServiceBusConnection or ServiceBusConnection__fullyQualifiedNamespace',
            });
        }
    });

/** Where the intake checkpoint lives: a blob in the Functions storage account, or a local folder. */
export const checkpointSettingsSchema = z
    .object({
        /** blob (Azure Storage, the default) or file (a local folder, for local runs). */
        CHECKPOINT_STORE: z.enum(['blob', 'file']).default('blob'),
        /** Folder of the file checkpoint store; required when CHECKPOINT_STORE=file. */
        CHECKPOINT_DIR: z.string().min(1).optional(),
        /** Blob container of the checkpoint. Default risk-responder. */
        CHECKPOINT_CONTAINER: z
            .string()
            .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'must be a valid container name')
            .default('risk-responder'),
        ...storageShape,
    })
    .superRefine((value, ctx) => {
        if (value.CHECKPOINT_STORE === 'file' && !value.CHECKPOINT_DIR) {
            ctx.addIssue({
                code: 'custom',
                path: ['CHECKPOINT_DIR'],
                message: 'missing: required when CHECKPOINT_STORE=file',
            });
        }
        if (value.CHECKPOINT_STORE === 'blob' && !hasStorage(value)) {
            ctx.addIssue({
                code: 'custom',
                path: ['AzureWebJobsStorage'],
                message: 'missing: set AzureWebJobsStorage or AzureWebJobsStorage__accountName for the blob checkpoint',
            });
        }
    });

/** Settings of the consumer (remediateRisk) beyond Graph and the queue. */
export const remediationSettingsSchema = z
    .object({
        /** Path of the rules file (YAML or JSON), relative to the app root. Default rules.yaml. */
        RULES_FILE: z.string().min(1).default('rules.yaml'),
        /** true forces dry-run whatever the rules file says (first rollout, `start --tenant`). Default false. */
        FORCE_DRY_RUN: booleanSetting(false),
        /** Most automatic confirmCompromised per rolling hour before the breaker holds the rest. Default 50. */
        BREAKER_MAX_CONFIRMATIONS_PER_HOUR: z.coerce.number().int().min(0).default(50),
        /** Most automatic dismissals per rolling hour before the breaker holds the rest. Default 200. */
        BREAKER_MAX_DISMISSALS_PER_HOUR: z.coerce.number().int().min(0).default(200),
        /** table (Azure Table Storage, the default) or file (JSON lines in a local folder). */
        AUDIT_STORE: z.enum(['table', 'file']).default('table'),
        /** Table of the audit trail. Default riskresponderaudit. */
        AUDIT_TABLE: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name')
            .default('riskresponderaudit'),
        /** Folder of the file audit store; required when AUDIT_STORE=file. */
        AUDIT_DIR: z.string().min(1).optional(),
        ...storageShape,
    })
    .superRefine((value, ctx) => {
        if (value.AUDIT_STORE === 'file' && !value.AUDIT_DIR) {
            ctx.addIssue({ code: 'custom', path: ['AUDIT_DIR'], message: 'missing: required when AUDIT_STORE=file' });
        }
        if (value.AUDIT_STORE === 'table' && !hasStorage(value)) {
            ctx.addIssue({
                code: 'custom',
                path: ['AzureWebJobsStorage'],
                message: 'missing: set AzureWebJobsStorage or AzureWebJobsStorage__accountName for the audit table',
            });
        }
    });

export type GraphSettings = z.infer<typeof graphSettingsSchema>;
export type IntakeSettings = z.infer<typeof intakeSettingsSchema>;
export type QueueSettings = z.infer<typeof queueSettingsSchema>;
export type CheckpointSettings = z.infer<typeof checkpointSettingsSchema>;
export type RemediationSettings = z.infer<typeof remediationSettingsSchema>;

/** Everything the poller function needs. */
export const pollerSettingsSchema = z.intersection(
    z.intersection(graphSettingsSchema, intakeSettingsSchema),
    z.intersection(queueSettingsSchema, checkpointSettingsSchema),
);
export type PollerSettings = z.infer<typeof pollerSettingsSchema>;

/** Everything the consumer function needs. */
export const consumerSettingsSchema = z.intersection(
    z.intersection(graphSettingsSchema, queueSettingsSchema),
    remediationSettingsSchema,
);
export type ConsumerSettings = z.infer<typeof consumerSettingsSchema>;

/** Reads and validates the consumer's settings once; throws `settings.invalid` naming every bad key. */
export function loadConsumerSettings(source: SettingsSource): ConsumerSettings {
    return parseSettings(consumerSettingsSchema, source);
}

/** Every poller setting key, for the sample file and the deployment templates to be checked against. */
export const pollerSettingKeys: readonly string[] = [
    ...Object.keys(graphSettingsSchema.shape),
    ...Object.keys(intakeSettingsSchema.shape),
    ...Object.keys(queueSettingsSchema.shape),
    ...Object.keys(checkpointSettingsSchema.shape),
];

/** Every consumer setting key. */
export const consumerSettingKeys: readonly string[] = [
    ...Object.keys(graphSettingsSchema.shape),
    ...Object.keys(queueSettingsSchema.shape),
    ...Object.keys(remediationSettingsSchema.shape),
];

/** Keys that are alternatives to others (identity-based forms, user-assigned identity, local folders). */
export const alternativeSettingKeys: readonly string[] = [
    'AZURE_CLIENT_ID',
    'ServiceBusConnection__fullyQualifiedNamespace',
    'ServiceBusConnection__clientId',
    'CHECKPOINT_DIR',
    'AzureWebJobsStorage__accountName',
    'AzureWebJobsStorage__blobServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
    'AUDIT_DIR',
];

/** Reads and validates the poller's settings once; throws `settings.invalid` naming every bad key. */
export function loadPollerSettings(source: SettingsSource): PollerSettings {
    return parseSettings(pollerSettingsSchema, source);
}

/** The risk levels intake queues, from MIN_RISK_LEVEL. */
export function queuedLevels(settings: Pick<IntakeSettings, 'MIN_RISK_LEVEL'>): string[] {
    return levelsAtOrAbove(settings.MIN_RISK_LEVEL);
}
