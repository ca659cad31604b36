import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { RpcRetryContext, RpcRetryOptions } from './coreApi';
import type { HostEventSink } from './hostEvents';
import type { FunctionInvoker, HostLogger, IndexedFunction } from './invoker';
import { type CronSchedule, nextOccurrence, parseNcrontab, shortestIntervalMs } from './ncrontab';

/** The longest delay setTimeout honours (2^31 - 1 ms). */
const maxTimeoutMs = 2 ** 31 - 1;

/**
 * The timer trigger as the Functions host runs it (reference section 1.2): the NCRONTAB schedule in UTC, one
 * invocation at a time (the next occurrence is computed when the previous run ends), a Timer object built as
 * the host builds it, the schedule monitor (`useMonitor`, default on for schedules of a minute or more) that
 * remembers the last and next occurrence so a restart after a missed occurrence runs at once with
 * `isPastDue: true`, and the function-level retry policy. Locally the function also runs once at start
 * (`runAtStart`), so a developer sees the first cycle immediately; `runOnStartup: true` does the same.
 */

/** What the schedule monitor keeps per function (Azure keeps it in a blob of AzureWebJobsStorage). */
export interface ScheduleStatus {
    last: string;
    next: string;
    lastUpdated: string;
}

/** Where schedule status lives: a folder of JSON files, or memory only. */
export class ScheduleStatusStore {
    private readonly memory = new Map<string, ScheduleStatus>();

    constructor(private readonly folder?: string) {}

    async read(functionName: string): Promise<ScheduleStatus | undefined> {
        if (!this.folder) {
            return this.memory.get(functionName);
        }
        try {
            const parsed = JSON.parse(await readFile(this.fileOf(functionName), 'utf8')) as Partial<ScheduleStatus>;
            return typeof parsed.last === 'string' && typeof parsed.next === 'string' && typeof parsed.lastUpdated === 'string'
                ? { last: parsed.last, next: parsed.next, lastUpdated: parsed.lastUpdated }
                : undefined;
        } catch {
            return undefined;
        }
    }

    async write(functionName: string, status: ScheduleStatus): Promise<void> {
        this.memory.set(functionName, status);
        if (!this.folder) {
            return;
        }
        await mkdir(this.folder, { recursive: true });
        const file = this.fileOf(functionName);
        await writeFile(`${file}.tmp`, JSON.stringify(status));
        await rename(`${file}.tmp`, file);
    }

    private fileOf(functionName: string): string {
        return join(this.folder!, `${functionName}.status.json`);
    }
}

/** DateTime.MinValue, which the host reports as the last occurrence before the first run. */
const neverRan = '0001-01-01T00:00:00';

export interface TimerListenerOptions {
    readonly fn: IndexedFunction;
    readonly invoker: FunctionInvoker;
    readonly statusStore: ScheduleStatusStore;
    readonly runAtStart: boolean;
    readonly log: HostLogger;
    readonly emit: HostEventSink;
}

export class TimerTriggerListener {
    readonly schedule: CronSchedule;
    private readonly useMonitor: boolean;
    private readonly runOnStartup: boolean;
    private timer: NodeJS.Timeout | undefined;
    private running: Promise<void> | undefined;
    private stopping = false;

    constructor(private readonly options: TimerListenerOptions) {
        const schedule = options.fn.trigger.schedule;
        if (typeof schedule !== 'string' || schedule.trim() === '') {
            throw new Error('timer trigger without a schedule');
        }
        if (/^\d+(\.\d+)?:\d{1,2}:\d{1,2}$/.test(schedule.trim())) {
            throw new Error(`TimeSpan schedule "${schedule}" runs only on a Dedicated plan; use an NCRONTAB expression`);
        }
        this.schedule = parseNcrontab(schedule);
        const registered = options.fn.trigger.useMonitor;
        this.useMonitor =
            typeof registered === 'boolean' ? registered : shortestIntervalMs(this.schedule, new Date()) >= 60_000;
        this.runOnStartup = options.fn.trigger.runOnStartup === true;
    }

    describe(): string {
        const next = nextOccurrence(this.schedule, new Date()).toISOString();
        return `schedule "${this.schedule.expression}" (UTC), next ${next}${this.useMonitor ? ', schedule monitor on' : ''}`;
    }

