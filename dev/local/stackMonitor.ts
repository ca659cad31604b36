import type { GraphSimulator } from '../graph-simulator';
import type { HostEvent, HostLogEntry, IndexedFunctionSummary } from '../host';
import type { QueueStats } from '../service-bus-emulator';
import type { WebhookSink } from '../webhook-sink';
import type { AuditRecord } from '../../shared/remediation/auditRecord';
import type { AuditStore } from '../../shared/remediation/auditStore';

/**
 * Follows a running local stack and tells what happens, as readable lines and as counts: polls (from the timer
 * invocations and the poller's own summary line), batches (host events), decisions (the audit table), action
 * calls (the Graph simulator's request log), notifications (the webhook sink and the simulator's sent mail) and
 * dead letters (the emulator's dead-letter sub-queues). Structured sources first; the poll summary line is the
 * only text read, because the listed/queued counts of a cycle exist nowhere else.
 */

/** A dead-lettered message as the monitor saw it in a dead-letter sub-queue. */
export interface DeadLetterInfo {
    queue: string;
    sequenceNumber: number;
    messageId: string;
    reason: string;
    description: string;
}

export interface MonitorSources {
    audit: AuditStore;
    /** Audit records written before this are from earlier runs and not counted. */
    since: Date;
    simulator?: GraphSimulator;
    sink?: WebhookSink;
    queues: readonly string[];
    /** The detections queue: the Service Bus function bound to it is the batch consumer. */
    consumerQueue: string;
    queueStats(queue: string): QueueStats | undefined;
    /** Dead-lettered messages of a queue after a sequence number. */
    peekDeadLetters(queue: string, afterSequenceNumber: number): Promise<DeadLetterInfo[]>;
    print(line: string): void;
}

export interface StackCounts {
    polled: number;
    queued: number;
    decided: number;
    confirmed: number;
    dismissed: number;
    held: number;
    notified: number;
    rejected: number;
    deadLettered: number;
}

/** One notification as the status page lists it. */
export interface NotificationEntry {
    at: string;
    channel: 'teams' | 'email';
    to: string;
    title: string;
    status: string;
}

/** One action call as the status page lists it. */
export interface ActionEntry {
    at: string;
    call: string;
    status: number;
}

/** One poll cycle. */
export interface PollEntry {
    at: string;
    ok: boolean;
    listed: number | null;
    queued: number | null;
    durationMs: number;
    error?: string;
}

interface Running {
    source: string;
    functionName: string;
    startedAt: number;
    messages: number;
}

/** The poller's summary line, and its error line after a failure part-way (shared/intake/pollOnce.ts). */
const pollSummary = /listed (\d+) in \d+ pages?, queued (\d+)|failed after listing (\d+) and queueing (\d+)/;

function clock(at: Date = new Date()): string {
    return at.toISOString().slice(11, 19);
}

/** Kinds are padded to one column: `deadletter` is the longest. */
function pad(kind: string): string {
    return kind.padEnd(11);
}

/** One line per entry: a multi-line error becomes one line. */
function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, ' / ');
}

export class StackMonitor {
    readonly decisions = new Map<string, AuditRecord>();
    readonly actions: ActionEntry[] = [];
    readonly notifications: NotificationEntry[] = [];
    readonly deadLetters: DeadLetterInfo[] = [];
    readonly polls: PollEntry[] = [];
    private readonly functionTypes = new Map<string, string>();
    private readonly consumers = new Set<string>();
    private readonly pollCounts = new Map<string, { listed: number; queued: number }>();
    private readonly running = new Map<string, Running>();
    private readonly seenRecords = new Map<string, string>();
    private readonly lastDeadLetterSequence = new Map<string, number>();
    private readonly deadLetterCounts = new Map<string, number>();
    private requestIndex = 0;
    private postIndex = 0;
    private mailIndex = 0;
    private lastThrottled = 0;
    private polled = 0;
    private queued = 0;
    private ticking: Promise<void> | undefined;

