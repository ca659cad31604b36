/**
 * Structured events of the local host, for whoever runs it (the `start` command's live log, tests). Plain JSON
 * values, so they cross the IPC channel of a host child process unchanged.
 */

/** A function as indexed: its trigger binding as registered and as resolved against the app settings. */
export interface IndexedFunctionSummary {
    name: string;
    /** App-relative path of the file that registered it. */
    scriptFile: string;
    triggerType: string;
    /** The trigger binding exactly as registered (what Azure's host indexes), `%SETTING%` expressions included. */
    registeredTrigger: Record<string, unknown>;
    /** The same binding with `%SETTING%` expressions resolved; absent when resolving failed. */
    resolvedTrigger?: Record<string, unknown>;
    /** Every binding as the worker reports it to the host (`rawBindings`). */
    rawBindings: string[];
    /** True when the host.json `functions` list (or its override) leaves it out. */
    disabled: boolean;
}

export type HostEvent =
    | { kind: 'indexed'; functions: IndexedFunctionSummary[] }
    /** The function cannot run (bad binding, unresolved setting, unsupported option); the others still do. */
    | { kind: 'functionError'; functionName: string; message: string }
    | { kind: 'listening'; functionName: string; detail: string }
    | { kind: 'started' }
    | {
          kind: 'invocationStarted';
          functionName: string;
          invocationId: string;
          trigger: 'timer' | 'serviceBus';
          /** Service Bus: the message ids, in batch order. */
          messageIds?: string[];
          /** Service Bus: delivery counts as the host reports them (1 on first delivery). */
          deliveryCounts?: number[];
          /** Timer: whether the occurrence was missed (schedule monitor). */
          isPastDue?: boolean;
      }
    | {
          kind: 'invocationFinished';
          functionName: string;
          invocationId: string;
          ok: boolean;
          durationMs: number;
          error?: string;
          /** Service Bus: what the host did with the messages. */
          settlement?: 'completed' | 'abandoned' | 'none' | 'abandonedAtStop';
          messageIds?: string[];
      }
    /** A receive or settle call failed; the listener recovers by itself. */
    | { kind: 'listenerError'; functionName: string; message: string }
    | { kind: 'stopped' };

export type HostEventSink = (event: HostEvent) => void;
