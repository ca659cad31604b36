import { summarizeAlert } from './alertSummary';
import { DecisionSummary, describeOutcomeCounts, modeLabel, orderForDigest, summarizeDecision, Tone } from './decisionSummary';
import { riskyUsersReportUrl } from './entraLinks';
import { buildLargestFitting, jsonBytes } from './fitToSize';
import { DigestContext, MessageContext } from './messageContext';
import { Alert, DecisionReport } from './notifier';
import { cleanText, escapeCardText } from './safeText';
import { CardColor, CardElement, Container, maxTeamsMessageBytes, newCard, TeamsMessage, TextBlock, wrapCard } from './teamsMessage';

/**
 * Adaptive Cards for Teams: one digest per owner per batch, and alerts that look different (an attention-styled
 * header reading "ALERT"). Every untrusted string is cleaned in the summaries and escaped here with
 * `escapeCardText`; our own text contains no markdown. Pure code.
 */

/**
 * The digest of `reports` for one recipient, most important outcomes first. When the whole list would pass
 * `maxBytes`, as many whole entries as fit are shown and the rest summarised with counts per outcome.
 */
export function buildTeamsDigest(reports: readonly DecisionReport[], context: DigestContext, maxBytes: number = maxTeamsMessageBytes): TeamsMessage {
    const ordered = orderForDigest(reports).map((report) => summarizeDecision(report, context));
    const mode = reports[0]?.mode ?? 'dryRun';
    return buildLargestFitting(
        ordered.length,
        (shown) => wrapCard(digestCard(ordered, shown, mode, context)),
        (message) => jsonBytes(message) <= maxBytes,
    );
}

/** The card of an alert, for the default alert owner. Detail lines beyond `maxBytes` are summarised. */
export function buildTeamsAlert(alert: Alert, context: MessageContext, maxBytes: number = maxTeamsMessageBytes): TeamsMessage {
    const summary = summarizeAlert(alert);
    return buildLargestFitting(
        summary.details.length,
        (shown) => {
            const omitted = summary.detailsOmitted + summary.details.length - shown;
            const details: CardElement[] = summary.details.slice(0, shown).map((line) => text(`• ${escapeCardText(line)}`, { spacing: 'Small' }));
            if (omitted > 0) {
                details.push(text(`${omitted} more not shown.`, { isSubtle: true, spacing: 'Small' }));
            }
            const body: CardElement[] = [
                {
                    type: 'Container',
                    style: 'attention',
                    bleed: true,
                    items: [
                        text('ALERT', { weight: 'Bolder', color: 'Attention', size: 'Small' }),
                        text(`risk-responder: ${escapeCardText(summary.title)}`, { weight: 'Bolder', size: 'Medium', color: 'Attention' }),
                    ],
                },
                text(summary.consequence),
                { type: 'FactSet', facts: summary.facts.map((fact) => ({ title: fact.label, value: escapeCardText(fact.value) })) },
                ...(details.length > 0 ? [{ type: 'Container', items: details } satisfies Container] : []),
                footer(context),
            ];
            return wrapCard(newCard(body, [{ type: 'Action.OpenUrl', title: 'Risky users report', url: riskyUsersReportUrl(context.portalUrl) }]));
        },
        (message) => jsonBytes(message) <= maxBytes,
    );
}

function digestCard(entries: readonly DecisionSummary[], shown: number, mode: DecisionReport['mode'], context: DigestContext) {
    const count = entries.length;
    const hidden = entries.slice(shown);
    const body: CardElement[] = [
        {
            type: 'Container',
            style: mode === 'dryRun' ? 'accent' : 'emphasis',
            bleed: true,
            items: [
                text(`risk-responder: ${count} risk decision${count === 1 ? '' : 's'}`, { weight: 'Bolder', size: 'Medium' }),
                text(
                    mode === 'dryRun'
                        ? 'Dry-run: nothing was changed in Entra ID; this is what enforce would do.'
                        : 'Enforce: actions were taken in Entra ID.',
                    { color: mode === 'dryRun' ? 'Accent' : 'Default', weight: 'Bolder', spacing: 'Small' },
                ),
                text(`For ${escapeCardText(context.recipient)}. ${describeOutcomeCounts(entries.map((entry) => entry.outcome))}.`, {
                    isSubtle: true,
                    spacing: 'Small',
                }),
            ],
        },
        ...entries.slice(0, shown).map(entryContainer),
    ];
    if (hidden.length > 0) {
        body.push({
            type: 'Container',
            style: 'warning',
            separator: true,
            items: [
                text(
                    `${hidden.length} more decision${hidden.length === 1 ? ' is' : 's are'} not shown (${describeOutcomeCounts(hidden.map((entry) => entry.outcome))}): ` +
                        'the message would pass the Teams size limit. The audit trail has every decision.',
                ),
            ],
        });
    }
    body.push(footer(context, modeLabel(mode)));
    return newCard(body, [{ type: 'Action.OpenUrl', title: 'Risky users report', url: riskyUsersReportUrl(context.portalUrl) }]);
}

function entryContainer(entry: DecisionSummary): Container {
    return {
        type: 'Container',
        separator: true,
        spacing: 'Medium',
        items: [
            text(escapeCardText(entry.heading), { weight: 'Bolder' }),
            text(escapeCardText(entry.outcomeLabel), { color: colorOf(entry.tone), weight: 'Bolder', spacing: 'Small' }),
            { type: 'FactSet', facts: entry.facts.map((fact) => ({ title: fact.label, value: escapeCardText(fact.value) })) },
            { type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: entry.link.title, url: entry.link.url }] },
        ],
    };
}

function footer(context: MessageContext, mode?: string): TextBlock {
    const tenant = escapeCardText(cleanText(context.tenantId, 64));
    return text(`Sent by risk-responder for tenant ${tenant}${mode === undefined ? '' : ` in ${mode} mode`}.`, { isSubtle: true, size: 'Small' });
}

function text(value: string, options: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock {
    return { type: 'TextBlock', text: value, wrap: true, ...options };
}

function colorOf(tone: Tone): CardColor {
    switch (tone) {
        case 'good':
            return 'Good';
        case 'warning':
            return 'Warning';
        case 'attention':
            return 'Attention';
        case 'accent':
            return 'Accent';
        case 'default':
            return 'Default';
        default:
            return assertNever(tone);
    }
}

function assertNever(value: never): never {
    throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
