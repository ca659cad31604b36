import { Detection, riskLevelRank } from '../detection';
import { AuditOutcome } from '../remediation/auditRecord';
import { userPageUrl } from './entraLinks';
import { DecisionReport } from './notifier';
import { cleanText } from './safeText';

/**
 * One decision as people read it, the same for Teams and email: cleaned (not yet escaped) text in a fixed order.
 * The card and email builders only lay these out and escape them for their format. Pure code.
 */

/** How much attention an entry asks for; cards map it to a colour, email to a style. */
export type Tone = 'default' | 'good' | 'warning' | 'attention' | 'accent';

/** A label and a cleaned value (constant labels are ours; values may come from a detection). */
export interface Fact {
    readonly label: string;
    readonly value: string;
}

/** A link built by us (portal root from settings plus an encoded object id), never from detection text. */
export interface Link {
    readonly title: string;
    readonly url: string;
}

/** A decision ready to lay out. */
export interface DecisionSummary {
    readonly decisionId: string;
    /** "Display Name (upn)", or the UPN, or the object id. Cleaned. */
    readonly heading: string;
    readonly outcome: AuditOutcome;
    /** What became of the decision, in words ("Dry-run: would confirm compromised"); not repeated in `facts`. */
    readonly outcomeLabel: string;
    readonly tone: Tone;
    readonly facts: readonly Fact[];
    readonly link: Link;
}

/** What a summary needs beyond the report. */
export interface SummaryOptions {
    /** Entra admin center root, e.g. https://entra.microsoft.com. */
    readonly portalUrl: string;
    /** Per user id: what happened to the manager notification ("none in the directory: not notified"). */
    readonly managerNotes?: ReadonlyMap<string, string>;
}

/** Most detection types, IPs and locations listed per decision; the rest are counted. */
const maxListed = { detections: 8, ipAddresses: 5, locations: 5 } as const;
/** Longest reason shown, in characters. */
const maxReasonChars = 500;

/** Outcomes in the order a digest lists them: what needs a look first, so overflow drops the routine. */
const outcomeOrder: readonly AuditOutcome[] = ['failed', 'held', 'applied', 'pending', 'dryRun', 'excluded', 'skipped', 'noAction', 'rejected'];

/** The reports in digest order: by outcome importance, then as given. Returns a new array. */
export function orderForDigest<T extends Pick<DecisionReport, 'outcome'>>(reports: readonly T[]): T[] {
    return reports
        .map((report, index) => ({ report, index }))
        .sort((a, b) => outcomeOrder.indexOf(a.report.outcome) - outcomeOrder.indexOf(b.report.outcome) || a.index - b.index)
        .map(({ report }) => report);
}

/** The view model of one decision report. */
export function summarizeDecision(report: DecisionReport, options: SummaryOptions): DecisionSummary {
    const displayName = cleanText(report.detections.map((d) => d.userDisplayName).find((name) => name) ?? null);
    const upn = cleanText(report.userPrincipalName ?? report.detections.map((d) => d.userPrincipalName).find((name) => name) ?? null);
    const userId = cleanText(report.userId);
    const heading = displayName && upn ? `${displayName} (${upn})` : displayName || upn || userId;
    const { label, tone } = describeOutcome(report);
    const facts: Fact[] = [
        { label: 'User', value: upn ? `${upn} (${userId})` : userId },
        { label: 'Action', value: actionLabel(report.action) },
        { label: 'Mode', value: modeLabel(report.mode) },
        { label: 'Rule', value: report.ruleId === null ? '(no rule)' : cleanText(report.ruleId) },
        { label: 'Detections', value: listDetections(report.detections) },
        { label: 'Risk level', value: highestLevel(report.detections) },
        { label: 'IP address', value: listUnique(report.detections.map((d) => d.ipAddress), maxListed.ipAddresses) },
        { label: 'Location', value: listUnique(report.detections.map(locationOf), maxListed.locations, false) },
        { label: 'Activity time', value: timeRange(report.detections) },
        { label: 'Reason', value: cleanText(report.reason, maxReasonChars) },
    ];
    const managerNote = options.managerNotes?.get(report.userId);
    if (managerNote !== undefined) {
        facts.push({ label: 'Manager', value: cleanText(managerNote) });
    }
    return {
        decisionId: report.decisionId,
        heading,
        outcome: report.outcome,
        outcomeLabel: label,
        tone,
        facts,
        link: { title: 'Open user in Entra', url: userPageUrl(options.portalUrl, report.userId) },
    };
}

