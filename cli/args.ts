import { parseArgs, ParseArgsConfig } from 'node:util';

import { z } from 'zod';

import { UsageError } from './usageError';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses argv with node's parseArgs, then validates the values with a zod schema; any problem is a UsageError
 * naming the flag and what is wrong.
 */
export function parseCommandArgs<S extends z.ZodType>(
    argv: readonly string[],
    options: Options,
    schema: S,
    allowPositionals = false,
): z.infer<S> {
    let parsed: ReturnType<typeof parseArgs>;
    try {
        parsed = parseArgs({ args: [...argv], options, allowPositionals, strict: true });
    } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const result = schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
    if (!result.success) {
        const problems = result.error.issues.map((issue) => {
            const key = issue.path.join('.');
            const flag = key === 'positionals' || key.startsWith('positionals.') ? 'argument' : `--${key}`;
            return `${flag}: ${issue.message}`;
        });
        throw new UsageError(problems.join('; '));
    }
    return result.data;
}

/** An ISO-8601 instant from the command line. */
export const isoInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
