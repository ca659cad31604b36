/**
 * A local stand-in for Teams Workflows webhooks: a node:http server on 127.0.0.1 that accepts the envelope
 * Workflows expects, answers 202 like Workflows, records every post, and can be told to fail the next posts
 * (500, 429, ...) so retries can be tested. Any path is a webhook, so give each owner its own
 * (`${sink.url}/secops`). With `recordFile`, accepted posts are appended to the local outbox for
 * `risk-responder outbox`. The app calls it only with ALLOW_LOOPBACK_WEBHOOKS=true.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { appendOutboxRecords } from '../outboxFile';

/** Teams refuses messages above about 28 KB (reference 13.2); the sink does the same with 413. */
export const teamsMessageLimitBytes = 28 * 1024;

export interface WebhookSinkOptions {
    /** Port on 127.0.0.1; 0 (default) picks a free one. */
    port?: number;
    /** JSON-lines outbox file accepted posts are appended to (see dev/outboxFile.ts). */
    recordFile?: string;
    /** Largest body accepted, in bytes. Default 28 KB, like Teams. */
    maxBodyBytes?: number;
}

/** One request the sink received. */
export interface SinkPost {
    at: Date;
    /** Path of the webhook, e.g. `/secops`. */
    path: string;
    /** The status the sink answered: 202 when accepted. */
    status: number;
    /** The parsed JSON body, or the raw text when it was not JSON. */
    body: unknown;
}

export interface WebhookSink {
    /** `http://127.0.0.1:PORT`; append a path per owner. */
    readonly url: string;
    /** Every post received, failed ones included (see `status`). */
    readonly posts: ReadonlyArray<SinkPost>;
    /** The next `count` posts are answered `status` (default 500); 429s carry `Retry-After: retryAfterSeconds` (default 1). */
    failNext(count: number, status?: number, retryAfterSeconds?: number): void;
    /** Accepted posts (202) to `path`, or to any path. */
    accepted(path?: string): SinkPost[];
    stop(): Promise<void>;
}

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
    const maxBodyBytes = options.maxBodyBytes ?? teamsMessageLimitBytes;
    const posts: SinkPost[] = [];
    const failures: Array<{ status: number; retryAfterSeconds: number }> = [];

    const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        const text = await readText(request);
        const at = new Date();
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
            posts.push({ at, path, status, body });
            response.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
            response.end(status === 202 ? '' : `webhook sink: ${status}`);
        };
        if (request.method !== 'POST') {
            answer(405, text);
            return;
        }
        if (Buffer.byteLength(text) > maxBodyBytes) {
            answer(413, text);
            return;
        }
        const failure = failures.shift();
        const body = parseJson(text);
        if (failure !== undefined) {
            answer(failure.status, body ?? text, failure.status === 429 ? { 'Retry-After': String(failure.retryAfterSeconds) } : {});
            return;
        }
        if (!isWorkflowsEnvelope(body)) {
            answer(400, body ?? text);
            return;
        }
        if (options.recordFile !== undefined) {
            await appendOutboxRecords(options.recordFile, [{ channel: 'teams', at: at.toISOString(), path, message: body }]);
        }
        answer(202, body);
    };

    const server = createServer((request, response) => {
        handle(request, response).catch(() => {
            if (!response.headersSent) {
                response.writeHead(500);
            }
            response.end();
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    let stopping: Promise<void> | undefined;
    return {
        url: `http://127.0.0.1:${port}`,
        posts,
        failNext(count, status = 500, retryAfterSeconds = 1) {
            for (let i = 0; i < count; i++) {
                failures.push({ status, retryAfterSeconds });
            }
        },
        accepted: (path) => posts.filter((post) => post.status === 202 && (path === undefined || post.path === path)),
        stop() {
            stopping ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
            return stopping;
        },
    };
}

async function readText(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** `{"type":"message","attachments":[{contentType: adaptive card, content: {...}}]}`, as Workflows loops over it. */
function isWorkflowsEnvelope(body: unknown): boolean {
    if (typeof body !== 'object' || body === null) {
        return false;
    }
    const envelope = body as { type?: unknown; attachments?: unknown };
    return (
        envelope.type === 'message' &&
        Array.isArray(envelope.attachments) &&
        envelope.attachments.length > 0 &&
        envelope.attachments.every(
            (attachment: unknown) =>
                typeof attachment === 'object' &&
                attachment !== null &&
                (attachment as { contentType?: unknown }).contentType === 'application/vnd.microsoft.card.adaptive' &&
                typeof (attachment as { content?: unknown }).content === 'object',
        )
    );
}
