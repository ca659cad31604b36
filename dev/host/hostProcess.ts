import type { HostEvent, IndexedFunctionSummary } from './hostEvents';
import type { HostLogEntry } from './invoker';
import { loadFunctionApp, type LocalHost, startLocalHost } from './localHost';

/**
 * The entry point of a host child process (see spawnHost.ts). The parent sends one `start` message with the
 * options over the IPC channel; the child then reports logs and events, and stops cleanly on a `stop` message,
 * SIGTERM, SIGINT or when the parent goes away. The environment of the process is the app settings.
 */

/** What the parent sends. */
export type ParentMessage = { type: 'start'; options: HostProcessStartOptions } | { type: 'stop' };

/** What the child sends. */
export type ChildMessage =
    | { type: 'log'; entry: HostLogEntry }
    | { type: 'event'; event: HostEvent }
    | { type: 'indexed'; functions: IndexedFunctionSummary[]; errors: Array<{ functionName: string; message: string }> }
    | { type: 'failed'; message: string };

/** The serializable subset of LocalHostOptions, plus the mode. */
export interface HostProcessStartOptions {
    /** run: start the listeners; index: load the app, report the registrations and exit. */
    mode: 'run' | 'index';
    appRoot: string;
    functionFiles?: string;
    runTimersAtStart?: boolean;
    scheduleStatusDir?: string;
    stopGraceMs?: number;
}

function send(message: ChildMessage): Promise<void> {
    return new Promise((resolve) => {
        if (!process.send || !process.connected) {
            resolve();
            return;
        }
        process.send(message, undefined, {}, () => resolve());
    });
}

export function runHostProcess(): void {
    if (!process.send) {
        console.error('dev/host/hostProcess: start me with spawnHostProcess() (an IPC channel is required)');
        process.exitCode = 2;
        return;
    }
    let host: LocalHost | undefined;
    let stopping: Promise<void> | undefined;
    const stop = (exitCode: number): Promise<void> => {
        stopping ??= (async () => {
            // The host reports `stopped` itself; a child that never got going reports nothing more.
            await host?.stop().catch(() => undefined);
            process.exit(exitCode);
        })();
        return stopping;
    };
    process.on('message', (message: ParentMessage) => {
        if (message.type === 'start') {
            void begin(message.options).then(
                (started) => {
                    host = started;
                },
                async (error: unknown) => {
                    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
                    process.exit(1);
                },
            );
        } else if (message.type === 'stop') {
            void stop(0);
        }
    });
    process.on('SIGTERM', () => void stop(0));
    process.on('SIGINT', () => void stop(0));
    process.on('disconnect', () => void stop(0));
}

async function begin(options: HostProcessStartOptions): Promise<LocalHost | undefined> {
    const log = (entry: HostLogEntry) => void send({ type: 'log', entry });
    if (options.mode === 'index') {
        const app = await loadFunctionApp({ ...options, log });
        await send({ type: 'indexed', functions: [...app.summaries], errors: [...app.errors] });
        process.exit(0);
    }
    return startLocalHost({ ...options, log, onEvent: (event) => void send({ type: 'event', event }) });
}

if (require.main === module) {
    runHostProcess();
}