    constructor(private readonly sources: MonitorSources) {}

    private line(kind: string, text: string): void {
        this.sources.print(`${clock()}  ${pad(kind)}${text}`);
    }

    /** Host events from a host process (`source` names it). */
    onHostEvent(event: HostEvent, source: string): void {
        switch (event.kind) {
            case 'indexed':
                this.learnFunctions(event.functions);
                break;
            case 'functionError':
                this.line('error', `function ${event.functionName} is in error: ${oneLine(event.message)}`);
                break;
            case 'listenerError':
                this.line('warn', `${event.functionName}: ${oneLine(event.message)}`);
                break;
            case 'invocationStarted':
                this.running.set(event.invocationId, {
                    source,
                    functionName: event.functionName,
                    startedAt: Date.now(),
                    messages: event.messageIds?.length ?? 0,
                });
                if (event.trigger === 'serviceBus' && this.isConsumer(event.functionName)) {
                    const counts = event.deliveryCounts ?? [];
                    const redelivered = counts.filter((count) => count > 1).length;
                    const highest = Math.max(1, ...counts);
                    this.line(
                        'batch',
                        `${event.functionName}: ${counts.length} message(s)` +
                            (redelivered > 0 ? `, ${redelivered} redelivered (delivery ${highest})` : ''),
                    );
                }
                break;
            case 'invocationFinished':
                this.finished(event);
                break;
            default:
                break;
        }
    }

    /** Log lines of the host processes: the poll summary of each timer invocation is kept for its poll line. */
    onHostLog(entry: HostLogEntry): void {
        if (entry.category !== 'user' || entry.invocationId === undefined) {
            return;
        }
        const match = pollSummary.exec(entry.message);
        if (match) {
            this.pollCounts.set(entry.invocationId, {
                listed: Number(match[1] ?? match[3]),
                queued: Number(match[2] ?? match[4]),
            });
        }
    }

    /** Forgets what a host process was running when it went away (a killed process reports nothing more). */
    forgetRunning(source: string): void {
        for (const [invocationId, running] of this.running) {
            if (running.source === source) {
                this.running.delete(invocationId);
            }
        }
    }

    private learnFunctions(functions: readonly IndexedFunctionSummary[]): void {
        for (const summary of functions) {
            this.functionTypes.set(summary.name, summary.triggerType.toLowerCase());
            const queue = summary.resolvedTrigger?.queueName;
            if (typeof queue === 'string' && queue.toLowerCase() === this.sources.consumerQueue.toLowerCase()) {
                this.consumers.add(summary.name);
            }
        }
    }

    private isTimer(functionName: string): boolean {
        return this.functionTypes.get(functionName) === 'timertrigger';
    }

    /** The batch consumer: the function bound to the detections queue. */
    private isConsumer(functionName: string): boolean {
        return this.consumers.has(functionName);
    }

    private finished(event: Extract<HostEvent, { kind: 'invocationFinished' }>): void {
        this.running.delete(event.invocationId);
        if (this.isTimer(event.functionName)) {
            const counts = this.pollCounts.get(event.invocationId);
            this.pollCounts.delete(event.invocationId);
            this.polls.push({
                at: new Date().toISOString(),
                ok: event.ok,
                listed: counts?.listed ?? null,
                queued: counts?.queued ?? null,
                durationMs: event.durationMs,
                ...(event.error ? { error: event.error } : {}),
            });
            if (this.polls.length > 200) {
                this.polls.shift();
            }
            if (event.ok) {
                this.polled++;
            }
            // A cycle that failed part-way still queued what its error line reports.
            this.queued += counts?.queued ?? 0;
            const counted = counts ? `listed ${counts.listed}, queued ${counts.queued}` : event.ok ? 'done' : '';
            const failure = event.ok ? '' : `failed: ${oneLine(event.error ?? 'unknown error')}`;
            this.line('poll', `${[counted, failure].filter((part) => part !== '').join(' - ')} (${event.durationMs} ms)`);
            return;
        }
        if (!event.ok) {
            this.line(
                'batch',
                `${event.functionName} failed after ${event.durationMs} ms: ${oneLine(event.error ?? 'unknown error')}; ` +
                    `${event.messageIds?.length ?? 0} message(s) ${event.settlement === 'abandoned' ? 'back to the queue' : event.settlement ?? ''}`,
            );
        }
    }

