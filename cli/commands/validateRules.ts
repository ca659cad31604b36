import { basename } from 'node:path';

import { z } from 'zod';

import { loadRulesFile } from '../../shared/rules/loadRules';
import { RulesFile } from '../../shared/rules/ruleSchema';
import { parseCommandArgs } from '../args';

export const validateRulesUsage = `risk-responder validate-rules FILE [--json]
  Checks a rules file (YAML or JSON) against the schema, with \${NAME} placeholders taken from the environment.
  Exit 0 with a one-line summary, or exit 2 listing every problem (path in the document and what is wrong).`;

const argsSchema = z.object({
    json: z.boolean().default(false),
    positionals: z.tuple([z.string().min(1, 'the rules file is required')], { error: 'takes exactly one rules file' }),
});

export async function runValidateRules(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(argv, { json: { type: 'boolean' } }, argsSchema, true);
    const [file] = args.positionals;
    const rules = await loadRulesFile(file, env);
    const summary = summarise(rules);
    process.stdout.write(
        args.json
            ? `${JSON.stringify({ file, valid: true, ...summary })}\n`
            : `${basename(file)}: valid; ${describe(summary)}\n`,
    );
    return 0;
}

function summarise(rules: RulesFile) {
    const count = (action: string) => rules.rules.filter((rule) => rule.then.action === action).length;
    return {
        mode: rules.mode,
        rules: rules.rules.length,
        confirmRules: count('confirmCompromised'),
        dismissRules: count('dismiss'),
        noneRules: count('none'),
        excludedUsers: rules.exclusions.users.length,
        excludedGroups: rules.exclusions.groups.length,
        owners: Object.keys(rules.owners).length,
    };
}

function describe(summary: ReturnType<typeof summarise>): string {
    return (
        `mode ${summary.mode}, ${summary.rules} rules (${summary.confirmRules} confirm, ${summary.dismissRules} dismiss, ` +
        `${summary.noneRules} none), ${summary.excludedUsers} excluded users, ${summary.excludedGroups} excluded groups, ` +
        `${summary.owners} owners`
    );
}
