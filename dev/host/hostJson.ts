import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import type { AppSettings } from './bindingExpressions';

/**
 * The parts of host.json the local host honours, with the Functions host's defaults (Service Bus extension 5.x,
 * reference section 2.2). Values may be overridden by app settings named `AzureFunctionsJobHost__path__to__key`,
 * as on Azure (e.g. `AzureFunctionsJobHost__functions__0=remediateRisk` runs only that function).
 */

/** .NET TimeSpan text (`[-][d.]hh:mm:ss[.fffffff]`) to milliseconds; negative means "infinite" where allowed. */
export function parseTimeSpan(text: string): number {
    const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
    if (!match) {
        throw new Error(`"${text}" is not a TimeSpan (hh:mm:ss)`);
    }
    const [, minus, days, hours, minutes, seconds, fraction] = match;
    const ms =
        Number(days ?? 0) * 86_400_000 +
        Number(hours) * 3_600_000 +
        Number(minutes) * 60_000 +
        Number(seconds) * 1000 +
        Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
    return minus ? -ms : ms;
}

const timeSpan = z.string().transform((text, ctx) => {
    try {
        return parseTimeSpan(text);
    } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
    }
});
const count = z.coerce.number().int().min(0);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

const serviceBusSchema = z.object({
    prefetchCount: count.default(0),
    autoCompleteMessages: flag.default(true),
    maxMessageBatchSize: count.min(1).default(1000),
    minMessageBatchSize: count.min(1).default(1),
    maxBatchWaitTime: timeSpan.default(30_000),
    maxAutoLockRenewalDuration: timeSpan.default(300_000),
    maxConcurrentCalls: count.min(1).optional(),
    clientRetryOptions: z
        .object({
            mode: z.enum(['exponential', 'fixed', 'Exponential', 'Fixed']).default('exponential'),
            tryTimeout: timeSpan.default(60_000),
            delay: timeSpan.default(800),
            maxDelay: timeSpan.default(60_000),
            maxRetries: count.default(3),
        })
        .prefault({}),
});

export const hostJsonSchema = z.object({
    version: z.literal('2.0'),
    /** Longest one invocation may run. Default 5 minutes (Consumption); -1 or absent timeouts are not infinite here. */
    functionTimeout: timeSpan.default(300_000),
    /** Only these functions run (the host's `functions` list); all when absent. */
    functions: z.array(z.string().min(1)).optional(),
    extensions: z
        .object({
            serviceBus: serviceBusSchema.prefault({}),
        })
        .prefault({}),
});

export type HostJson = z.infer<typeof hostJsonSchema>;
export type ServiceBusHostOptions = HostJson['extensions']['serviceBus'];

const overridePrefix = 'AzureFunctionsJobHost__';

/**
 * Reads `<appRoot>/host.json`, applies `AzureFunctionsJobHost__…` overrides from the settings, and validates the
 * result. Errors name the file and the key.
 */
export async function readHostJson(appRoot: string, settings: AppSettings): Promise<HostJson> {
    const file = join(appRoot, 'host.json');
    let raw: unknown;
    try {
        raw = JSON.parse(await readFile(file, 'utf8')) as unknown;
    } catch (error) {
        throw new Error(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
        });
    }
    const merged = applyOverrides(raw, settings);
    const parsed = hostJsonSchema.safeParse(merged);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
        throw new Error(`${file} is not valid for the local host: ${problems.join('; ')}`);
    }
    return parsed.data;
}

/** Applies `AzureFunctionsJobHost__a__b=value` settings onto a copy of host.json; keys match case-insensitively. */
export function applyOverrides(hostJson: unknown, settings: AppSettings): unknown {
    const root: Record<string, unknown> = isRecord(hostJson) ? structuredClone(hostJson) : {};
    const entries = Object.entries(settings)
        .filter((entry): entry is [string, string] => entry[0].startsWith(overridePrefix) && entry[1] !== undefined)
        .sort(([a], [b]) => a.localeCompare(b));
    for (const [key, value] of entries) {
        const path = key.slice(overridePrefix.length).split('__');
        let node: Record<string, unknown> | unknown[] = root;
        path.forEach((segment, index) => {
            const last = index === path.length - 1;
            const nextIsIndex = !last && /^\d+$/.test(path[index + 1] ?? '');
            if (Array.isArray(node)) {
                const position = Number(segment);
                if (last) {
                    node[position] = value;
                } else {
                    node[position] ??= nextIsIndex ? [] : {};
                    node = node[position] as Record<string, unknown> | unknown[];
                }
                return;
            }
            const record: Record<string, unknown> = node;
            const existing = Object.keys(record).find((candidate) => candidate.toLowerCase() === segment.toLowerCase());
            const name = existing ?? segment;
            if (last) {
                record[name] = value;
            } else {
                if (!isRecord(record[name]) && !Array.isArray(record[name])) {
                    record[name] = nextIsIndex ? [] : {};
                }
                node = record[name] as Record<string, unknown> | unknown[];
            }
        });
    }
    return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
