import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ActionEntry, DeadLetterInfo, NotificationEntry, PollEntry, StackCounts } from './stackMonitor';

/**
 * The local status page: plain HTML on 127.0.0.1 that reloads itself every few seconds, built from a snapshot of
 * the stack (the audit table, the simulator's and the sink's records, the emulator's queue counts). `/status.json`
 * serves the same snapshot for scripts.
 */

export interface DetectionRow {
    id: string;
    user: string;
    type: string;
    level: string;
    state: string;
    lastUpdated: string;
}

export interface DecisionRow {
    time: string;
    user: string;
    action: string;
    ruleId: string;
    mode: string;
    outcome: string;
    reason: string;
}

export interface BreakerRow {
    action: 'confirmCompromised' | 'dismiss';
    /** Automatic actions counted in the rolling hour. */
    used: number;
    cap: number;
    /** Decisions held by the breaker in the rolling hour. */
    heldInHour: number;
    state: 'closed' | 'open';
}

export interface StatusSnapshot {
    generatedAt: string;
    tenantId: string;
    graph: string;
    mode: string;
    counts: StackCounts;
    queues: Array<{ name: string; active: number; locked: number; scheduled: number; deadLetter: number; duplicatesDropped: number }>;
    polls: PollEntry[];
    detections: DetectionRow[];
    decisions: DecisionRow[];
    actions: ActionEntry[];
    notifications: NotificationEntry[];
    deadLetters: DeadLetterInfo[];
    breaker: BreakerRow[];
    ruleHits: Array<{ ruleId: string; decisions: number; applied: number }>;
}

export interface StatusPage {
    readonly url: string;
    stop(): Promise<void>;
}

export async function startStatusPage(snapshot: () => Promise<StatusSnapshot>, port = 0): Promise<StatusPage> {
    const server: Server = createServer((request, response) => {
        const path = (request.url ?? '/').split('?')[0];
        if (request.method !== 'GET' || (path !== '/' && path !== '/status.json')) {
            response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
            return;
        }
        snapshot().then(
            (data) => {
                if (path === '/status.json') {
                    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(data));
                } else {
                    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(renderStatusPage(data));
                }
            },
            (error: unknown) => {
                response
                    .writeHead(500, { 'Content-Type': 'text/plain' })
                    .end(`status unavailable: ${error instanceof Error ? error.message : String(error)}`);
            },
        );
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
    });
    const { port: actual } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${actual}/`,
        stop: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

type Cell = string | number | boolean | null | undefined;

function escapeHtml(value: Cell): string {
    return String(value ?? '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
}

function table(id: string, headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>, empty: string): string {
    if (rows.length === 0) {
        return `<p id="${id}-empty" class="empty">${escapeHtml(empty)}</p>`;
    }
    const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
    const body = rows
        .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
        .join('\n');
    return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function section(id: string, title: string, content: string): string {
    return `<section id="section-${id}"><h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
}

/** The page for one snapshot; every value is escaped (detection text is untrusted). */
export function renderStatusPage(data: StatusSnapshot): string {
    const counts = (Object.entries(data.counts) as Array<[string, number]>)
        .map(([name, value]) => `<li><span class="name">${escapeHtml(name)}</span> <span class="count" data-count="${escapeHtml(name)}">${escapeHtml(value)}</span></li>`)
        .join('');
    const parts = [
        section('summary', 'Summary', `<ul id="counts">${counts}</ul>`),
        section(
            'breaker',
            'Circuit breaker (rolling hour)',
            table(
                'breaker',
                ['action', 'state', 'used', 'cap', 'held'],
                data.breaker.map((row) => [row.action, row.state, row.used, row.cap, row.heldInHour]),
                'no breaker data',
            ),
        ),
        section(
            'rules',
            'Rule hits',
            table(
                'rule-hits',
                ['rule', 'decisions', 'applied'],
                data.ruleHits.map((row) => [row.ruleId, row.decisions, row.applied]),
                'no decisions yet',
            ),
        ),
        section(
            'queues',
            'Queues',
            table(
                'queues',
                ['queue', 'waiting', 'in progress', 'scheduled', 'dead-lettered', 'duplicates dropped'],
                data.queues.map((q) => [q.name, q.active, q.locked, q.scheduled, q.deadLetter, q.duplicatesDropped]),
                'no queues',
            ),
        ),
        section(
            'polls',
            'Recent polls',
            table(
                'polls',
                ['time', 'result', 'listed', 'queued', 'ms'],
                data.polls.map((p) => [p.at, p.ok ? 'ok' : `failed: ${p.error ?? ''}`, p.listed ?? '-', p.queued ?? '-', p.durationMs]),
                'no poll yet',
            ),
        ),
        section(
            'detections',
            'Recent detections',
            table(
                'detections',
                ['last updated', 'user', 'type', 'level', 'state', 'id'],
                data.detections.map((d) => [d.lastUpdated, d.user, d.type, d.level, d.state, d.id]),
                'no detections yet',
            ),
        ),
        section(
            'decisions',
            'Recent decisions',
            table(
                'decisions',
                ['time', 'user', 'action', 'rule', 'mode', 'outcome', 'reason'],
                data.decisions.map((d) => [d.time, d.user, d.action, d.ruleId, d.mode, d.outcome, d.reason]),
                'no decisions yet',
            ),
        ),
        section(
            'actions',
            'Action calls',
            table(
                'actions',
                ['time', 'call', 'status'],
                data.actions.map((a) => [a.at, a.call, a.status]),
                'no action calls yet',
            ),
        ),
        section(
            'notifications',
            'Notifications',
            table(
                'notifications',
                ['time', 'channel', 'to', 'title', 'status'],
                data.notifications.map((n) => [n.at, n.channel, n.to, n.title, n.status]),
                'no notifications yet',
            ),
        ),
        section(
            'deadletters',
            'Dead letters',
            table(
                'dead-letters',
                ['queue', 'message', 'reason', 'description'],
                data.deadLetters.map((d) => [d.queue, d.messageId, d.reason, d.description]),
                'none',
            ),
        ),
    ];
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>risk-responder local status</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
#counts { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
#counts .count { font-weight: bold; }
.empty { color: #777; }
</style>
</head>
<body>
<h1>risk-responder local status</h1>
<p id="meta">Tenant <code>${escapeHtml(data.tenantId)}</code> · Graph <code>${escapeHtml(data.graph)}</code> · mode <strong id="mode">${escapeHtml(data.mode)}</strong> · generated ${escapeHtml(data.generatedAt)}</p>
${parts.join('\n')}
</body>
</html>
`;
}
