import { z } from 'zod';

import { rulesFileSchema } from './ruleSchema';

/** Where the generated schema is committed, relative to the repository root. */
export const rulesJsonSchemaPath = 'schemas/rules.schema.json';

/** Placeholders are filled before validation, so editors must accept `${NAME}` where a format is expected. */
const placeholderString = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}' };
/** Keywords that describe rather than check: they stay on the outer schema. */
const annotationKeys = new Set(['title', 'description', 'default', 'examples', 'deprecated']);

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
        override: ({ jsonSchema, path }) => {
            const schema = jsonSchema as Record<string, unknown>;
            // Keys are never substituted, so property names keep their pattern as is.
            const isKey = path.includes('propertyNames');
            if (isKey || schema.type !== 'string' || (schema.format === undefined && schema.pattern === undefined)) {
                return;
            }
            const checked: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(schema)) {
                if (!annotationKeys.has(key)) {
                    checked[key] = value;
                    delete schema[key];
                }
            }
            schema.anyOf = [checked, placeholderString];
        },
    });
}

/**
 * The schema as the text committed in `schemas/rules.schema.json`, laid out as the repository's Prettier settings
 * would (4 spaces, lists of scalars on one line when they fit in 120 columns), so formatting leaves it unchanged.
 */
export function formatRulesJsonSchema(): string {
    return `${formatJson(createRulesJsonSchema(), '', 0, 0)}\n`;
}

const printWidth = 120;
const indentStep = '    ';

function formatJson(value: unknown, indent: string, column: number, trailing: number): string {
    const inner = indent + indentStep;
    if (Array.isArray(value)) {
        const items = value as unknown[];
        if (items.length === 0) {
            return '[]';
        }
        if (items.every((item) => typeof item !== 'object' || item === null)) {
            const flat = `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
            if (column + flat.length + trailing <= printWidth) {
                return flat;
            }
        }
        const lines = items.map(
            (item, i) => inner + formatJson(item, inner, inner.length, i < items.length - 1 ? 1 : 0),
        );
        return `[\n${lines.join(',\n')}\n${indent}]`;
    }
    if (typeof value === 'object' && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 0) {
            return '{}';
        }
        const lines = entries.map(([key, item], i) => {
            const head = `${inner}${JSON.stringify(key)}: `;
            return head + formatJson(item, inner, head.length, i < entries.length - 1 ? 1 : 0);
        });
        return `{\n${lines.join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(value);
}
