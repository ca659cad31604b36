import type { IndexedFunctionSummary } from '../../../../dev/host';
import { StackMonitor } from '../../../../dev/local/stackMonitor';
import type { AuditRecord } from '../../../../shared/remediation/auditRecord';
import type { AuditStore } from '../../../../shared/remediation/auditStore';

const functions: IndexedFunctionSummary[] = [
    { name: 'pollRiskDetections', scriptFile: 'functions/pollRiskDetections.ts', triggerType: 'timerTrigger', registeredTrigger: {}, resolvedTrigger: {}, rawBindings: [], disabled: false },
    { name: 'remediateRisk', scriptFile: 'functions/remediateRisk.ts', triggerType: 'serviceBusTrigger', registeredTrigger: {}, resolvedTrigger: { queueName: 'risk-detections' }, rawBindings: [], disabled: false },
];

function record(overrides: Partial<AuditRecord>): AuditRecord {
    return {
        decisionId: 'd1',
        tenantId: 't',
        time: '2025-06-01T10:00:00.000Z',
        userId: 'u1',
        userPrincipalName: 'ann@contoso.example',
        action: 'confirmCompromised',
        mode: 'enforce',
        outcome: 'applied',
        ruleId: 'leaked-credentials',
        detectionIds: ['x'],
        reason: 'rule',
        messageIds: ['m1'],
        ...overrides,
    };
}

describe('the local stack monitor (issue 5)', () => {
    it('turns host events, poll summaries and audit records into lines and the summary counts', async () => {
        let records: AuditRecord[] = [];
        const audit: AuditStore = { put: async () => undefined, get: async () => new Map(), list: async () => records };
        const lines: string[] = [];
        const monitor = new StackMonitor({
            audit,
            since: new Date(0),
            queues: [],
            consumerQueue: 'risk-detections',
            queueStats: () => undefined,
            peekDeadLetters: async () => [],
            print: (line) => lines.push(line),
        });
        monitor.onHostEvent({ kind: 'indexed', functions }, 'all');
        monitor.onHostEvent({ kind: 'invocationStarted', functionName: 'pollRiskDetections', invocationId: 'p1', trigger: 'timer', isPastDue: false }, 'all');
        monitor.onHostLog({ time: new Date(), level: 'information', category: 'user', functionName: 'pollRiskDetections', invocationId: 'p1', message: 'poll: listed 12 in 1 pages, queued 3, already sent 0, not actionable 9, readFrom x' });
        monitor.onHostEvent({ kind: 'invocationFinished', functionName: 'pollRiskDetections', invocationId: 'p1', ok: true, durationMs: 40 }, 'all');
        monitor.onHostEvent({ kind: 'invocationStarted', functionName: 'remediateRisk', invocationId: 'r1', trigger: 'serviceBus', messageIds: ['m1', 'm2', 'm3'], deliveryCounts: [1, 2, 2] }, 'all');
        records = [
            record({ outcome: 'pending' }),
            record({ decisionId: 'd2', userId: 'u2', userPrincipalName: 'bo@contoso.example', action: 'dismiss', ruleId: 'vpn', outcome: 'held', reason: 'breaker: hourly cap of 1 dismiss reached' }),
            record({ decisionId: 'd3', userId: null, userPrincipalName: null, action: 'none', outcome: 'rejected', ruleId: null, reason: 'message.invalid: (body): bad', messageIds: ['m3'] }),
        ];
        await monitor.tick();
        records = [{ ...records[0]!, outcome: 'applied' }, records[1]!, records[2]!];
        await monitor.tick();
        await monitor.tick();

        expect(lines.map((line) => line.slice(10))).toEqual([
            'poll       listed 12, queued 3 (40 ms)',
            'batch      remediateRisk: 3 message(s), 2 redelivered (delivery 2)',
            'decision   ann@contoso.example confirmCompromised rule=leaked-credentials mode=enforce -> pending',
            'decision   bo@contoso.example dismiss rule=vpn mode=enforce -> held',
            'rejected   message m3: message.invalid: (body): bad',
            'decision   ann@contoso.example confirmCompromised rule=leaked-credentials mode=enforce -> applied',
        ]);
        expect(monitor.progressLine(0)).toMatch(/remediateRisk batch of 3 running for \d+ s/);
        monitor.forgetRunning('all');
        expect(monitor.progressLine(0)).toBeUndefined();
        expect(monitor.summaryLine()).toBe(
            'summary: polled=1 queued=3 decided=2 confirmed=1 dismissed=0 held=1 notified=0 rejected=1 deadLettered=0',
        );
    });
});
