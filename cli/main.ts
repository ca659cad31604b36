import { ensureError, hasErrorCode } from '../shared/errors';
import { auditUsage, runAudit } from './commands/audit';
import { deadLettersUsage, runDeadLetters } from './commands/deadLetters';
import { evaluateUsage, runEvaluate } from './commands/evaluate';
import { grantPermissionsUsage, runGrantPermissions } from './commands/grantPermissions';
import { outboxUsage, runOutbox } from './commands/outbox';
import { pollUsage, runPoll } from './commands/poll';
import { previewUsage, runPreview } from './commands/preview';
import { rulesSchemaUsage, runRulesSchema } from './commands/rulesSchema';
import { runStart, startUsage } from './commands/start';
import { runSimulator, simulatorUsage } from './commands/simulator';
import { runUser, userUsage } from './commands/user';
import { runValidateRules, validateRulesUsage } from './commands/validateRules';
import { UsageError } from './usageError';

type Command = { usage: string; run: (argv: readonly string[], env: NodeJS.ProcessEnv) => Promise<number> };

const commands: Record<string, Command> = {
    start: { usage: startUsage, run: runStart },
    poll: { usage: pollUsage, run: runPoll },
    'validate-rules': { usage: validateRulesUsage, run: runValidateRules },
    evaluate: { usage: evaluateUsage, run: runEvaluate },
    preview: { usage: previewUsage, run: (argv, env) => runPreview(argv, env) },
    outbox: { usage: outboxUsage, run: (argv, env) => runOutbox(argv, env) },
    audit: { usage: auditUsage, run: runAudit },
    user: { usage: userUsage, run: runUser },
    simulator: { usage: simulatorUsage, run: runSimulator },
    'rules-schema': { usage: rulesSchemaUsage, run: runRulesSchema },
    'dead-letters': { usage: deadLettersUsage, run: runDeadLetters },
    'grant-permissions': { usage: grantPermissionsUsage, run: (argv, env) => runGrantPermissions(argv, env) },
};

function usage(): string {
    return ['Usage:', ...Object.values(commands).map((command) => `  ${command.usage.split('\n').join('\n  ')}`)].join(
        '\n',
    );
}

/** Runs one command; exit 0 on success, 2 on bad input (arguments, settings, rules), 1 on failure. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        process.stdout.write(`${usage()}\n`);
        return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (!command) {
        process.stderr.write(`error: unknown command "${name}"\n${usage()}\n`);
        return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${command.usage}\n`);
        return 0;
    }
    try {
        return await command.run(rest, env);
    } catch (thrown) {
        const error = ensureError(thrown);
        process.stderr.write(`error: ${error.message}\n`);
        if (error instanceof UsageError) {
            process.stderr.write(`usage: ${command.usage.split('\n')[0]}\n`);
            return 2;
        }
        return hasErrorCode(error, 'settings.invalid') ||
            hasErrorCode(error, 'args.invalid') ||
            hasErrorCode(error, 'rules.invalid')
            ? 2
            : 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
