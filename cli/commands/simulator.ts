import { z } from 'zod';

import { createSyntheticTenant, scheduleDetections, startGraphSimulator } from '../../dev/graph-simulator';
import { parseCommandArgs } from '../args';

export const simulatorUsage = `risk-responder simulator [--port N] [--seed S] [--users N] [--detections N] [--minutes M] [--limit L] [--latency MS]
  Serves a seeded synthetic tenant on loopback as Microsoft Graph would (identity protection, users, mail),
  with detections arriving over the last 15 and the next M minutes (a password-spray burst in the middle) and the identity-protection
  limit L requests per second (429 without Retry-After beyond it). Runs until Ctrl-C.`;

const backlogMs = 15 * 60_000;

const argsSchema = z.object({
    port: z.coerce.number().int().min(0).max(65535).default(0),
    seed: z.string().min(1).default('contoso'),
    users: z.coerce.number().int().min(1).max(100_000).default(200),
    detections: z.coerce.number().int().min(0).max(100_000).default(120),
    minutes: z.coerce.number().positive().default(30),
    limit: z.coerce.number().positive().default(1),
    latency: z.coerce.number().int().min(0).default(0),
});

export async function runSimulator(argv: readonly string[]): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            port: { type: 'string' },
            seed: { type: 'string' },
            users: { type: 'string' },
            detections: { type: 'string' },
            minutes: { type: 'string' },
            limit: { type: 'string' },
            latency: { type: 'string' },
        },
        argsSchema,
    );
    const now = new Date();
    // The timeline starts a quarter hour back, so the first poll already finds a backlog.
    const start = new Date(now.getTime() - backlogMs);
    const tenant = createSyntheticTenant({ seed: args.seed, userCount: args.users, start: now });
    const plan = scheduleDetections(tenant, {
        seed: args.seed,
        start,
        durationMs: backlogMs + args.minutes * 60_000,
        count: args.detections,
    });
    const simulator = await startGraphSimulator({
        tenant,
        port: args.port,
        limitPerSecond: args.limit,
        latencyMs: args.latency,
    });
    process.stdout.write(
        `Graph simulator for tenant ${tenant.tenantId} at ${simulator.url}\n` +
            `  ${args.users} users, ${plan.scheduled} detections over ${args.minutes} min (burst of ${plan.burstUserIds.length} users), limit ${args.limit}/s\n` +
            `  try: npx risk-responder poll --once --print --graph-endpoint ${simulator.url}\n`,
    );
    await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
    });
    await simulator.stop();
    const stats = simulator.stats();
    process.stderr.write(
        `simulator stopped: ${stats.identityProtectionCalls} identity-protection calls, ${stats.throttled} throttled\n`,
    );
    return 0;
}
