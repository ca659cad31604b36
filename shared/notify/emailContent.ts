import { z } from 'zod';

import { AlertSummary, summarizeAlert } from './alertSummary';
import { DecisionSummary, describeOutcomeCounts, modeLabel, orderForDigest, summarizeDecision, Tone } from './decisionSummary';
import { riskyUsersReportUrl } from './entraLinks';
import { buildLargestFitting, jsonBytes } from './fitToSize';
import { DigestContext, MessageContext } from './messageContext';
import { Alert, DecisionReport } from './notifier';
import { cleanText, escapeHtml } from './safeText';

/**
 * Email digests and alerts: a subject, an HTML body and a plain-text alternative with the same content. Graph's
 * JSON sendMail takes one body, so the HTML goes out as the message body (see shared/graph/mail.ts); the text
 * is what `preview` and `outbox` show and what a MIME send would carry. Untrusted strings are cleaned in the
 * summaries and escaped here with `escapeHtml`; links are ours. Pure code.
 */

/** An email as built: also the contract of email delivery jobs. */
export const emailContentSchema = z.object({
    subject: z.string().min(1).max(255),
    html: z.string().min(1),
    text: z.string().min(1),
});
export type EmailContent = z.infer<typeof emailContentSchema>;

/**
 * Largest HTML plus text, serialized, in bytes. The job carrying it must fit a Service Bus message (256 KB on
 * the Standard tier) with room to spare; a digest that long is summarised, as cards are.
 */
export const maxEmailBytes = 150 * 1024;

/** Longest subject line; Exchange accepts more, mail clients show less. */
const maxSubjectChars = 200;

const palette: Record<Tone, { text: string; background: string; border: string }> = {
    default: { text: '#242424', background: '#f5f5f5', border: '#d1d1d1' },
    good: { text: '#0e700e', background: '#f1faf1', border: '#107c10' },
    warning: { text: '#835b00', background: '#fff9f5', border: '#bc4b09' },
    attention: { text: '#a4262c', background: '#fdf3f4', border: '#c50f1f' },
    accent: { text: '#0f6cbd', background: '#ebf3fc', border: '#0f6cbd' },
};

/**
 * The digest of `reports` for one recipient, most important outcomes first; beyond `maxBytes` whole entries are
 * left out and summarised with counts per outcome.
 */
export function buildEmailDigest(reports: readonly DecisionReport[], context: DigestContext, maxBytes: number = maxEmailBytes): EmailContent {
    const ordered = orderForDigest(reports).map((report) => summarizeDecision(report, context));
    const mode = reports[0]?.mode ?? 'dryRun';
    const count = ordered.length;
    const counts = describeOutcomeCounts(ordered.map((entry) => entry.outcome));
    const title = `risk-responder: ${count} risk decision${count === 1 ? '' : 's'}`;
    const subject = truncateSubject(`${title} (${modeLabel(mode)}): ${counts}`);
    const modeLine = mode === 'dryRun' ? 'Dry-run: nothing was changed in Entra ID; this is what enforce would do.' : 'Enforce: actions were taken in Entra ID.';
    const forLine = `For ${cleanText(context.recipient)}. ${counts}.`;
    return buildLargestFitting(
        count,
        (shown) => {
            const hidden = ordered.slice(shown);
            const overflow =
                hidden.length === 0
                    ? undefined
                    : `${hidden.length} more decision${hidden.length === 1 ? ' is' : 's are'} not shown ` +
                      `(${describeOutcomeCounts(hidden.map((entry) => entry.outcome))}): the audit trail has every decision.`;
            const entries = ordered.slice(0, shown);
            const footer = footerLine(context, modeLabel(mode));
            const reportUrl = riskyUsersReportUrl(context.portalUrl);
            const html = htmlDocument(subject, [
                htmlHeader(mode === 'dryRun' ? 'accent' : 'default', [
                    `<div style="font-size:18px;font-weight:600">${escapeHtml(title)}</div>`,
                    `<div style="font-weight:600;color:${palette[mode === 'dryRun' ? 'accent' : 'default'].text}">${escapeHtml(modeLine)}</div>`,
                    `<div style="color:#616161">${escapeHtml(forLine)}</div>`,
                ]),
                ...entries.map(htmlEntry),
                overflow === undefined ? '' : htmlNote('warning', overflow),
                htmlFooter(reportUrl, footer),
            ]);
            const text = [
                title,
                modeLine,
                forLine,
                '',
                ...entries.flatMap(textEntry),
                ...(overflow === undefined ? [] : [overflow, '']),
                `Risky users report: ${reportUrl}`,
                footer,
            ].join('\n');
            return { subject, html, text };
        },
        (content) => jsonBytes({ html: content.html, text: content.text }) <= maxBytes,
    );
}

