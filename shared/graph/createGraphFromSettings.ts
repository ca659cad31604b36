import { Logger } from '../logger';
import { GraphSettings } from '../settings/settings';
import { createGraphApi, GraphApi } from './graphApi';
import { createPacer } from './pacer';
import { createTokenSource } from './tokenSource';

/** The process's one Graph client from app settings: credential, tenant pacer, retries and timeouts. */
export function createGraphFromSettings(settings: GraphSettings, logger: Logger): GraphApi {
    return createGraphApi({
        endpoint: settings.GRAPH_ENDPOINT,
        tokens: createTokenSource(settings.GRAPH_ENDPOINT, settings.AZURE_CLIENT_ID),
        pacer: createPacer(settings.GRAPH_CALLS_PER_SECOND),
        maxAttempts: settings.GRAPH_MAX_ATTEMPTS,
        timeoutMs: settings.GRAPH_REQUEST_TIMEOUT_SECONDS * 1000,
        logger,
    });
}
