/** The local webhook sink (dev/webhook-sink) over real HTTP, as the Teams poster and `risk-responder outbox` use it. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { outboxFileIn, readOutbox } from '../../dev/outboxFile';
import { startWebhookSink, type WebhookSink } from '../../dev/webhook-sink';
import { isRetryable } from '../../shared/errors';
import { retryAfterOf } from '../../shared/notify/deliveryError';
import { buildTeamsAlert } from '../../shared/notify/teamsCards';
import { createTeamsWebhookPoster } from '../../shared/notify/teamsWebhookPoster';

const card = buildTeamsAlert({ kind: 'deadLettered', messageId: 'm', reason: 'r' }, { tenantId: 't', portalUrl: 'https://entra.microsoft.com' });
const localPolicy = { allowedHosts: ['.logic.azure.com'], allowLoopback: true };

describe('webhook sink', () => {
    let sink: WebhookSink;
    let stateDir: string;

    beforeEach(async () => {
        stateDir = mkdtempSync(join(tmpdir(), 'rr-sink-'));
        sink = await startWebhookSink({ recordFile: outboxFileIn(stateDir) });
    });
    afterEach(async () => {
        await sink.stop();
        await rm(stateDir, { recursive: true, force: true });
    });

    it('accepts an envelope with 202, records it per path and in the outbox file', async () => {
        const post = createTeamsWebhookPoster({ policy: localPolicy, timeoutMs: 2000 });
        await post(`${sink.url}/secops`, card);
        expect(sink.accepted('/secops')).toEqual([expect.objectContaining({ status: 202, body: card })]);
        expect((await readOutbox(outboxFileIn(stateDir))).records).toEqual([expect.objectContaining({ channel: 'teams', path: '/secops', message: card })]);
    });

    it('fails the next posts on request: 500 and 429 with Retry-After, both retryable for the poster', async () => {
        const post = createTeamsWebhookPoster({ policy: localPolicy, timeoutMs: 2000 });
        sink.failNext(1, 500);
        sink.failNext(1, 429, 3);
        const first = await post(`${sink.url}/x`, card).catch((e: unknown) => e);
        const second = await post(`${sink.url}/x`, card).catch((e: unknown) => e);
        await post(`${sink.url}/x`, card);
        expect([isRetryable(first), isRetryable(second), retryAfterOf(second)]).toEqual([true, true, 3000]);
        expect(sink.posts.map((entry) => entry.status)).toEqual([500, 429, 202]);
        expect((await readOutbox(outboxFileIn(stateDir))).records).toHaveLength(1);
    });

    it('refuses what Teams would: a body over 28 KB (413) and a body that is not the Workflows envelope (400)', async () => {
        const big = await fetch(`${sink.url}/x`, { method: 'POST', body: JSON.stringify({ type: 'message', attachments: [], pad: 'x'.repeat(30_000) }) });
        const wrong = await fetch(`${sink.url}/x`, { method: 'POST', body: JSON.stringify({ text: 'MessageCard' }) });
        expect([big.status, wrong.status]).toEqual([413, 400]);
    });

    it('is called by the app only when loopback webhooks are allowed', async () => {
        const post = createTeamsWebhookPoster({ policy: { ...localPolicy, allowLoopback: false }, timeoutMs: 2000 });
        await expect(post(`${sink.url}/secops`, card)).rejects.toMatchObject({ code: 'notify.failed', retryable: false });
        expect(sink.posts).toEqual([]);
    });
});
