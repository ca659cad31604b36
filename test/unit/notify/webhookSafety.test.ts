import { hasErrorCode, isRetryable } from '../../../shared/errors';
import { retryAfterOf } from '../../../shared/notify/deliveryError';
import { TeamsMessage } from '../../../shared/notify/teamsMessage';
import { createTeamsWebhookPoster } from '../../../shared/notify/teamsWebhookPoster';
import { checkWebhookUrl, isAllowedHost, maskWebhookUrl, WebhookPolicy } from '../../../shared/notify/webhookPolicy';
import { defaultWebhookAllowedHosts } from '../../../shared/settings/notifySettings';
import { FakeClock } from '../../fakes/fakeClock';

const policy: WebhookPolicy = { allowedHosts: [...defaultWebhookAllowedHosts], allowLoopback: false };
const secret = 'sig=V3ryS3cr3tSignature';
const powerPlatform = `https://default0123.01.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers&sv=1.0&${secret}`;
const logicApps = `https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&${secret}`;
const message: TeamsMessage = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: {} }] };

describe('webhook URLs are secrets (issue #4, N2)', () => {
    it.each([
        [powerPlatform, 'https://default0123.01.environment.api.powerplatform.com/…'],
        [logicApps, 'https://prod-01.westus.logic.azure.com/…'],
        ['http://127.0.0.1:7071/secops?x=1', 'http://127.0.0.1:7071/…'],
        ['not a url sig=abc', '(invalid URL)'],
    ])('%s is shown only as %s', (url, masked) => {
        expect(maskWebhookUrl(url)).toBe(masked);
    });
});

describe('webhook allow list (issue #4, N2)', () => {
    it.each([
        ['prod-01.westus.logic.azure.com', true],
        ['default0123.01.environment.api.powerplatform.com', true],
        ['logic.azure.com', false],
        ['logic.azure.com.evil.example', false],
        ['evillogic.azure.com', false],
        ['PROD-01.WESTUS.LOGIC.AZURE.COM', true],
        ['prod-01.westus.logic.azure.com.', true],
    ])('host %s allowed: %s', (host, allowed) => {
        expect(isAllowedHost(host, defaultWebhookAllowedHosts)).toBe(allowed);
    });

    it('an exact entry matches only itself', () => {
        expect(isAllowedHost('hooks.contoso.example', ['hooks.contoso.example'])).toBe(true);
        expect(isAllowedHost('a.hooks.contoso.example', ['hooks.contoso.example'])).toBe(false);
    });

    it.each([
        [powerPlatform, true],
        [logicApps, true],
        ['http://prod-01.westus.logic.azure.com/workflows/x', false],
        ['https://prod-01.westus.logic.azure.com:8443/workflows/x', false],
        ['https://user:pass@prod-01.westus.logic.azure.com/workflows/x', false],
        ['https://contoso.webhook.office.com/webhookb2/x', false],
        ['http://127.0.0.1:7071/secops', false],
        ['ftp://prod-01.westus.logic.azure.com/x', false],
    ])('by default, %s may be called: %s', (url, ok) => {
        expect(checkWebhookUrl(url, policy).ok).toBe(ok);
    });

    it('loopback http is the one local exception, and only with ALLOW_LOOPBACK_WEBHOOKS', () => {
        const local = { ...policy, allowLoopback: true };
        expect(checkWebhookUrl('http://127.0.0.1:7071/secops', local).ok).toBe(true);
        expect(checkWebhookUrl('http://localhost:7071/secops', local).ok).toBe(true);
        expect(checkWebhookUrl('http://10.0.0.5/secops', local).ok).toBe(false);
        expect(checkWebhookUrl('http://127.0.0.1.nip.io/secops', local).ok).toBe(false);
    });

    it('reasons name the masked URL only', () => {
        const result = checkWebhookUrl(`https://evil.example/hook?${secret}`, policy);
        expect(result).toEqual({ ok: false, reason: 'webhook https://evil.example/… is not on an allowed host (WEBHOOK_ALLOWED_HOSTS)' });
    });
});

describe('Teams webhook poster', () => {
    function fakeFetch(answer: () => Response | Promise<Response>) {
        const calls: Array<{ url: string; init: RequestInit }> = [];
        const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
            calls.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
            return answer();
        }) as typeof fetch;
        return { calls, fetchImpl };
    }

    it('posts the envelope as JSON without following redirects', async () => {
        const { calls, fetchImpl } = fakeFetch(() => new Response(null, { status: 202 }));
        await createTeamsWebhookPoster({ policy, timeoutMs: 1000, fetch: fetchImpl })(powerPlatform, message);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.init).toMatchObject({ method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json' } });
        expect(JSON.parse(calls[0]!.init.body as string)).toEqual(message);
    });

    it('never calls a URL off the allow list, and says so without the secret', async () => {
        const { calls, fetchImpl } = fakeFetch(() => new Response(null, { status: 202 }));
        const error = await createTeamsWebhookPoster({ policy, timeoutMs: 1000, fetch: fetchImpl })(`https://evil.example/hook?${secret}`, message).catch((e: unknown) => e);
        expect(calls).toEqual([]);
        expect(hasErrorCode(error, 'notify.failed')).toBe(true);
        expect(isRetryable(error)).toBe(false);
        expect((error as Error).message).not.toContain(secret);
    });

    it.each([
        [429, true],
        [500, true],
        [503, true],
        [408, true],
        [400, false],
        [404, false],
        [413, false],
        [302, false],
    ])('answer %i is retryable: %s, and the error masks the URL', async (status, retryable) => {
        const { fetchImpl } = fakeFetch(() => new Response(`echo ${secret}`, { status, headers: { 'Retry-After': '7' } }));
        const error = await createTeamsWebhookPoster({ policy, timeoutMs: 1000, fetch: fetchImpl })(powerPlatform, message).catch((e: unknown) => e);
        expect(isRetryable(error)).toBe(retryable);
        expect((error as Error).message).toContain('https://default0123.01.environment.api.powerplatform.com/…');
        expect((error as Error).message).not.toContain(secret);
        expect(JSON.stringify(error)).not.toContain(secret);
        if (status === 429) {
            expect(retryAfterOf(error)).toBe(7000);
        }
    });

    it('network errors and timeouts are retryable and name only the error kind', async () => {
        const refused = Object.assign(new TypeError(`fetch failed for ${powerPlatform}`), { cause: { code: 'ECONNREFUSED' } });
        const { fetchImpl } = fakeFetch(() => Promise.reject(refused));
        const error = await createTeamsWebhookPoster({ policy, timeoutMs: 1000, fetch: fetchImpl, clock: new FakeClock() })(powerPlatform, message).catch(
            (e: unknown) => e,
        );
        expect(isRetryable(error)).toBe(true);
        expect((error as Error).message).toBe('POST https://default0123.01.environment.api.powerplatform.com/… failed: TypeError (ECONNREFUSED)');
        expect((error as { cause?: unknown }).cause).toBeUndefined();
    });
});
