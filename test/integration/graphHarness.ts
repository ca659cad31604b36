import { createGraphApi, GraphApi } from '../../shared/graph/graphApi';
import { createPacer } from '../../shared/graph/pacer';
import { createTokenSource } from '../../shared/graph/tokenSource';
import { Logger, silentLogger } from '../../shared/logger';
import { createTenant, GraphSimulator, SimulatedTenant, startGraphSimulator } from '../../dev/graph-simulator';

export interface GraphHarness {
    simulator: GraphSimulator;
    tenant: SimulatedTenant;
    graph: GraphApi;
    /** The simulator's clock; tests move it to make late detections surface. */
    now: { value: Date };
}

/**
 * The real Graph adapter (graph-client, pacer, retries) against the Graph simulator on loopback. Pacing and
 * back-off are scaled down (`callsPerSecond`, 20 ms base) so tests run fast; the code path is production's.
 */
export async function startGraphHarness(
    options: {
        limitPerSecond?: number;
        callsPerSecond?: number;
        maxAttempts?: number;
        timeoutMs?: number;
        logger?: Logger;
    } = {},
): Promise<GraphHarness> {
    const now = { value: new Date('2026-06-01T12:00:00Z') };
    const tenant = createTenant('8f3e2a10-5c4b-4d7e-9a61-2b0c9d4e7f13', { clock: () => now.value });
    const simulator = await startGraphSimulator({
        tenant,
        limitPerSecond: options.limitPerSecond ?? 200,
        clock: () => now.value,
    });
    const graph = createGraphApi({
        endpoint: simulator.url,
        tokens: createTokenSource(simulator.url),
        pacer: createPacer(options.callsPerSecond ?? 150),
        maxAttempts: options.maxAttempts ?? 5,
        timeoutMs: options.timeoutMs ?? 5_000,
        backoff: { baseMs: 20, maxMs: 200 },
        logger: options.logger ?? silentLogger,
    });
    return { simulator, tenant, graph, now };
}
