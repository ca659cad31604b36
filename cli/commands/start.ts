import { z } from 'zod';

import { startLocalStack } from '../../dev/local/localStack';
import { parseCommandArgs } from '../args';
import { UsageError } from '../usageError';

export const startUsage = `risk-responder start [--for DURATION] [--tenant] [--enforce] [--state-dir DIR] [--seed S] [--users N] [--detections N] [--services-only]
  Runs the whole system locally: Azurite, the Service Bus emulator, the Graph simulator with a synthetic tenant
  (detections arriving over time, a burst included), the webhook sink, and both functions on the local Functions
  host, with a live log and a status page on loopback. Ctrl-C stops every part; --for 60s stops by itself and
  ends with a summary line. --tenant uses real Graph with your Azure credentials in dry-run (--enforce acts, and
  needs your own RULES_FILE); everything else stays local. State lives in --state-dir (default .state/local).
  --services-only starts everything but the functions, for \`func start\` with the local.settings.json it writes.`;

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const argsSchema = z.object({
    for: z
        .string()
        .regex(durationPattern, 'expected a duration such as 60s, 5m or 1h')
        .transform((text) => {
            const [, amount, unit] = durationPattern.exec(text)!;
            return Number(amount) * unitMs[unit ?? 's']!;
        })
        .optional(),
    tenant: z.boolean().default(false),
    enforce: z.boolean().default(false),
    'state-dir': z.string().min(1).default('.state/local'),
    seed: z.string().min(1).default('contoso'),
    users: z.coerce.number().int().min(5).max(100_000).default(200),
    detections: z.coerce.number().int().min(0).max(100_000).default(120),
    'services-only': z.boolean().default(false),
});

function write(line: string): void {
    process.stdout.write(`${line}\n`);
}

export async function runStart(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            for: { type: 'string' },
            tenant: { type: 'boolean' },
            enforce: { type: 'boolean' },
            'state-dir': { type: 'string' },
            seed: { type: 'string' },
            users: { type: 'string' },
            detections: { type: 'string' },
            'services-only': { type: 'boolean' },
        },
        argsSchema,
    );
    if (args.enforce && !args.tenant) {
        throw new UsageError('--enforce goes with --tenant (against the simulator the local rules already enforce)');
    }
    if (args.tenant && args.enforce && !env.RULES_FILE) {
        throw new UsageError('--tenant --enforce acts on real users: set RULES_FILE to your reviewed rules file');
    }

    write(
        `risk-responder start: state in ${args['state-dir']}${args.tenant ? `, real tenant (${args.enforce ? 'enforce' : 'dry-run'})` : ''}`,
    );
    const stack = await startLocalStack({
        stateDir: args['state-dir'],
        seed: args.seed,
        users: args.users,
        detections: args.detections,
        servicesOnly: args['services-only'],
        ...(args.tenant ? { realTenant: { enforce: args.enforce, env } } : {}),
        print: write,
    });
    for (const line of stack.describe()) {
        write(`  ${line}`);
    }
    write(
        args.for === undefined
            ? 'Running; Ctrl-C stops every part.'
            : `Running for ${Math.round(args.for / 1000)} s (Ctrl-C stops earlier).`,
    );

    // The first Ctrl-C stops cleanly; a second one while stopping exits at once.
    let interrupts = 0;
    let wake: () => void = () => undefined;
    const onSignal = () => {
        interrupts++;
        if (interrupts > 1) {
            write('stopping now, without waiting');
            process.exit(130);
        }
        wake();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        await new Promise<void>((resolve) => {
            const timer = args.for === undefined ? undefined : setTimeout(resolve, args.for);
            wake = () => {
                clearTimeout(timer);
                resolve();
            };
        });
        write('stopping: hosts first (a running batch finishes or goes back to the queue), then the local services');
        await stack.stop();
    } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    }
    write(stack.monitor.summaryLine());
    return 0;
}
