/** Injected failures, consumed in order by the requests they match. */

export type FaultKind = 'status500' | 'status503' | 'status429' | 'timeout' | 'malformedJson' | 'malformedShape';

const faultKinds: readonly FaultKind[] = [
    'status500',
    'status503',
    'status429',
    'timeout',
    'malformedJson',
    'malformedShape',
];

export interface FaultSpec {
    /** Tested against the request path, e.g. `/v1.0/identityProtection/riskDetections` (no query). All when absent. */
    pathPattern?: RegExp;
    kind: FaultKind;
    /** How many matching requests get this fault (a positive integer). */
    count: number;
}

export class FaultQueue {
    private readonly pending: Array<{ pathPattern?: RegExp; kind: FaultKind; remaining: number }> = [];

    add(faults: readonly FaultSpec[]): void {
        for (const fault of faults) {
            if (!faultKinds.includes(fault.kind)) {
                throw new Error(`Unknown fault kind: ${String(fault.kind)}`);
            }
            if (!Number.isInteger(fault.count) || fault.count < 1) {
                throw new Error(`Fault count must be a positive integer, got ${fault.count}`);
            }
        }
        for (const fault of faults) {
            this.pending.push({ pathPattern: fault.pathPattern, kind: fault.kind, remaining: fault.count });
        }
    }

    /** The first pending fault that matches `path`, consumed by one; undefined when none applies. */
    take(path: string): FaultKind | undefined {
        const index = this.pending.findIndex((fault) => matches(fault.pathPattern, path));
        const fault = this.pending[index];
        if (fault === undefined) {
            return undefined;
        }
        fault.remaining--;
        if (fault.remaining === 0) {
            this.pending.splice(index, 1);
        }
        return fault.kind;
    }

    clear(): void {
        this.pending.length = 0;
    }
}

function matches(pattern: RegExp | undefined, path: string): boolean {
    if (pattern === undefined) {
        return true;
    }
    pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
    return pattern.test(path);
}