/** The email of an alert: "[ALERT]" subject prefix and an attention-coloured header. */
export function buildEmailAlert(alert: Alert, context: MessageContext, maxBytes: number = maxEmailBytes): EmailContent {
    const summary = summarizeAlert(alert);
    const subject = truncateSubject(`[ALERT] risk-responder: ${summary.title}`);
    return buildLargestFitting(
        summary.details.length,
        (shown) => alertEmail(summary, subject, shown, context),
        (content) => jsonBytes({ html: content.html, text: content.text }) <= maxBytes,
    );
}

function alertEmail(summary: AlertSummary, subject: string, shown: number, context: MessageContext): EmailContent {
    const omitted = summary.detailsOmitted + summary.details.length - shown;
    const details = summary.details.slice(0, shown);
    const footer = footerLine(context);
    const reportUrl = riskyUsersReportUrl(context.portalUrl);
    const html = htmlDocument(subject, [
        htmlHeader('attention', [
            `<div style="font-size:12px;font-weight:700;letter-spacing:1px;color:${palette.attention.text}">ALERT</div>`,
            `<div style="font-size:18px;font-weight:600;color:${palette.attention.text}">risk-responder: ${escapeHtml(summary.title)}</div>`,
        ]),
        `<p>${escapeHtml(summary.consequence)}</p>`,
        htmlFacts(summary.facts),
        details.length === 0 ? '' : `<ul>${details.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
        omitted > 0 ? `<p style="color:#616161">${omitted} more not shown.</p>` : '',
        htmlFooter(reportUrl, footer),
    ]);
    const text = [
        `ALERT: risk-responder: ${summary.title}`,
        summary.consequence,
        '',
        ...summary.facts.map((fact) => `${fact.label}: ${fact.value}`),
        ...(details.length === 0 ? [] : ['', ...details.map((line) => `- ${line}`)]),
        ...(omitted > 0 ? [`${omitted} more not shown.`] : []),
        '',
        `Risky users report: ${reportUrl}`,
        footer,
    ].join('\n');
    return { subject, html, text };
}

function htmlDocument(subject: string, parts: readonly string[]): string {
    return [
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        `<title>${escapeHtml(subject)}</title></head>`,
        '<body style="margin:0;padding:16px;font-family:\'Segoe UI\',Helvetica,Arial,sans-serif;font-size:14px;line-height:1.4;color:#242424;background:#ffffff">',
        ...parts.filter((part) => part !== ''),
        '</body></html>',
    ].join('\n');
}

function htmlHeader(tone: Tone, lines: readonly string[]): string {
    const colours = palette[tone];
    return `<div style="padding:12px 16px;background:${colours.background};border-left:4px solid ${colours.border}">${lines.join('')}</div>`;
}

function htmlNote(tone: Tone, text: string): string {
    const colours = palette[tone];
    return `<p style="padding:8px 12px;background:${colours.background};border-left:4px solid ${colours.border}">${escapeHtml(text)}</p>`;
}

function htmlEntry(entry: DecisionSummary): string {
    return [
        '<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse;margin:16px 0 0 0;width:100%;max-width:760px;border-top:1px solid #d1d1d1">',
        `<tr><td colspan="2" style="font-weight:600;font-size:15px;padding-top:10px">${escapeHtml(entry.heading)}</td></tr>`,
        `<tr><td colspan="2" style="font-weight:600;color:${palette[entry.tone].text}">${escapeHtml(entry.outcomeLabel)}</td></tr>`,
        ...entry.facts.map(htmlFactRow),
        `<tr><td colspan="2"><a href="${escapeHtml(entry.link.url)}">${escapeHtml(entry.link.title)}</a></td></tr>`,
        '</table>',
    ].join('\n');
}

function htmlFacts(facts: DecisionSummary['facts']): string {
    return `<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse">${facts.map(htmlFactRow).join('')}</table>`;
}

function htmlFactRow(fact: DecisionSummary['facts'][number]): string {
    return (
        `<tr><td style="color:#616161;white-space:nowrap;vertical-align:top;width:130px">${escapeHtml(fact.label)}</td>` +
        `<td style="vertical-align:top;word-break:break-word">${escapeHtml(fact.value)}</td></tr>`
    );
}

function htmlFooter(reportUrl: string, footer: string): string {
    return `<p style="margin-top:24px;color:#616161;font-size:12px"><a href="${escapeHtml(reportUrl)}">Risky users report</a><br>${escapeHtml(footer)}</p>`;
}

function textEntry(entry: DecisionSummary): string[] {
    return [
        `== ${entry.heading} ==`,
        entry.outcomeLabel,
        ...entry.facts.map((fact) => `  ${fact.label}: ${fact.value}`),
        `  ${entry.link.title}: ${entry.link.url}`,
        '',
    ];
}

function footerLine(context: MessageContext, mode?: string): string {
    return `Sent by risk-responder for tenant ${cleanText(context.tenantId, 64)}${mode === undefined ? '' : ` in ${mode} mode`}.`;
}

function truncateSubject(subject: string): string {
    return cleanText(subject, maxSubjectChars);
}
