/**
 * The circuit breaker of design R6, as pure code: it caps automatic actions per action kind in a rolling hour.
 * Past a cap the remaining users are `held` (recorded and alerted by the caller, not acted on) until enough
 * earlier actions leave the window. The caller passes the clock (`now`) and the timestamps of the actions already
 * taken; nothing here reads a clock or keeps state.
 */

/** The actions the breaker counts: the two automatic writes. */
export type BreakerAction = 'confirmCompromised' | 'dismiss';

/** Something about to be acted on: a user and the action (a decision fits as is). */
export interface BreakerCandidate {
    readonly userId: string;
    readonly action: BreakerAction;
}

/** Maximum users per action kind in any rolling hour. 0 holds every automatic action of that kind. */
export interface BreakerCaps {
    readonly confirmCompromised: number;
    readonly dismiss: number;
}

/** Everything the breaker reads. */
export interface BreakerInput<T extends BreakerCandidate> {
    /** The current time, from the caller's clock. */
    readonly now: Date;
    /** Per rolling hour (settings). */
    readonly caps: BreakerCaps;
    /**
     * When earlier automatic actions were taken, one timestamp per user acted on (a call for 60 users counts 60),
     * per kind. Entries older than an hour are ignored; entries after `now` (clock skew) still count.
     */
    readonly recentActions: { readonly [K in BreakerAction]: readonly Date[] };
    /** The users about to be acted on, in the order they should get the remaining room. */
    readonly candidates: readonly T[];
}

/** How one kind stands after this batch. */
export interface BreakerKindState {
    readonly cap: number;
    /** Actions already in the window before this batch. */
    readonly used: number;
    /** Candidates of this kind that may go ahead. */
    readonly allowed: number;
    /** Candidates of this kind held back. */
    readonly held: number;
    /** True when this kind held at least one candidate. */
    readonly tripped: boolean;
    /**
     * When tripped: the first time at which one more action of this kind fits in the window (counting the ones
     * allowed now, at `now`). Null when not tripped, or when the cap is 0 (it never resets by itself).
     */
    readonly resetsAt: Date | null;
}

/** The breaker's verdict: which candidates go ahead, which are held, and why. */
export interface BreakerResult<T extends BreakerCandidate> {
    /** Candidates that may be acted on, in input order. */
    readonly allowed: readonly T[];
    /** Candidates past the cap, in input order: record them as `held` and alert the owners. */
    readonly held: readonly T[];
    /** True when anything was held. */
    readonly tripped: boolean;
    /** The latest `resetsAt` of the tripped kinds; null when not tripped or when a tripped kind has cap 0. */
    readonly resetsAt: Date | null;
    readonly kinds: { readonly [K in BreakerAction]: BreakerKindState };
}

/** The rolling window: one hour. */
export const breakerWindowMs = 60 * 60 * 1000;

const breakerActions: readonly BreakerAction[] = ['confirmCompromised', 'dismiss'];

/**
 * Lets candidates through while their kind has room in the rolling hour `(now - 1h, now]`, and holds the rest.
 *
 * @throws RangeError when a cap is not a non-negative integer (settings should have rejected it)
 */
export function applyBreaker<T extends BreakerCandidate>(input: BreakerInput<T>): BreakerResult<T> {
    const now = input.now.getTime();
    const allowed: T[] = [];
    const held: T[] = [];
    const inWindow = {} as Record<BreakerAction, number[]>;
    const room = {} as Record<BreakerAction, number>;
    for (const kind of breakerActions) {
        const cap = input.caps[kind];
        if (!Number.isInteger(cap) || cap < 0) {
            throw new RangeError(`applyBreaker: cap for ${kind} must be a non-negative integer`);
        }
        inWindow[kind] = input.recentActions[kind].map((t) => t.getTime()).filter((t) => t > now - breakerWindowMs);
        room[kind] = Math.max(0, cap - inWindow[kind].length);
    }

    for (const candidate of input.candidates) {
        const kind = candidate.action;
        if (room[kind] > 0) {
            room[kind]--;
            allowed.push(candidate);
        } else {
            held.push(candidate);
        }
    }

    const kinds = {} as Record<BreakerAction, BreakerKindState>;
    for (const kind of breakerActions) {
        const cap = input.caps[kind];
        const allowedHere = allowed.filter((c) => c.action === kind).length;
        const heldHere = held.filter((c) => c.action === kind).length;
        const tripped = heldHere > 0;
        kinds[kind] = {
            cap,
            used: inWindow[kind].length,
            allowed: allowedHere,
            held: heldHere,
            tripped,
            resetsAt: tripped ? nextRoomAt(inWindow[kind], allowedHere, cap, now) : null,
        };
    }

    const trippedKinds = breakerActions.filter((kind) => kinds[kind].tripped);
    const resets = trippedKinds.map((kind) => kinds[kind].resetsAt);
    const resetsAt =
        resets.length === 0 || resets.some((r) => r === null)
            ? null
            : new Date(Math.max(...resets.map((r) => (r === null ? 0 : r.getTime()))));
    return { allowed, held, tripped: trippedKinds.length > 0, resetsAt, kinds };
}

/**
 * The window holds `times` plus `allowedNow` actions at `now`; one more fits once only `cap - 1` remain, that is
 * when the (n - cap + 1)-th oldest leaves the window.
 */
function nextRoomAt(times: readonly number[], allowedNow: number, cap: number, now: number): Date | null {
    if (cap === 0) {
        return null;
    }
    const all = [...times, ...new Array<number>(allowedNow).fill(now)].sort((a, b) => a - b);
    const leaving = all[all.length - cap];
    return leaving === undefined ? null : new Date(leaving + breakerWindowMs);
}
