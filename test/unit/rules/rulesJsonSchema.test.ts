import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { writeRulesJsonSchema } from '../../../shared/rules/loadRules';
import { createRulesJsonSchema, rulesJsonSchemaPath } from '../../../shared/rules/rulesJsonSchema';

const committedPath = join(__dirname, '..', '..', '..', rulesJsonSchemaPath);
const regenerate = `UPDATE_RULES_SCHEMA=1 npx jest test/unit/rules/rulesJsonSchema.test.ts (or risk-responder rules-schema, once wired)`;

describe('the published JSON Schema of the rules file', () => {
    it(`is in sync with the zod schema (${rulesJsonSchemaPath})`, async () => {
        if (process.env.UPDATE_RULES_SCHEMA === '1') {
            await writeRulesJsonSchema(committedPath);
        }
        const committed: unknown = JSON.parse(readFileSync(committedPath, 'utf8'));

        if (!isDeepStrictEqual(committed, createRulesJsonSchema())) {
            throw new Error(
                `${rulesJsonSchemaPath} differs from the zod schema in shared/rules/ruleSchema.ts. Regenerate it: ${regenerate}`,
            );
        }
    });

    it('tells editors the shape: strict objects, the actions, and the matchers shared by when and unless', () => {
        const schema = createRulesJsonSchema() as {
            additionalProperties: boolean;
            required: string[];
            $defs: {
                Matchers: { properties: Record<string, unknown>; additionalProperties: boolean };
                Rule: { properties: Record<string, { $ref?: string }> };
            };
        };

        expect(schema.additionalProperties).toBe(false);
        expect(schema.required).toEqual(['version', 'rules']);
        expect(Object.keys(schema.$defs.Matchers.properties)).toEqual([
            'riskEventType',
            'riskLevel',
            'detectionTimingType',
            'activity',
            'source',
            'ipAddress',
            'country',
            'userPrincipalName',
            'memberOfGroup',
        ]);
        expect(schema.$defs.Rule.properties.unless?.$ref).toBe('#/$defs/Matchers');
    });

    it('accepts a ${NAME} placeholder wherever a format is checked, since settings are filled in before validation', () => {
        const text = JSON.stringify(createRulesJsonSchema());

        expect(text).toContain('"pattern":"\\\\$\\\\{[A-Za-z_][A-Za-z0-9_]*\\\\}"');
    });
});
