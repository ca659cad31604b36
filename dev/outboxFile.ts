/**
 * The local outbox: what the webhook sink and the Graph simulator "sent", as JSON lines in the state folder, so
 * `risk-responder outbox` can show it from another process. Local runs only; nothing here is used in Azure.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { z } from 'zod';

/** The outbox file inside a local state folder. */
export function outboxFileIn(stateDir: string): string {
    return join(stateDir, 'outbox.jsonl');
}

/** One recorded message. */
export const outboxRecordSchema = z.discriminatedUnion('channel', [
    z.object({
        channel: z.literal('teams'),
        /** ISO time the sink accepted the post. */
        at: z.string(),
        /** Path the post went to on the sink (one per owner, e.g. `/secops`); the sink's URLs are not secrets. */
        path: z.string(),
        /** The envelope as posted. */
        message: z.unknown(),
    }),
    z.object({
        channel: z.literal('email'),
        at: z.string(),
        from: z.string(),
        to: z.array(z.string()),
        subject: z.string(),
        /** The HTML body as sent. */
        html: z.string(),
    }),
]);
export type OutboxRecord = z.infer<typeof outboxRecordSchema>;

/** Appends records to the outbox file, creating its folder. */
export async function appendOutboxRecords(file: string, records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) {
        return;
    }
    await mkdir(dirname(file), { recursive: true });
    await appendFile(file, records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
}

/** Every record of the outbox file, oldest first; an absent file is an empty outbox. Lines that do not parse are skipped and counted. */
export async function readOutbox(file: string): Promise<{ records: OutboxRecord[]; unreadable: number }> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            return { records: [], unreadable: 0 };
        }
        throw error;
    }
    const records: OutboxRecord[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
        if (line.trim() === '') {
            continue;
        }
        const parsed = outboxRecordSchema.safeParse(parseJson(line));
        if (parsed.success) {
            records.push(parsed.data);
        } else {
            unreadable++;
        }
    }
    return { records, unreadable };
}

/** A mail as the Graph simulator records it (its `SentMail`). */
export interface RecordedMail {
    from: string;
    message: unknown;
    at: Date;
}

const sentMessageSchema = z.object({
    subject: z.string().default(''),
    body: z.object({ content: z.string() }).optional(),
    toRecipients: z.array(z.object({ emailAddress: z.object({ address: z.string() }) })).default([]),
});

/** The outbox record of one mail the simulator received. */
export function outboxRecordOfMail(mail: RecordedMail): OutboxRecord {
    const parsed = sentMessageSchema.safeParse(mail.message);
    const message = parsed.success ? parsed.data : { subject: '(unreadable message)', body: undefined, toRecipients: [] };
    return {
        channel: 'email',
        at: mail.at.toISOString(),
        from: mail.from,
        to: message.toRecipients.map((recipient) => recipient.emailAddress.address),
        subject: message.subject,
        html: message.body?.content ?? '',
    };
}

/**
 * Writes the simulator's sent mail to the outbox as it grows: call `flush(simulator.sentMail)` whenever convenient
 * (after each invocation, on a timer, at shutdown); each mail is written once.
 */
export function createMailOutboxWriter(file: string): { flush(sentMail: readonly RecordedMail[]): Promise<void> } {
    let written = 0;
    let pending = Promise.resolve();
    return {
        flush(sentMail) {
            // Flushes run one after another, so each mail is written once and in order.
            const next = pending.then(async () => {
                const fresh = sentMail.slice(written);
                written += fresh.length;
                await appendOutboxRecords(file, fresh.map(outboxRecordOfMail));
            });
            pending = next.catch(() => undefined);
            return next;
        },
    };
}

function parseJson(line: string): unknown {
    try {
        return JSON.parse(line) as unknown;
    } catch {
        return undefined;
    }
}
