import { z } from 'zod';

import { createServiceBusClient } from '../../shared/queue/createServiceBusClient';
import { DeadLetter, peekDeadLetters, resubmitDeadLetters } from '../../shared/queue/deadLetters';
import { parseSettings } from '../../shared/settings/parseSettings';
import { queueSettingsSchema } from '../../shared/settings/settings';
import { parseCommandArgs } from '../args';

export const deadLettersUsage = `risk-responder dead-letters [--queue NAME] [--resubmit] [--max N] [--json]
  Lists the messages Service Bus set aside in the queue's dead-letter sub-queue (default the detections queue,
  RISK_QUEUE_NAME), with their reason. Once the cause is fixed (an invalid rules file, a Graph outage),
  --resubmit puts them back on the queue; the consumer re-reads risk state, so nothing is done twice.
  Uses ServiceBusConnection (or its identity-based form) from the environment.`;

const argsSchema = z.object({
    queue: z.string().min(1).optional(),
    resubmit: z.boolean().default(false),
    max: z.coerce.number().int().min(1).max(100_000).default(1000),
    json: z.boolean().default(false),
});

export async function runDeadLetters(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            queue: { type: 'string' },
            resubmit: { type: 'boolean' },
            max: { type: 'string' },
            json: { type: 'boolean' },
        },
        argsSchema,
    );
    const settings = parseSettings(queueSettingsSchema, env);
    const queue = args.queue ?? settings.RISK_QUEUE_NAME;
    const client = createServiceBusClient(settings);
    try {
        const letters = args.resubmit
            ? await resubmitDeadLetters(client, queue, args.max, new Date())
            : await peekDeadLetters(client, queue, args.max);
        for (const letter of letters) {
            process.stdout.write(args.json ? `${JSON.stringify(letter)}\n` : `${formatLine(letter)}\n`);
        }
        process.stderr.write(`${letters.length} dead letters ${args.resubmit ? 'resubmitted to' : 'in'} ${queue}\n`);
        return 0;
    } finally {
        await client.close();
    }
}

function formatLine(letter: DeadLetter): string {
    return [
        letter.enqueuedAt ?? '-',
        letter.messageId ?? '-',
        letter.subject ?? '-',
        letter.reason ?? '-',
        letter.description ?? '',
    ].join('  ');
}
