import { z } from 'zod';

import { systemClock } from '../../shared/clock';
import { discoverTenantId } from '../../shared/graph/directory';
import { createGraphFromSettings } from '../../shared/graph/createGraphFromSettings';
import { FileCheckpointStore } from '../../shared/intake/fileCheckpointStore';
import { createGraphRiskDetectionSource } from '../../shared/intake/graphRiskDetectionSource';
import { pollConfigFromSettings } from '../../shared/intake/pollConfig';
import { pollOnce, PollResult } from '../../shared/intake/pollOnce';
import { Logger } from '../../shared/logger';
import { DetectionQueue } from '../../shared/queue/detectionQueue';
import { createServiceBusClient } from '../../shared/queue/createServiceBusClient';
import { ServiceBusDetectionQueue } from '../../shared/queue/serviceBusDetectionQueue';
import { parseSettings } from '../../shared/settings/parseSettings';
import { graphSettingsSchema, intakeSettingsSchema, queueSettingsSchema } from '../../shared/settings/settings';
import { isoInstant, parseCommandArgs } from '../args';
import { createStderrLogger } from '../stderrLogger';

export const pollUsage = `risk-responder poll --once [--print] [--json] [--state-dir DIR] [--graph-endpoint URL] [--since ISO-8601] [--verbose]
  Runs one intake cycle with the production code. --print writes each message as a JSON line on stdout instead
  of sending it to Service Bus (the checkpoint advances as if sent). Settings come from the environment
  (see the README); flags override them.`;

const argsSchema = z.object({
    once: z.literal(true, 'is required: poll runs one cycle and exits'),
    print: z.boolean().default(false),
    json: z.boolean().default(false),
    verbose: z.boolean().default(false),
    'state-dir': z.string().min(1).default('.state'),
    'graph-endpoint': z.string().min(1).optional(),
    since: isoInstant.optional(),
});

const cliSettingsSchema = z.intersection(
    graphSettingsSchema.extend({ TENANT_ID: z.string().min(1).optional() }),
    intakeSettingsSchema,
);

export async function runPoll(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            once: { type: 'boolean' },
            print: { type: 'boolean' },
            json: { type: 'boolean' },
            verbose: { type: 'boolean' },
            'state-dir': { type: 'string' },
            'graph-endpoint': { type: 'string' },
            since: { type: 'string' },
        },
        argsSchema,
    );
    const logger = createStderrLogger(args.verbose);
    const settings = parseSettings(cliSettingsSchema, {
        ...env,
        ...(args['graph-endpoint'] ? { GRAPH_ENDPOINT: args['graph-endpoint'] } : {}),
    });
    const graph = createGraphFromSettings({ ...settings, TENANT_ID: settings.TENANT_ID ?? '' }, logger);
    const tenantId = settings.TENANT_ID ?? (await discoverTenantId(graph));
    const closers: Array<() => Promise<void>> = [];
    const queue = args.print ? printingQueue() : sendingQueue(env, closers);
    try {
        const result = await pollOnce(
            {
                source: createGraphRiskDetectionSource(graph),
                queue,
                checkpoints: new FileCheckpointStore(args['state-dir'], tenantId),
                clock: systemClock,
            },
            pollConfigFromSettings({ ...settings, TENANT_ID: tenantId }, args.since),
            logger,
        );
        report(result, args, logger);
        return 0;
    } finally {
        for (const close of closers) {
            await close();
        }
    }
}

/** `--print`: every message as one JSON line on stdout, accepted as if Service Bus took it. */
function printingQueue(): DetectionQueue {
    return {
        async send(messages, onAccepted) {
            for (const message of messages) {
                process.stdout.write(`${JSON.stringify({ messageId: message.messageId, body: message.body })}\n`);
            }
            await onAccepted(messages);
        },
    };
}

function sendingQueue(env: NodeJS.ProcessEnv, closers: Array<() => Promise<void>>): DetectionQueue {
    const settings = parseSettings(queueSettingsSchema, env);
    const client = createServiceBusClient(settings);
    closers.push(() => client.close());
    return new ServiceBusDetectionQueue(client.createSender(settings.RISK_QUEUE_NAME));
}

function report(result: PollResult, args: { print: boolean; json: boolean }, logger: Logger): void {
    const summary = {
        listed: result.listed,
        pages: result.pages,
        queued: result.queued,
        alreadySent: result.skippedAlreadySent,
        notActionable: result.skippedNotActionable,
        complete: result.complete,
        readFrom: result.readFrom,
        nextReadFrom: result.checkpoint.readFrom,
        watermark: result.checkpoint.watermark,
    };
    if (args.print) {
        return; // stdout carries the messages; the summary went to stderr through the logger
    }
    if (args.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
    }
    logger.debug('poll summary follows');
    process.stdout.write(
        `queued ${summary.queued} of ${summary.listed} listed (${summary.pages} pages); next poll reads from ${summary.nextReadFrom}\n`,
    );
}
