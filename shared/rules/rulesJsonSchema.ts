import { z } from 'zod';

import { rulesFileSchema } from './ruleSchema';

/** Where the generated schema is committed, relative to the repository root. */
export const rulesJsonSchemaPath = 'schemas/rules.schema.json';

/** Placeholders are filled before validation, so editors must accept `${NAME}` where a format is expected. */
const placeholderString = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}' };

/**
 * The JSON Schema (draft 2020-12) of the rules file as written, generated from the zod schema, so editors
 * validate rules files (`# yaml-language-server: $schema=...` in YAML, `"$schema"` in JSON).
 *
 * It describes the input: defaults are shown, not required. Checks JSON Schema cannot express (valid CIDR, unique
 * rule ids, notify names that exist...) are only made by the loader. A string with a format or pattern also
 * accepts a `${NAME}` placeholder, since the loader substitutes app settings before it validates.
 */
export function createRulesJsonSchema(): Record<string, unknown> {
    return z.toJSONSchema(rulesFileSchema, {
        target: 'draft-2020-12',
        io: 'input',
        override: ({ jsonSchema }) => {
            const schema = jsonSchema as Record<string, unknown>;
            if (schema.type === 'string' && (schema.format !== undefined || schema.pattern !== undefined)) {
                const original = { ...schema };
                for (const key of Object.keys(schema)) {
                    delete schema[key];
                }
                schema.anyOf = [original, placeholderString];
            }
        },
    }) as Record<string, unknown>;
}

/** The schema as the text committed in `schemas/rules.schema.json`. */
export function formatRulesJsonSchema(): string {
    return `${JSON.stringify(createRulesJsonSchema(), null, 4)}\n`;
}