/** "2 applied, 1 held": counts per outcome, in digest order, zero counts left out. */
export function describeOutcomeCounts(outcomes: readonly AuditOutcome[]): string {
    return outcomeOrder
        .map((outcome) => ({ outcome, count: outcomes.filter((candidate) => candidate === outcome).length }))
        .filter(({ count }) => count > 0)
        .map(({ outcome, count }) => `${count} ${outcomeShortName(outcome)}`)
        .join(', ');
}

/** dryRun -> "dry-run", enforce -> "enforce". */
export function modeLabel(mode: DecisionReport['mode']): string {
    return mode === 'dryRun' ? 'dry-run' : 'enforce';
}

/** confirmCompromised -> "Confirm compromised". */
export function actionLabel(action: DecisionReport['action']): string {
    switch (action) {
        case 'confirmCompromised':
            return 'Confirm compromised';
        case 'dismiss':
            return 'Dismiss user risk';
        case 'none':
            return 'None';
        default:
            return assertNever(action);
    }
}

function describeOutcome(report: DecisionReport): { label: string; tone: Tone } {
    const done = report.action === 'confirmCompromised' ? 'confirmed compromised' : 'dismissed user risk';
    const would = report.action === 'confirmCompromised' ? 'confirm compromised' : 'dismiss user risk';
    switch (report.outcome) {
        case 'applied':
            return { label: report.action === 'none' ? 'Applied' : `Applied: ${done}`, tone: 'good' };
        case 'dryRun':
            return { label: `Dry-run: would ${would}; nothing was changed`, tone: 'accent' };
        case 'pending':
            return { label: 'Pending: the action call may have gone out', tone: 'warning' };
        case 'skipped':
            return { label: 'Skipped: the user is no longer at risk', tone: 'default' };
        case 'held':
            return { label: `Held: the circuit breaker's hourly cap was reached; not ${done}`, tone: 'warning' };
        case 'excluded': {
            const wouldHave = report.wouldHave && report.wouldHave !== 'none' ? `; the rules would have chosen ${actionLabel(report.wouldHave).toLowerCase()}` : '';
            return { label: `Excluded: never acted on${wouldHave}`, tone: 'warning' };
        }
        case 'noAction':
            return { label: 'No action', tone: 'default' };
        case 'failed':
            return { label: `Failed: Graph refused to ${would}`, tone: 'attention' };
        case 'rejected':
            return { label: 'Rejected message', tone: 'attention' };
        default:
            return assertNever(report.outcome);
    }
}

function outcomeShortName(outcome: AuditOutcome): string {
    switch (outcome) {
        case 'dryRun':
            return 'dry-run';
        case 'noAction':
            return 'no action';
        default:
            return outcome;
    }
}

function listDetections(detections: readonly Detection[]): string {
    const entries = detections.map((d) => `${cleanText(d.riskEventType, 64)} (${cleanText(d.riskLevel, 16)})`);
    return listUnique(entries, maxListed.detections, false);
}

function highestLevel(detections: readonly Detection[]): string {
    const [first, ...rest] = detections;
    if (first === undefined) {
        return '-';
    }
    const highest = rest.reduce((best, d) => (riskLevelRank(d.riskLevel) > riskLevelRank(best.riskLevel) ? d : best), first);
    return cleanText(highest.riskLevel, 32);
}

/** "City, State, CC", each part cleaned and cut on its own so a long city never hides the country. */
function locationOf(detection: Detection): string | null {
    const parts = [detection.location?.city, detection.location?.state, detection.location?.countryOrRegion]
        .map((part) => cleanText(part, 64))
        .filter((part) => part !== '');
    return parts.length === 0 ? null : parts.join(', ');
}

/** Unique non-empty values, cleaned, at most `max` of them and a count of the rest; "-" when there are none. */
function listUnique(values: ReadonlyArray<string | null | undefined>, max: number, clean = true): string {
    const unique = [...new Set(values.map((value) => (clean ? cleanText(value, 128) : (value ?? ''))).filter((value) => value !== ''))];
    if (unique.length === 0) {
        return '-';
    }
    const shown = unique.slice(0, max).join(', ');
    return unique.length > max ? `${shown} and ${unique.length - max} more` : shown;
}

function timeRange(detections: readonly Detection[]): string {
    const times = detections
        .map((d) => d.activityDateTime ?? d.detectedDateTime)
        .filter((time): time is string => typeof time === 'string')
        .map((time) => Date.parse(time))
        .filter((ms) => Number.isFinite(ms))
        .sort((a, b) => a - b);
    const [earliest] = times;
    const latest = times[times.length - 1];
    if (earliest === undefined || latest === undefined) {
        return '-';
    }
    return earliest === latest ? formatUtc(earliest) : `${formatUtc(earliest)} to ${formatUtc(latest)}`;
}

/** 2026-06-01 11:50:00 UTC */
export function formatUtc(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
