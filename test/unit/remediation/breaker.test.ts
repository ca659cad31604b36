import { applyBreaker, type BreakerAction, type BreakerCandidate } from '../../../shared/remediation/breaker';

const now = new Date('2025-06-01T12:00:00Z');
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const minutesAfterNow = (m: number): Date => new Date(now.getTime() + m * 60_000);

function candidates(action: BreakerAction, count: number, prefix: string = action): BreakerCandidate[] {
    return Array.from({ length: count }, (_, i) => ({ userId: `${prefix}-${i + 1}`, action }));
}

describe('applyBreaker (R6: automatic actions are capped per rolling hour)', () => {
    const caps = { confirmCompromised: 5, dismiss: 10 };

    it.each<[string, number[], number, number, number]>([
        ['an empty window lets a batch under the cap through', [], 3, 3, 0],
        ['an empty window lets exactly the cap through', [], 5, 5, 0],
        ['an empty window holds what is past the cap', [], 7, 5, 2],
        ['actions in the last hour use up the room', [50, 40, 30], 4, 2, 2],
        ['a full window holds everything', [59, 45, 30, 15, 1], 2, 0, 2],
        ['actions older than an hour are forgotten', [120, 61, 60], 5, 5, 0],
        ['an action exactly an hour ago has left the window', [60, 60, 60, 60, 60], 5, 5, 0],
        ['an action a moment under an hour ago still counts', [59.99, 59.99, 59.99, 59.99, 59.99], 1, 0, 1],
    ])('%s', (_name, takenMinutesAgo, batch, allowed, held) => {
        const result = applyBreaker({
            now,
            caps,
            recentActions: { confirmCompromised: takenMinutesAgo.map(minutesAgo), dismiss: [] },
            candidates: candidates('confirmCompromised', batch),
        });

        expect(result.allowed).toHaveLength(allowed);
        expect(result.held).toHaveLength(held);
        expect(result.tripped).toBe(held > 0);
        expect(result.kinds.confirmCompromised).toMatchObject({ cap: 5, allowed, held, tripped: held > 0 });
    });

    it('keeps the candidates\u2019 order: the first ones go ahead, the rest are held', () => {
        const result = applyBreaker({
            now,
            caps,
            recentActions: { confirmCompromised: [minutesAgo(10), minutesAgo(20), minutesAgo(30)], dismiss: [] },
            candidates: candidates('confirmCompromised', 4, 'user'),
        });

        expect(result.allowed.map((c) => c.userId)).toEqual(['user-1', 'user-2']);
        expect(result.held.map((c) => c.userId)).toEqual(['user-3', 'user-4']);
    });

    it('counts each kind against its own cap', () => {
        const batch = [...candidates('dismiss', 12), ...candidates('confirmCompromised', 2)];

        const result = applyBreaker({
            now,
            caps,
            recentActions: { confirmCompromised: [], dismiss: [] },
            candidates: batch,
        });

        expect(result.allowed.filter((c) => c.action === 'confirmCompromised')).toHaveLength(2);
        expect(result.allowed.filter((c) => c.action === 'dismiss')).toHaveLength(10);
        expect(result.held.map((c) => c.userId)).toEqual(['dismiss-11', 'dismiss-12']);
        expect(result.kinds.confirmCompromised.tripped).toBe(false);
        expect(result.kinds.dismiss.tripped).toBe(true);
    });

    describe('when it resets', () => {
        it('when not tripped, then there is nothing to reset', () => {
            const result = applyBreaker({
                now,
                caps,
                recentActions: { confirmCompromised: [], dismiss: [] },
                candidates: candidates('dismiss', 3),
            });

            expect(result).toMatchObject({ tripped: false, resetsAt: null });
            expect(result.kinds.dismiss.resetsAt).toBeNull();
        });

        it('when the window was full, then room returns an hour after the oldest action in it', () => {
            const taken = [minutesAgo(50), minutesAgo(40), minutesAgo(30), minutesAgo(20), minutesAgo(10)];

            const result = applyBreaker({
                now,
                caps,
                recentActions: { confirmCompromised: taken, dismiss: [] },
                candidates: candidates('confirmCompromised', 1),
            });

            expect(result.resetsAt).toEqual(minutesAfterNow(10));
            expect(result.kinds.confirmCompromised).toMatchObject({
                used: 5,
                allowed: 0,
                held: 1,
                resetsAt: minutesAfterNow(10),
            });
        });

        it('counts the actions allowed now: a storm that fills the window resets an hour after the oldest kept', () => {
            const result = applyBreaker({
                now,
                caps,
                recentActions: { confirmCompromised: [minutesAgo(45), minutesAgo(5)], dismiss: [] },
                candidates: candidates('confirmCompromised', 8),
            });

            expect(result.allowed).toHaveLength(3);
            expect(result.held).toHaveLength(5);
            expect(result.resetsAt).toEqual(minutesAfterNow(15));
        });

        it('when the window holds more than the cap (the cap was lowered), then it resets once enough have left', () => {
            const taken = [50, 45, 40, 35, 30, 25, 20].map(minutesAgo);

            const result = applyBreaker({
                now,
                caps,
                recentActions: { confirmCompromised: taken, dismiss: [] },
                candidates: candidates('confirmCompromised', 1),
            });

            // 7 in the window, cap 5: room for one more when 3 have left, i.e. when the one taken 40 minutes ago leaves.
            expect(result.resetsAt).toEqual(minutesAfterNow(20));
        });

        it('when both kinds tripped, then it resets when both have room again', () => {
            const result = applyBreaker({
                now,
                caps: { confirmCompromised: 1, dismiss: 1 },
                recentActions: { confirmCompromised: [minutesAgo(50)], dismiss: [minutesAgo(20)] },
                candidates: [...candidates('confirmCompromised', 1), ...candidates('dismiss', 1)],
            });

            expect(result.kinds.confirmCompromised.resetsAt).toEqual(minutesAfterNow(10));
            expect(result.kinds.dismiss.resetsAt).toEqual(minutesAfterNow(40));
            expect(result.resetsAt).toEqual(minutesAfterNow(40));
        });

        it('when a cap is 0, then every automatic action of that kind is held and it never resets by itself', () => {
            const result = applyBreaker({
                now,
                caps: { confirmCompromised: 0, dismiss: 10 },
                recentActions: { confirmCompromised: [], dismiss: [] },
                candidates: candidates('confirmCompromised', 2),
            });

            expect(result).toMatchObject({ tripped: true, resetsAt: null });
            expect(result.held).toHaveLength(2);
        });

        it('counts actions stamped after now (clock skew) as inside the window', () => {
            const result = applyBreaker({
                now,
                caps: { confirmCompromised: 1, dismiss: 1 },
                recentActions: { confirmCompromised: [minutesAfterNow(2)], dismiss: [] },
                candidates: candidates('confirmCompromised', 1),
            });

            expect(result.held).toHaveLength(1);
            expect(result.resetsAt).toEqual(minutesAfterNow(62));
        });
    });

    it('returns the candidates it was given, so decisions pass through unchanged', () => {
        const decision = { userId: 'u1', action: 'dismiss' as const, ruleId: 'corporate-egress-anonymizer' };

        const result = applyBreaker({
            now,
            caps,
            recentActions: { confirmCompromised: [], dismiss: [] },
            candidates: [decision],
        });

        expect(result.allowed[0]).toBe(decision);
    });

    it.each([[-1], [1.5], [Number.NaN]])('when a cap is %p, then it is a bug and throws', (cap) => {
        expect(() =>
            applyBreaker({
                now,
                caps: { confirmCompromised: cap, dismiss: 1 },
                recentActions: { confirmCompromised: [], dismiss: [] },
                candidates: [],
            }),
        ).toThrow(RangeError);
    });
});