    async start(): Promise<void> {
        const now = new Date();
        const status = this.useMonitor ? await this.options.statusStore.read(this.options.fn.name) : undefined;
        const missed = status !== undefined && Date.parse(status.next) < now.getTime();
        const last = status?.last ?? neverRan;
        if (missed || this.runOnStartup || this.options.runAtStart) {
            // Not awaited: the other functions start listening while this first run goes on.
            this.running = this.fire(missed, last).finally(() => this.scheduleNext(now.toISOString()));
            return;
        }
        this.scheduleNext(last);
    }

    async stop(graceMs: number): Promise<void> {
        this.stopping = true;
        clearTimeout(this.timer);
        if (this.running) {
            await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
        }
    }

    private scheduleNext(last: string): void {
        if (this.stopping) {
            return;
        }
        this.waitUntil(nextOccurrence(this.schedule, new Date()), last);
    }

    /** Node fires a timeout longer than about 24.8 days at once, so a far occurrence is reached in steps. */
    private waitUntil(next: Date, last: string): void {
        const remaining = next.getTime() - Date.now();
        this.timer = setTimeout(
            () => {
                if (remaining > maxTimeoutMs) {
                    this.waitUntil(next, last);
                    return;
                }
                this.running = this.fire(false, last).finally(() => this.scheduleNext(next.toISOString()));
            },
            Math.min(maxTimeoutMs, Math.max(0, remaining)),
        );
    }

    /** One occurrence, with the retry policy when the function registered one. */
    private async fire(isPastDue: boolean, last: string): Promise<void> {
        const fn = this.options.fn;
        const now = new Date();
        const next = nextOccurrence(this.schedule, now);
        const status: ScheduleStatus = { last, next: next.toISOString(), lastUpdated: now.toISOString() };
        const timerInfo = {
            Schedule: { AdjustForDST: true },
            ScheduleStatus: this.useMonitor ? { Last: status.last, Next: status.next, LastUpdated: status.lastUpdated } : null,
            IsPastDue: isPastDue,
        };
        const retry = fn.rpcMetadata.retryOptions;
        const maxRetries = retry?.maxRetryCount ?? 0;
        let retryContext: RpcRetryContext | undefined;
        for (let attempt = 0; ; attempt++) {
            const invocationId = randomUUID();
            this.options.emit({ kind: 'invocationStarted', functionName: fn.name, invocationId, trigger: 'timer', isPastDue });
            const outcome = await this.options.invoker.invoke({
                invocationId,
                trigger: { json: JSON.stringify(timerInfo) },
                triggerMetadata: {},
                retryContext,
                reason: `Timer fired at ${now.toISOString()}${isPastDue ? ' (past due)' : ''}`,
            });
            this.options.emit({
                kind: 'invocationFinished',
                functionName: fn.name,
                invocationId,
                ok: outcome.ok,
                durationMs: outcome.durationMs,
                ...(outcome.ok ? {} : { error: outcome.error.message }),
            });
            if (outcome.ok || attempt >= maxRetries || this.stopping || !retry) {
                break;
            }
            retryContext = {
                retryCount: attempt + 1,
                maxRetryCount: maxRetries,
                exception: { message: outcome.error.message, source: fn.name, stackTrace: outcome.error.stack ?? null },
            };
            await new Promise((resolve) => setTimeout(resolve, retryDelayMs(retry, attempt + 1)));
        }
        if (this.useMonitor) {
            const written = { last: now.toISOString(), next: next.toISOString(), lastUpdated: new Date().toISOString() };
            await this.options.statusStore.write(fn.name, written).catch((error: unknown) =>
                this.options.log({
                    time: new Date(),
                    level: 'warning',
                    category: 'host',
                    functionName: fn.name,
                    message: `schedule monitor: cannot save the status (${error instanceof Error ? error.message : String(error)})`,
                }),
            );
        }
    }
}

function durationMs(duration: { seconds?: number | null; nanos?: number | null } | null | undefined): number {
    return (Number(duration?.seconds ?? 0) * 1000) + Math.round(Number(duration?.nanos ?? 0) / 1e6);
}

/** Delay before retry number `retry` (1-based) under the registered policy. */
export function retryDelayMs(options: RpcRetryOptions, retry: number): number {
    if (options.retryStrategy === 'exponentialBackoff') {
        const minimum = durationMs(options.minimumInterval);
        const maximum = durationMs(options.maximumInterval);
        return Math.min(maximum, minimum * 2 ** (retry - 1));
    }
    return durationMs(options.delayInterval);
}
