import { Clock, systemClock } from '../clock';
import { parseRetryAfterMs } from '../graph/backoff';
import { DeliveryError } from './deliveryError';
import { TeamsMessage } from './teamsMessage';
import { checkWebhookUrl, maskWebhookUrl, WebhookPolicy } from './webhookPolicy';

/** Posts a Teams envelope to a webhook URL; throws `DeliveryError` (retryable or not) when it is not accepted. */
export type TeamsPoster = (webhookUrl: string, message: TeamsMessage) => Promise<void>;

/** How webhook posts are made. */
export interface TeamsPosterOptions {
    /** The allow list every URL is checked against before any request. */
    policy: WebhookPolicy;
    /** Abandon a post after this many ms; counts as a transient failure. */
    timeoutMs: number;
    /** Node's global fetch unless a test passes another. */
    fetch?: typeof fetch;
    clock?: Clock;
}

/**
 * The Teams Workflows webhook adapter (reference 13.2-13.3). The URL is checked against the policy first, so no
 * code path can post elsewhere; redirects are not followed (a redirect could leave the allowed hosts). 2xx is
 * success (Workflows answers 202); 429, 408, 5xx, network errors and timeouts are transient; any other answer
 * is final (400 bad card, 401/403/404 a deleted or protected flow, 413 too large). Errors name the URL only as
 * `https://host/…`, and neither the URL nor the response body is ever logged.
 */
export function createTeamsWebhookPoster(options: TeamsPosterOptions): TeamsPoster {
    const fetchImpl = options.fetch ?? fetch;
    const clock = options.clock ?? systemClock;
    return async (webhookUrl, message) => {
        const allowed = checkWebhookUrl(webhookUrl, options.policy);
        if (!allowed.ok) {
            throw new DeliveryError(allowed.reason, false);
        }
        const masked = maskWebhookUrl(webhookUrl);
        let response: Response;
        try {
            response = await fetchImpl(webhookUrl, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify(message),
                redirect: 'manual',
                signal: AbortSignal.timeout(options.timeoutMs),
            });
        } catch (error) {
            throw new DeliveryError(`POST ${masked} failed: ${describeNetworkError(error)}`, true);
        }
        // Drain the body so the connection can be reused; its content is never shown (it may echo the request).
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) {
            return;
        }
        const status = response.status;
        if (status === 429 || status === 408 || status >= 500) {
            const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), clock.now());
            throw new DeliveryError(`POST ${masked} answered ${status}`, true, retryAfterMs);
        }
        if (status >= 300 && status < 400) {
            throw new DeliveryError(`POST ${masked} answered a redirect (${status}), which is not followed`, false);
        }
        throw new DeliveryError(`POST ${masked} answered ${status}${status === 413 ? ' (message too large)' : ''}`, false);
    };
}

/** The error's name and system code (ECONNREFUSED, TimeoutError): never its message, which could quote the URL. */
function describeNetworkError(error: unknown): string {
    if (!(error instanceof Error)) {
        return 'network error';
    }
    const cause = (error as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}