    /** Reads every source once and prints what is new. Calls do not overlap. */
    tick(): Promise<void> {
        this.ticking ??= this.readSources().finally(() => {
            this.ticking = undefined;
        });
        return this.ticking;
    }

    private async readSources(): Promise<void> {
        await this.readAudit().catch((error: unknown) => this.line('warn', `audit table: ${describe(error)}`));
        this.readSimulator();
        this.readSink();
        await this.readDeadLetters().catch((error: unknown) => this.line('warn', `dead-letter queue: ${describe(error)}`));
    }

    private async readAudit(): Promise<void> {
        const records = await this.sources.audit.list({ since: this.sources.since });
        for (const record of records) {
            const key = `${record.outcome}|${record.reason}`;
            if (this.seenRecords.get(record.decisionId) === key) {
                continue;
            }
            this.seenRecords.set(record.decisionId, key);
            this.decisions.set(record.decisionId, record);
            if (record.outcome === 'rejected') {
                this.line('rejected', `message ${record.messageIds[0] ?? '(no id)'}: ${record.reason}`);
                continue;
            }
            const user = record.userPrincipalName ?? record.userId ?? '(unknown user)';
            this.line(
                'decision',
                `${user} ${record.action} rule=${record.ruleId ?? '-'} mode=${record.mode} -> ${record.outcome}`,
            );
        }
    }

    private readSimulator(): void {
        const simulator = this.sources.simulator;
        if (!simulator) {
            return;
        }
        const requests = simulator.requests;
        for (; this.requestIndex < requests.length; this.requestIndex++) {
            const request = requests[this.requestIndex]!;
            const action = /\/riskyUsers\/(confirmCompromised|dismiss)$|\/users\/[^/]+\/(revokeSignInSessions)$/.exec(
                request.path,
            );
            if (request.method !== 'POST' || !action) {
                continue;
            }
            const call = action[1] ?? action[2] ?? '';
            this.actions.push({ at: request.at.toISOString(), call, status: request.status });
            this.line('action', `POST ${call} -> ${request.status === 0 ? 'no answer (held)' : request.status}`);
        }
        const sent = simulator.sentMail;
        for (; this.mailIndex < sent.length; this.mailIndex++) {
            const mail = sent[this.mailIndex]!;
            const message = mail.message as { subject?: unknown; toRecipients?: Array<{ emailAddress?: { address?: unknown } }> };
            const to = (message.toRecipients ?? [])
                .map((recipient) => recipient.emailAddress?.address)
                .map((address) => (typeof address === 'string' ? address : '?'))
                .join(', ');
            const title = typeof message.subject === 'string' ? message.subject : '(no subject)';
            this.notifications.push({ at: mail.at.toISOString(), channel: 'email', to, title, status: 'sent' });
            this.line('notify', `email to ${to}: ${title}`);
        }
        const throttled = simulator.stats().throttled;
        if (throttled > this.lastThrottled) {
            this.lastThrottled = throttled;
        }
    }

    private readSink(): void {
        const sink = this.sources.sink;
        if (!sink) {
            return;
        }
        const posts = sink.posts;
        for (; this.postIndex < posts.length; this.postIndex++) {
            const post = posts[this.postIndex]!;
            const title = cardTitle(post.body);
            const status = post.status === 202 ? 'delivered' : `refused ${post.status}`;
            this.notifications.push({ at: post.at.toISOString(), channel: 'teams', to: post.path, title, status });
            this.line('notify', `teams ${post.path}: ${title}${post.status === 202 ? '' : ` (${status})`}`);
        }
    }

