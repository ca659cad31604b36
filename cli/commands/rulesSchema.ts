import { z } from 'zod';

import { writeRulesJsonSchema } from '../../shared/rules/loadRules';
import { rulesJsonSchemaPath } from '../../shared/rules/rulesJsonSchema';
import { parseCommandArgs } from '../args';

export const rulesSchemaUsage = `risk-responder rules-schema [--out FILE]
  Writes the JSON Schema of rules files, generated from the validation schema (default ${rulesJsonSchemaPath}),
  so editors can validate rules files ("$schema" or the YAML language server).`;

const argsSchema = z.object({ out: z.string().min(1).default(rulesJsonSchemaPath) });

export async function runRulesSchema(argv: readonly string[]): Promise<number> {
    const args = parseCommandArgs(argv, { out: { type: 'string' } }, argsSchema);
    await writeRulesJsonSchema(args.out);
    process.stdout.write(`wrote ${args.out}\n`);
    return 0;
}
