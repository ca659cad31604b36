import { Detection } from '../../shared/detection';
import { AppError } from '../../shared/errors';
import { Alert, DecisionReport, Notifier } from '../../shared/notify/notifier';
import { AuditRecord } from '../../shared/remediation/auditRecord';
import { AuditQuery, AuditStore } from '../../shared/remediation/auditStore';
import { CurrentRiskState, RiskStateReader, UserDirectory } from '../../shared/remediation/riskStateReader';
import { RulesSource } from '../../shared/remediation/remediateBatch';
import { parseRulesText } from '../../shared/rules/loadRules';
import { RulesFile } from '../../shared/rules/ruleSchema';

/** Risk state as a test sets it; reads are counted. Acting through `act` moves users out of atRisk. */
export class FakeRiskTenant implements RiskStateReader {
    readonly states = new Map<string, CurrentRiskState>();
    readonly detections: Detection[] = [];
    stateReads = 0;
    coverageReads = 0;
    readonly calls: Array<{ action: 'confirmCompromised' | 'dismiss'; userIds: string[] }> = [];
    refuse = new Set<string>();
    failNextCallWith: AppError | undefined;

    atRisk(...userIds: string[]): this {
        userIds.forEach((id) => this.states.set(id, { riskState: 'atRisk', isDeleted: false }));
        return this;
    }

    async currentStates(userIds: readonly string[]): Promise<Map<string, CurrentRiskState>> {
        this.stateReads++;
        return new Map(userIds.filter((id) => this.states.has(id)).map((id) => [id, this.states.get(id)!]));
    }

    async atRiskDetectionsOf(userIds: readonly string[]): Promise<Map<string, Detection[]>> {
        this.coverageReads++;
        return new Map(
            userIds.map((id) => [id, this.detections.filter((d) => d.userId === id && d.riskState === 'atRisk')]),
        );
    }

    readonly act = async (action: 'confirmCompromised' | 'dismiss', userIds: readonly string[]): Promise<void> => {
        if (this.failNextCallWith) {
            const error = this.failNextCallWith;
            this.failNextCallWith = undefined;
            throw error;
        }
        if (userIds.some((id) => this.refuse.has(id))) {
            throw new AppError('graph.failed', 'Graph answered 400 BadRequest', false);
        }
        this.calls.push({ action, userIds: [...userIds] });
        for (const id of userIds) {
            this.states.set(id, {
                riskState: action === 'dismiss' ? 'dismissed' : 'confirmedCompromised',
                isDeleted: false,
            });
        }
    };

    actedOn(action: 'confirmCompromised' | 'dismiss'): string[] {
        return this.calls.filter((call) => call.action === action).flatMap((call) => call.userIds);
    }
}

export class FakeDirectory implements UserDirectory {
    readonly memberships = new Map<string, string[]>();
    async groupsOfUsers(userIds: readonly string[], groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
        return new Map(
            userIds.map((userId) => [
                userId,
                new Set((this.memberships.get(userId) ?? []).filter((id) => groupIds.includes(id))),
            ]),
        );
    }
}

export class InMemoryAuditStore implements AuditStore {
    readonly records = new Map<string, AuditRecord>();
    readonly writes: AuditRecord[] = [];
    async put(records: readonly AuditRecord[]): Promise<void> {
        for (const record of records) {
            this.records.set(record.decisionId, record);
            this.writes.push(record);
        }
    }
    async get(decisionIds: readonly string[]): Promise<Map<string, AuditRecord>> {
        return new Map(decisionIds.filter((id) => this.records.has(id)).map((id) => [id, this.records.get(id)!]));
    }
    async list(query: AuditQuery): Promise<AuditRecord[]> {
        return [...this.records.values()].filter(
            (r) =>
                (!query.since || Date.parse(r.time) >= query.since.getTime()) &&
                (!query.userId || r.userId === query.userId),
        );
    }
    byUser(userId: string): AuditRecord | undefined {
        return [...this.records.values()].find((r) => r.userId === userId);
    }
}

export class RecordingNotifier implements Notifier {
    readonly batches: DecisionReport[][] = [];
    readonly alerts: Alert[] = [];
    failDecisions = false;
    async notifyDecisions(_tenantId: string, decisions: readonly DecisionReport[]): Promise<void> {
        if (this.failDecisions) {
            throw new AppError('notify.failed', 'webhook down (simulated)', true);
        }
        this.batches.push([...decisions]);
    }
    async alert(_tenantId: string, alert: Alert): Promise<void> {
        this.alerts.push(alert);
    }
}

/** Rules from YAML text, parsed with the production loader. */
export function rulesFrom(yaml: string, settings: Record<string, string> = {}): RulesSource & { rules: RulesFile } {
    const rules = parseRulesText(yaml, { fileName: 'rules.yaml', settings });
    return { rules, location: 'rules.yaml', load: async () => rules };
}
