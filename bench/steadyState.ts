import { createTenant } from '../dev/graph-simulator';
import { HostEvent } from '../dev/host';
import { appActionTimes, round } from './systemRun';
import { startBenchStack, waitUntil } from './stack';

export interface SteadyStateResult {
    limitPerSecond: number;
    detections: number;
    medianSeconds: number;
    p95Seconds: number;
}

const isPoll = (kind: HostEvent['kind']) => (entry: { event: HostEvent }) =>
    entry.event.kind === kind && 'functionName' in entry.event && entry.event.functionName === 'pollRiskDetections';

/**
 * Detections arriving one by one at the real limit (L = 1): each is added right after a poll finished, so the
 * next poll is the one that sees it; the latency is from that poll's start to the app's action on the user.
 */
export async function runSteadyState(
    count: number,
    latencyMs: number,
    progress: (line: string) => void,
): Promise<SteadyStateResult> {
    const tenant = createTenant('7d1e4b2a-9c3f-4e5d-8a6b-0c1d2e3f4a5b');
    const rulesYaml = `
version: 1
mode: enforce
rules:
  - id: leaked-credentials
    when: { riskEventType: [leakedCredentials], riskLevel: [high] }
    then: { action: confirmCompromised }
`;
    const stack = await startBenchStack({
        tenant,
        rulesYaml,
        limitPerSecond: 1,
        latencyMs,
        pollSchedule: '*/10 * * * * *',
    });
    const latencies: number[] = [];
    try {
        for (let i = 0; i < count; i++) {
            const finishedPolls = stack.events.filter(isPoll('invocationFinished')).length;
            await waitUntil(
                () => stack.events.filter(isPoll('invocationFinished')).length > finishedPolls,
                60_000,
                'a poll to finish',
            );
            const startedPolls = stack.events.filter(isPoll('invocationStarted')).length;
            const user = tenant.addUser({
                userPrincipalName: `steady${i}@contoso.example`,
                displayName: `Steady ${i}`,
            });
            tenant.addDetection({
                userId: user.id,
                riskEventType: 'leakedCredentials',
                riskLevel: 'high',
                detectionTimingType: 'offline',
                activity: 'user',
            });
            await waitUntil(() => appActionTimes(tenant).has(user.id), 120_000, `the action on detection ${i + 1}`);
            const sawIt = stack.events.filter(isPoll('invocationStarted'))[startedPolls]!.at;
            latencies.push((appActionTimes(tenant).get(user.id)![0]! - sawIt) / 1000);
            progress(`steady state: ${i + 1}/${count}, last ${round(latencies.at(-1)!)} s`);
        }
    } finally {
        await stack.stop();
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return {
        limitPerSecond: 1,
        detections: count,
        medianSeconds: round(quantile(0.5)),
        p95Seconds: round(quantile(0.95)),
    };
}
