import { parseArgs } from 'node:util';

import { z } from 'zod';

import { startGraphSimulator } from '../dev/graph-simulator';
import { detectionSchema } from '../shared/detection';
import { createGraphApi } from '../shared/graph/graphApi';
import { createPacer } from '../shared/graph/pacer';
import { createTokenSource } from '../shared/graph/tokenSource';
import { silentLogger } from '../shared/logger';
import { parseRulesText } from '../shared/rules/loadRules';
import { runBaseline } from './baseline';
import { measureColdLoadMs } from './coldLoad';
import { floorCalls } from './floor';
import { createScenarioTenant } from './scenario';
import { runSteadyState } from './steadyState';
import { round, runSystem } from './systemRun';

const usage = `npm run bench -- [--limit L] [--sample N] [--steady N] [--latency MS] [--seed S] [--json]
  A 5,000-detection burst over 2,000 of 20,000 users, remediated by the real pipeline on the local stack at an
  identity-protection limit of L requests per second (default 20: time compressed, the simulator's limit and the
  app's pacing are the same L), beside a per-account responder measured on N detections (default 500) and projected.
  --steady N measures N detections arriving one by one at L = 1 (default 8; 0 skips it).`;

const argsSchema = z.object({
    limit: z.coerce.number().positive().default(20),
    sample: z.coerce.number().int().min(1).default(500),
    steady: z.coerce.number().int().min(0).default(8),
    latency: z.coerce.number().int().min(0).default(100),
    seed: z.string().min(1).default('risk-responder-bench'),
    json: z.boolean().default(false),
});

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        const { values } = parseArgs({
            args: argv,
            options: {
                limit: { type: 'string' },
                sample: { type: 'string' },
                steady: { type: 'string' },
                latency: { type: 'string' },
                seed: { type: 'string' },
                json: { type: 'boolean' },
            },
            strict: true,
        });
        parsed = argsSchema.safeParse(values);
    } catch (error) {
        process.stderr.write(`error: ${(error as Error).message}\n${usage}\n`);
        return 2;
    }
    if (!parsed.success) {
        process.stderr.write(
            `error: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${usage}\n`,
        );
        return 2;
    }
    const args = parsed.data;
    const progress = (line: string) => process.stderr.write(`\r\x1b[2K${line}`);
    const now = new Date();

    const system = createScenarioTenant({ seed: args.seed, now });
    const floor = floorCalls(system.scenario);
    process.stderr.write(`scenario: ${JSON.stringify(system.scenario)}\n`);
    const systemResult = await runSystem(system, args.limit, args.latency, progress);
    process.stderr.write('\n');

    // The baseline on a fresh copy of the same scenario, same simulator, same limit and latency.
    const copy = createScenarioTenant({ seed: args.seed, now });
    const simulator = await startGraphSimulator({
        tenant: copy.tenant,
        limitPerSecond: args.limit,
        latencyMs: args.latency,
    });
    const graph = createGraphApi({
        endpoint: simulator.url,
        tokens: createTokenSource(simulator.url),
        pacer: createPacer(args.limit),
        maxAttempts: 6,
        timeoutMs: 30_000,
        logger: silentLogger,
    });
    const sample = copy.burstDetectionIds
        .slice(0, args.sample)
        .map((id) => detectionSchema.parse(copy.tenant.detections.get(id)));
    progress(`baseline: ${sample.length} detections, one at a time…`);
    const baseline = await runBaseline(
        graph,
        sample,
        parseRulesText(copy.rulesYaml, { fileName: 'rules.yaml', settings: {} }),
    );
    const baselineThrottled = simulator.stats().throttled;
    await simulator.stop();
    process.stderr.write('\n');

    const steady = args.steady > 0 ? await runSteadyState(args.steady, args.latency, progress) : null;
    process.stderr.write('\n');
    const coldLoadMs = measureColdLoadMs();

    const projection = system.scenario.burstDetections / baseline.sampleDetections;
    const report = {
        scenario: { ...system.scenario, latencyMs: args.latency, floorParts: floor.parts },
        limitPerSecond: args.limit,
        system: {
            identityProtectionCalls: systemResult.identityProtectionCalls,
            floorCalls: floor.calls,
            seconds: systemResult.seconds,
            floorSeconds: round(floor.calls / args.limit),
            throttled: systemResult.throttled,
            actioned: systemResult.actioned,
            lost: systemResult.lost,
            repeatedActions: systemResult.repeatedActions,
            peakRssMb: systemResult.peakRssMb,
            batches: systemResult.batches,
        },
        baseline: {
            sampleDetections: baseline.sampleDetections,
            measuredSeconds: round(baseline.measuredSeconds),
            projectedSeconds: round(baseline.measuredSeconds * projection),
            projectedCalls: Math.round(baseline.calls * projection),
            throttled: baselineThrottled,
        },
        speedup: round((baseline.measuredSeconds * projection) / systemResult.seconds, 1),
        coldLoadMs,
        steadyState: steady,
    };
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return 0;
}

function formatReport(report: {
    limitPerSecond: number;
    system: Record<string, number | null>;
    baseline: Record<string, number>;
    speedup: number;
    coldLoadMs: number;
    steadyState: { medianSeconds: number; p95Seconds: number; detections: number } | null;
}): string {
    const s = report.system;
    const b = report.baseline;
    const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    const rows: Array<[string, string, string]> = [
        [
            'identity-protection calls',
            `${s.identityProtectionCalls} (floor ${s.floorCalls})`,
            check(s.identityProtectionCalls! <= 1.1 * s.floorCalls!),
        ],
        [
            'seconds, poll to last action',
            `${s.seconds} (floor ${s.floorSeconds})`,
            check(s.seconds! <= 1.2 * s.floorSeconds! + 5),
        ],
        ['throttled (429)', String(s.throttled), check(s.throttled === 0)],
        ['users acted on', String(s.actioned), ''],
        ['lost detections', String(s.lost), check(s.lost === 0)],
        ['users acted on twice', String(s.repeatedActions), check(s.repeatedActions === 0)],
        ['consumer batches', String(s.batches), ''],
        [
            'peak RSS of the consumer process, MB',
            String(s.peakRssMb),
            check(typeof s.peakRssMb === 'number' && s.peakRssMb < 256),
        ],
        ['baseline, measured', `${b.sampleDetections} detections in ${b.measuredSeconds} s`, ''],
        ['baseline, projected to the burst', `${b.projectedSeconds} s, ${b.projectedCalls} calls`, ''],
        ['speedup', `${report.speedup}x`, check(report.speedup >= 30)],
        ['cold load of the entry modules', `${report.coldLoadMs} ms`, check(report.coldLoadMs <= 200)],
    ];
    if (report.steadyState) {
        rows.push([
            `steady state at L = 1 (${report.steadyState.detections} detections)`,
            `median ${report.steadyState.medianSeconds} s, p95 ${report.steadyState.p95Seconds} s`,
            check(report.steadyState.p95Seconds <= 30),
        ]);
    }
    const width = Math.max(...rows.map(([name]) => name.length));
    const valueWidth = Math.max(...rows.map(([, value]) => value.length));
    return (
        [
            `limit L = ${report.limitPerSecond} requests/second`,
            ...rows.map(([name, value, ok]) => `${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${ok}`),
        ].join('\n') + '\n'
    );
}

void main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`\nerror: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
    },
);
