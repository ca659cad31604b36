import { Fact } from './decisionSummary';
import { Alert } from './notifier';
import { cleanText } from './safeText';

/** An alert as people read it, the same for Teams and email: cleaned (not yet escaped) text. Pure code. */
export interface AlertSummary {
    /** One line, without the "ALERT" prefix the builders add. */
    readonly title: string;
    /** What happens now, in one or two sentences (our text). */
    readonly consequence: string;
    readonly facts: readonly Fact[];
    /** Lines such as the problems of an invalid rules file, cleaned; at most `maxAlertDetails`. */
    readonly details: readonly string[];
    /** How many detail lines were left out. */
    readonly detailsOmitted: number;
}

/** Most detail lines shown in an alert; the rest are counted. */
export const maxAlertDetails = 20;

/** The view model of an alert. */
export function summarizeAlert(alert: Alert): AlertSummary {
    switch (alert.kind) {
        case 'breakerTripped':
            return {
                title: `Circuit breaker tripped: ${alert.action} actions are held`,
                consequence:
                    `More than ${alert.cap} automatic ${alert.action} actions in the rolling hour: further ones are held (recorded ` +
                    'with outcome held, not applied) until the hour has room again. Review the audit trail before raising the cap.',
                facts: [
                    { label: 'Action', value: alert.action },
                    { label: 'Hourly cap', value: String(alert.cap) },
                    { label: 'Held in this batch', value: String(alert.held) },
                    { label: 'Resets at', value: cleanText(alert.resetsAt, 64) },
                ],
                details: [],
                detailsOmitted: 0,
            };
        case 'rulesInvalid':
            return {
                title: 'Rules file is invalid: no actions are taken',
                consequence: 'The consumer takes no action until the rules file is fixed; intake keeps queueing detections.',
                facts: [{ label: 'File', value: cleanText(alert.file) }],
                details: alert.problems.slice(0, maxAlertDetails).map((problem) => cleanText(problem, 500)),
                detailsOmitted: Math.max(0, alert.problems.length - maxAlertDetails),
            };
        case 'messageRejected':
            return {
                title: 'Queue message rejected',
                consequence: 'The message failed its contract and was set aside with its raw body in the audit trail; it is not retried.',
                facts: [
                    { label: 'Message id', value: cleanText(alert.messageId ?? '(none)', 128) },
                    { label: 'Reason', value: cleanText(alert.reason, 1000) },
                ],
                details: [],
                detailsOmitted: 0,
            };
        case 'deadLettered':
            return {
                title: 'Message dead-lettered',
                consequence: 'Retries ran out; the message was recorded with its reason and will not be retried automatically.',
                facts: [
                    { label: 'Message id', value: cleanText(alert.messageId ?? '(none)', 128) },
                    { label: 'Reason', value: cleanText(alert.reason, 1000) },
                ],
                details: [],
                detailsOmitted: 0,
            };
        default:
            return assertNever(alert);
    }
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
