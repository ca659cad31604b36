import { SimulatedTenant } from '../dev/graph-simulator';
import { createAuditStore } from '../shared/remediation/createAuditStore';
import { parseSettings } from '../shared/settings/parseSettings';
import { remediationSettingsSchema } from '../shared/settings/settings';
import { ScenarioTenant } from './scenario';
import { startBenchStack, waitUntil } from './stack';

export interface SystemResult {
    identityProtectionCalls: number;
    seconds: number;
    throttled: number;
    actioned: number;
    lost: number;
    repeatedActions: number;
    peakRssMb: number | null;
    batches: number;
}

/** The app's own actions in a risky user's history: changes initiated by the app's service principal. */
export function appActionTimes(tenant: SimulatedTenant): Map<string, number[]> {
    const times = new Map<string, number[]>();
    for (const user of tenant.riskyUsers.values()) {
        const ours = user.history.filter((item) => item.initiatedBy === tenant.automationPrincipalId);
        if (ours.length > 0) {
            times.set(
                user.id,
                ours.map((item) => Date.parse(item.riskLastUpdatedDateTime)),
            );
        }
    }
    return times;
}

/**
 * The real pipeline on the local stack: the host runs the app's three functions against the Graph simulator
 * (limit L, 429 without Retry-After, fixed latency), the Service Bus emulator and Azurite. Timed from the start of
 * the poll that sees the burst to the last action the simulator recorded.
 */
export async function runSystem(
    scenario: ScenarioTenant,
    limitPerSecond: number,
    latencyMs: number,
    progress: (line: string) => void,
): Promise<SystemResult> {
    const stack = await startBenchStack({
        tenant: scenario.tenant,
        rulesYaml: scenario.rulesYaml,
        limitPerSecond,
        latencyMs,
        // Once a day, twelve hours from now: the poll run at start is the one that sees the burst, and no other runs.
        pollSchedule: `0 0 ${(new Date().getUTCHours() + 12) % 24} * * *`,
    });
    try {
        const expected = scenario.expected.confirmCompromised.size + scenario.expected.dismiss.size;
        await waitUntil(
            () => {
                const stats = stack.emulator.queueStats('risk-detections');
                const acted = appActionTimes(scenario.tenant).size;
                progress(
                    `system: ${acted}/${expected} users acted on, ${stats.active + stats.locked} messages in flight, ${stack.simulator.stats().identityProtectionCalls} calls`,
                );
                return (
                    acted >= expected &&
                    stats.active + stats.locked === 0 &&
                    stack.events.some(
                        (e) => e.event.kind === 'invocationFinished' && e.event.functionName === 'remediateRisk',
                    )
                );
            },
            15 * 60_000,
            'the burst to be remediated',
        );
        const pollStart = stack.events.find(
            (e) => e.event.kind === 'invocationStarted' && e.event.functionName === 'pollRiskDetections',
        )?.at;
        const actions = appActionTimes(scenario.tenant);
        const lastAction = Math.max(...[...actions.values()].flat());
        const settings = parseSettings(remediationSettingsSchema, {
            AzureWebJobsStorage: stack.azurite.connectionString,
        });
        const records = await createAuditStore(settings, scenario.tenant.tenantId).list({});
        const decided = new Set(records.flatMap((record) => record.detectionIds));
        const stats = stack.simulator.stats();
        return {
            identityProtectionCalls: stats.identityProtectionCalls,
            seconds: round((lastAction - (pollStart ?? lastAction)) / 1000),
            throttled: stats.throttled,
            actioned: actions.size,
            lost: scenario.burstDetectionIds.filter((id) => !decided.has(id)).length,
            repeatedActions: [...actions.values()].filter((times) => times.length > 1).length,
            peakRssMb: await stack.consumerPeakRssMb(),
            batches: stack.events.filter(
                (e) => e.event.kind === 'invocationStarted' && e.event.functionName === 'remediateRisk',
            ).length,
        };
    } finally {
        await stack.stop();
    }
}

export function round(value: number, digits = 2): number {
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}
