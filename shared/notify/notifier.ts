import { Detection } from '../detection';
import { AuditOutcome } from '../remediation/auditRecord';

/** One decision as owners are told about it: what was decided, what became of it, from which detections. */
export interface DecisionReport {
    decisionId: string;
    userId: string;
    userPrincipalName: string | null;
    action: 'confirmCompromised' | 'dismiss' | 'none';
    /** What the rules would have done to an excluded user (reported, never acted on). */
    wouldHave?: 'confirmCompromised' | 'dismiss' | 'none';
    ruleId: string | null;
    reason: string;
    outcome: AuditOutcome;
    mode: 'dryRun' | 'enforce';
    /** Owner names from the deciding rules (and `manager`). */
    notify: readonly string[];
    detections: readonly Detection[];
}

/** Things owners must hear about that are not routine decisions. */
export type Alert =
    | { kind: 'breakerTripped'; action: 'confirmCompromised' | 'dismiss'; cap: number; held: number; resetsAt: string }
    | { kind: 'rulesInvalid'; file: string; problems: readonly string[] }
    | { kind: 'messageRejected'; messageId: string | null; reason: string }
    | { kind: 'deadLettered'; messageId: string | null; reason: string };

/**
 * Hands decisions and alerts to the owners' channels. Called after the actions; a failure here never repeats
 * or undoes an action, and the same batch delivered twice notifies once (keyed on the decision ids).
 */
export interface Notifier {
    /** One digest per owner for this batch's decisions. */
    notifyDecisions(tenantId: string, decisions: readonly DecisionReport[]): Promise<void>;
    /** An alert to the default alert owner. */
    alert(tenantId: string, alert: Alert): Promise<void>;
}
