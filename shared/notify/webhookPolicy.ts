/**
 * Which webhook URLs may be called (design N2). Webhook URLs carry their credential (the `sig` query parameter),
 * so they are secrets: only `https` URLs on an allowed host are called, on the default port, without user info,
 * and anything shown about a URL is its masked form `https://host/…`. Pure code.
 *
 * The one exception is local runs: with `allowLoopback` (ALLOW_LOOPBACK_WEBHOOKS=true), `http` on 127.0.0.1 or
 * localhost reaches the local webhook sink (dev/webhook-sink). It needs the explicit setting as well as the
 * loopback host, so a production app can never be talked into plain http.
 */

/** The allow list and the local exception. */
export interface WebhookPolicy {
    /** Lower-case entries: `.suffix` matches any sub-domain of suffix; a bare host matches only itself. */
    readonly allowedHosts: readonly string[];
    /** http on 127.0.0.1 / localhost is allowed (local runs only). */
    readonly allowLoopback: boolean;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost']);

/** Whether `url` may be called, and if not, why (the reason names only the masked URL). */
export function checkWebhookUrl(url: string, policy: WebhookPolicy): { ok: true } | { ok: false; reason: string } {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return { ok: false, reason: 'the webhook is not a valid URL' };
    }
    const masked = maskWebhookUrl(url);
    if (parsed.username !== '' || parsed.password !== '') {
        return { ok: false, reason: `webhook ${masked} carries user info` };
    }
    const host = parsed.hostname.toLowerCase();
    if (parsed.protocol === 'http:') {
        return policy.allowLoopback && loopbackHosts.has(host)
            ? { ok: true }
            : { ok: false, reason: `webhook ${masked} is not https (http is allowed only on loopback with ALLOW_LOOPBACK_WEBHOOKS=true)` };
    }
    if (parsed.protocol !== 'https:') {
        return { ok: false, reason: `webhook ${masked} is not https` };
    }
    if (parsed.port !== '') {
        return { ok: false, reason: `webhook ${masked} uses a non-default port` };
    }
    return isAllowedHost(host, policy.allowedHosts)
        ? { ok: true }
        : { ok: false, reason: `webhook ${masked} is not on an allowed host (WEBHOOK_ALLOWED_HOSTS)` };
}

/** `.logic.azure.com` matches `prod-01.westus.logic.azure.com`, not `logic.azure.com.evil.example` or `evillogic.azure.com`. */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return allowedHosts.some((entry) => (entry.startsWith('.') ? name.endsWith(entry) && name.length > entry.length : name === entry));
}

/** `https://host/…`: all a message or log may show of a webhook URL (path and query hold the credential). */
export function maskWebhookUrl(url: string): string {
    try {
        const parsed = new URL(url);
        return `${parsed.protocol}//${parsed.host}/…`;
    } catch {
        return '(invalid URL)';
    }
}
