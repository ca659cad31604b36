import { z } from 'zod';

import { AuditRecord } from '../../shared/remediation/auditRecord';
import { isoInstant, parseCommandArgs } from '../args';
import { auditStoreFromArgs } from '../auditStoreFromArgs';

export const auditUsage = `risk-responder audit [--since ISO-8601] [--user ID] [--state-dir DIR] [--json]
  Prints audit records, oldest first: one line per decision, or one JSON object per line with --json.
  --state-dir reads a local run's audit file; otherwise the audit store of the app settings (AUDIT_STORE ...).`;

const argsSchema = z.object({
    since: isoInstant.optional(),
    user: z.string().min(1).optional(),
    'state-dir': z.string().min(1).optional(),
    json: z.boolean().default(false),
});

export async function runAudit(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const args = parseCommandArgs(
        argv,
        {
            since: { type: 'string' },
            user: { type: 'string' },
            'state-dir': { type: 'string' },
            json: { type: 'boolean' },
        },
        argsSchema,
    );
    const store = auditStoreFromArgs(args['state-dir'], env);
    const records = await store.list({
        ...(args.since ? { since: args.since } : {}),
        ...(args.user ? { userId: args.user } : {}),
    });
    for (const record of records) {
        process.stdout.write(args.json ? `${JSON.stringify(record)}\n` : `${formatAuditLine(record)}\n`);
    }
    if (!args.json) {
        process.stderr.write(`${records.length} records\n`);
    }
    return 0;
}

/** One readable line per record: time, outcome, action, user, rule, mode, reason. */
export function formatAuditLine(record: AuditRecord): string {
    const user = record.userPrincipalName ?? record.userId ?? '-';
    return [
        record.time,
        record.outcome.padEnd(9),
        record.action.padEnd(18),
        user,
        `rule=${record.ruleId ?? '-'}`,
        `mode=${record.mode}`,
        `detections=${record.detectionIds.length}`,
        record.reason,
    ].join('  ');
}
