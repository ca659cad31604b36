import { z } from 'zod';

import { AppError } from '../errors';

/** Environment-like input: app settings as the Functions host hands them to the worker. */
export type SettingsSource = Record<string, string | undefined>;

/**
 * Parses app settings with a schema and throws one `settings.invalid` error that names every missing or bad
 * key and what is wrong with it, never the value (values may be secrets).
 */
export function parseSettings<S extends z.ZodType>(schema: S, source: SettingsSource): z.infer<S> {
    const parsed = schema.safeParse(source);
    if (parsed.success) {
        return parsed.data;
    }
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
        const key = issue.path.join('.') || '(settings)';
        if (!problems.has(key)) {
            problems.set(key, describeIssue(issue));
        }
    }
    const list = [...problems].map(([key, problem]) => `${key} (${problem})`).join(', ');
    throw new AppError('settings.invalid', `Invalid or missing app settings: ${list}`, false);
}

function describeIssue(issue: z.core.$ZodIssue): string {
    if (issue.code === 'invalid_type' && issue.input === undefined) {
        return 'missing';
    }
    // zod messages describe the expectation ("Invalid URL", "Too small: expected number to be >0"), not the input.
    return issue.message;
}

/** `'true' | 'false'` app setting to a boolean; `z.coerce.boolean()` would read "false" as true. */
export function booleanSetting(defaultValue: boolean) {
    return z
        .enum(['true', 'false'])
        .default(defaultValue ? 'true' : 'false')
        .transform((value) => value === 'true');
}

/** A positive number app setting, from its string form. */
export function positiveNumberSetting(defaultValue: number) {
    return z.coerce.number().positive().default(defaultValue);
}
