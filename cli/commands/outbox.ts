import { z } from 'zod';

import { outboxFileIn, OutboxRecord, readOutbox } from '../../dev/outboxFile';
import { parseCommandArgs } from '../args';

export const outboxUsage = `risk-responder outbox [--state-dir DIR] [--json]
  Shows what a local run "sent": Teams posts the webhook sink accepted and mail the Graph simulator received,
  oldest first, from DIR/outbox.jsonl (default .state). --json prints each record as a JSON line, the Teams
  envelope or the mail's HTML included.`;

const argsSchema = z.object({
    'state-dir': z.string().min(1).default('.state'),
    json: z.boolean().default(false),
});

/** Where the records go: stdout unless a test passes another writer. */
export interface OutboxOutput {
    write(text: string): unknown;
}

export async function runOutbox(
    argv: readonly string[],
    _env: NodeJS.ProcessEnv,
    out: OutboxOutput = process.stdout,
): Promise<number> {
    const args = parseCommandArgs(argv, { 'state-dir': { type: 'string' }, json: { type: 'boolean' } }, argsSchema);
    const file = outboxFileIn(args['state-dir']);
    const { records, unreadable } = await readOutbox(file);
    if (unreadable > 0) {
        process.stderr.write(`warn: ${unreadable} lines of ${file} are not outbox records; skipped\n`);
    }
    if (args.json) {
        records.forEach((record) => out.write(`${JSON.stringify(record)}\n`));
        return 0;
    }
    if (records.length === 0) {
        out.write(`The outbox is empty (${file}).\n`);
        return 0;
    }
    records.forEach((record) => out.write(`${describeRecord(record)}\n`));
    const teams = records.filter((record) => record.channel === 'teams').length;
    out.write(`${teams} Teams posts, ${records.length - teams} emails (${file})\n`);
    return 0;
}

/** One line per record: time, channel, where it went and its title or subject. */
export function describeRecord(record: OutboxRecord): string {
    return record.channel === 'teams'
        ? `${record.at}  teams  ${record.path}  ${cardTitle(record.message) ?? '(no title)'}`
        : `${record.at}  email  ${record.from} -> ${record.to.join(', ')}  ${record.subject}`;
}

/** The text of the first TextBlock in the card body, depth first: the card's title in our cards. */
export function cardTitle(envelope: unknown): string | undefined {
    const content = (envelope as { attachments?: Array<{ content?: unknown }> } | undefined)?.attachments?.[0]?.content;
    return firstText((content as { body?: unknown } | undefined)?.body);
}

function firstText(elements: unknown): string | undefined {
    if (!Array.isArray(elements)) {
        return undefined;
    }
    for (const element of elements as unknown[]) {
        const typed = element as { type?: unknown; text?: unknown; items?: unknown };
        if (typed.type === 'TextBlock' && typeof typed.text === 'string') {
            return typed.text === 'ALERT'
                ? `ALERT ${firstText((elements as unknown[]).slice(1)) ?? ''}`.trim()
                : typed.text;
        }
        const nested = firstText(typed.items);
        if (nested !== undefined) {
            return nested;
        }
    }
    return undefined;
}
