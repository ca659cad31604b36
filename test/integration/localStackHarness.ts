import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SimulatedDetection, SyntheticTenant } from '../../dev/graph-simulator';
import { type LocalStack, type LocalStackOptions, startLocalStack, uniqueNameSuffix } from '../../dev/local/localStack';
import type { AuditRecord } from '../../shared/remediation/auditRecord';

/**
 * Stacks for the tests: the same composition as `risk-responder start`, on the tests' Azurite (unique table and
 * container names), with a 2-second poll schedule, a generous simulated Graph limit and no scheduled detections:
 * each test adds the detections it reasons about, at the simulator clock's now.
 */
export async function startTestStack(
    options: Partial<LocalStackOptions> = {},
): Promise<LocalStack & { lines: string[] }> {
    const storage = process.env.AZURITE_CONNECTION_STRING;
    if (!storage) {
        throw new Error('AZURITE_CONNECTION_STRING is not set: run the integration project (its globalSetup starts Azurite)');
    }
    const lines: string[] = [];
    const stack = await startLocalStack({
        stateDir: await mkdtemp(join(tmpdir(), 'stack-')),
        seed: uniqueNameSuffix(),
        users: 30,
        detections: 0,
        timeline: { burst: false },
        graphLimitPerSecond: 20,
        pollSchedule: '*/2 * * * * *',
        storageConnectionString: storage,
        nameSuffix: uniqueNameSuffix(),
        statusPage: false,
        monitorIntervalMs: 300,
        stopGraceMs: 2_000,
        print: (line) => lines.push(line),
        ...options,
    });
    return Object.assign(stack, { lines });
}

/** Polls `probe` until it returns something other than undefined or false. */
export async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs = 20_000,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined && value !== false) {
                return value;
            }
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

/** Regular users with a manager, outside every exclusion (nested or direct). */
export function actionableUsers(tenant: SyntheticTenant): string[] {
    const excluded = new Set([...tenant.nestedGroupMemberIds, ...tenant.breakGlassUserIds, tenant.userIds[tenant.userIds.length - 1]]);
    return tenant.userIds.filter((id) => !excluded.has(id) && tenant.users.get(id)?.managerId !== undefined);
}

export type DetectionKind = 'leaked' | 'anonymizedCorporate' | 'unfamiliar' | 'threatIntel';

/** Adds a detection visible now, of a kind the sample rules decide in a known way. */
export function addDetection(tenant: SyntheticTenant, userId: string, kind: DetectionKind, riskEventType?: string): SimulatedDetection {
    switch (kind) {
        case 'leaked': // rule leaked-credentials: confirmCompromised, revoke sessions, notify secops and manager
            return tenant.addDetection({ userId, riskEventType: 'leakedCredentials', riskLevel: 'high', detectionTimingType: 'offline', activity: 'user' });
        case 'threatIntel': // rule threat-intelligence: confirmCompromised
            return tenant.addDetection({ userId, riskEventType: 'investigationsThreatIntelligence', riskLevel: 'high', ipAddress: '198.51.100.20' });
        case 'anonymizedCorporate': // rule corporate-egress-anonymizer: dismiss
            return tenant.addDetection({ userId, riskEventType: 'anonymizedIPAddress', riskLevel: 'medium', ipAddress: '203.0.113.7' });
        case 'unfamiliar': // rule everything-else: no action
            return tenant.addDetection({ userId, riskEventType: riskEventType ?? 'unfamiliarFeatures', riskLevel: 'high', ipAddress: '198.51.100.9' });
    }
}

/** The audit records of this stack's run, by user id (the latest per decision). */
export async function auditByUser(stack: LocalStack): Promise<Map<string, AuditRecord[]>> {
    const records = await stack.audit.list({});
    const byUser = new Map<string, AuditRecord[]>();
    for (const record of records) {
        const key = record.userId ?? '(rejected)';
        byUser.set(key, [...(byUser.get(key) ?? []), record]);
    }
    return byUser;
}

/** The risk state Graph reports for a user now. */
export function riskStateOf(tenant: SyntheticTenant, userId: string): string | undefined {
    return tenant.riskyUsers.get(userId)?.riskState;
}

/** Action calls the simulator carried out (204), per action. */
export function writes(stack: LocalStack): { confirmCompromised: number; dismiss: number } {
    return stack.simulator!.stats().writes;
}