    private async readDeadLetters(): Promise<void> {
        for (const queue of this.sources.queues) {
            const count = this.sources.queueStats(queue)?.deadLetter ?? 0;
            if (count <= (this.deadLetterCounts.get(queue) ?? 0)) {
                continue;
            }
            const after = this.lastDeadLetterSequence.get(queue) ?? 0;
            const found = await this.sources.peekDeadLetters(queue, after);
            for (const info of found) {
                this.deadLetters.push(info);
                this.lastDeadLetterSequence.set(queue, Math.max(after, info.sequenceNumber));
                this.line(
                    'deadletter',
                    `${queue} message ${info.messageId}: ${info.reason}${info.description ? ` (${info.description})` : ''}`,
                );
            }
            this.deadLetterCounts.set(queue, count);
        }
    }

    /** A line about long work, or undefined when nothing is worth saying. */
    progressLine(longerThanMs: number): string | undefined {
        const now = Date.now();
        const parts: string[] = [];
        for (const running of this.running.values()) {
            const elapsed = now - running.startedAt;
            if (elapsed >= longerThanMs) {
                const what = running.messages > 0 ? `batch of ${running.messages}` : 'run';
                parts.push(`${running.functionName} ${what} running for ${Math.round(elapsed / 1000)} s`);
            }
        }
        for (const queue of this.sources.queues) {
            const stats = this.sources.queueStats(queue);
            if (stats && (stats.active > 0 || stats.locked > 0)) {
                parts.push(`${queue}: ${stats.active} waiting, ${stats.locked} in progress`);
            }
        }
        if (parts.length === 0) {
            return undefined;
        }
        const throttled = this.lastThrottled > 0 ? `; Graph 429s so far ${this.lastThrottled}` : '';
        return `${clock()}  ${pad('progress')}${parts.join('; ')}${throttled}`;
    }

    counts(): StackCounts {
        const records = [...this.decisions.values()];
        const decided = records.filter((record) => record.outcome !== 'rejected');
        return {
            polled: this.polled,
            queued: this.queued,
            decided: decided.length,
            confirmed: decided.filter((record) => record.action === 'confirmCompromised' && record.outcome === 'applied')
                .length,
            dismissed: decided.filter((record) => record.action === 'dismiss' && record.outcome === 'applied').length,
            held: decided.filter((record) => record.outcome === 'held').length,
            notified: this.notifications.filter((entry) => entry.status === 'sent' || entry.status === 'delivered').length,
            rejected: records.length - decided.length,
            deadLettered: this.deadLetters.length,
        };
    }

    /** The final line of `risk-responder start --for`. */
    summaryLine(): string {
        const c = this.counts();
        return (
            `summary: polled=${c.polled} queued=${c.queued} decided=${c.decided} confirmed=${c.confirmed} ` +
            `dismissed=${c.dismissed} held=${c.held} notified=${c.notified} rejected=${c.rejected} deadLettered=${c.deadLettered}`
        );
    }
}

/** The headline of an Adaptive Card in a Workflows envelope: its first large text block, else its first text. */
function cardTitle(body: unknown): string {
    const card = (body as { attachments?: Array<{ content?: { body?: unknown[] } }> } | undefined)?.attachments?.[0]?.content;
    const texts: Array<{ text: string; size: unknown }> = [];
    const collect = (elements: readonly unknown[]): void => {
        for (const element of elements) {
            const { text, size, items } = element as { text?: unknown; size?: unknown; items?: unknown };
            if (typeof text === 'string' && text.trim() !== '') {
                texts.push({ text, size });
            }
            if (Array.isArray(items)) {
                collect(items);
            }
        }
    };
    collect(card?.body ?? []);
    const headline = texts.find((entry) => ['Medium', 'Large', 'ExtraLarge'].includes(String(entry.size))) ?? texts[0];
    const title = headline?.text ?? '(card)';
    return title.length > 100 ? `${title.slice(0, 97)}...` : title;
}

function describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
