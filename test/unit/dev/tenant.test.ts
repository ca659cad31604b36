import { createTenant, type SimulatedTenant } from '../../../dev/graph-simulator/tenant';

const t0 = new Date('2025-06-01T10:00:00Z');
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);

function tenantWithUser(): { tenant: SimulatedTenant; userId: string } {
    const tenant = createTenant('contoso-test', { clock: () => t0, actionLagMs: 120_000 });
    const user = tenant.addUser({ userPrincipalName: 'adele.vance0001@contoso.example', displayName: 'Adele Vance' });
    return { tenant, userId: user.id };
}

describe('SimulatedTenant', () => {
    it('when detections arrive, then the user is atRisk at the highest at-risk level', () => {
        const { tenant, userId } = tenantWithUser();
        tenant.addDetection({ userId, riskEventType: 'unfamiliarFeatures', riskLevel: 'medium' });
        tenant.addDetection({ userId, riskEventType: 'anonymizedIPAddress', riskLevel: 'low' });
        tenant.addDetection({ userId, riskEventType: 'passwordSpray', riskLevel: 'high', riskState: 'remediated' });

        const riskyUser = tenant.riskyUsers.get(userId);
        expect(riskyUser).toMatchObject({ riskState: 'atRisk', riskLevel: 'medium', riskDetail: 'none' });
        expect(riskyUser?.history).toHaveLength(1);
    });

    it('when a level rises, then lastUpdatedDateTime moves forward even on a frozen clock, and the user follows', () => {
        const { tenant, userId } = tenantWithUser();
        const detection = tenant.addDetection({ userId, riskEventType: 'unlikelyTravel', riskLevel: 'low' });
        const before = detection.lastUpdatedDateTime;

        tenant.updateDetection(detection.id, { riskLevel: 'high' });

        expect(detection.lastUpdatedDateTime > before).toBe(true);
        expect(tenant.riskyUsers.get(userId)?.riskLevel).toBe('high');
    });

    it('when a change surfaces with a lag, then the previous version is served until then', () => {
        const { tenant, userId } = tenantWithUser();
        const detection = tenant.addDetection({
            userId,
            riskEventType: 'unlikelyTravel',
            riskLevel: 'medium',
            visibleAt: minutes(5),
        });
        expect(tenant.visibleVersion(detection, minutes(4))).toBeUndefined();
        expect(tenant.visibleVersion(detection, minutes(5))?.riskLevel).toBe('medium');

        tenant.updateDetection(detection.id, { riskLevel: 'high' }, { at: minutes(10), visibleAfterMs: 5 * 60_000 });

        expect(tenant.visibleVersion(detection, minutes(12))?.riskLevel).toBe('medium');
        expect(tenant.visibleVersion(detection, minutes(15))?.riskLevel).toBe('high');
    });

    it('when confirmed compromised, then detections, user and history change and an echo surfaces after the lag', () => {
        const { tenant, userId } = tenantWithUser();
        const detection = tenant.addDetection({ userId, riskEventType: 'unfamiliarFeatures', riskLevel: 'high' });

        tenant.confirmCompromised([userId], { at: minutes(1) });

        expect(detection).toMatchObject({
            riskState: 'confirmedCompromised',
            riskDetail: 'adminConfirmedUserCompromised',
        });
        expect(tenant.riskyUsers.get(userId)).toMatchObject({
            riskLevel: 'high',
            riskState: 'confirmedCompromised',
            riskDetail: 'adminConfirmedUserCompromised',
        });
        const echo = [...tenant.detectionsOfUser(userId)].find(
            (d) => d.riskEventType === 'adminConfirmedUserCompromised',
        );
        expect(echo).toMatchObject({
            activity: 'user',
            detectionTimingType: 'offline',
            riskLevel: 'high',
            riskState: 'confirmedCompromised',
        });
        expect(echo?.visibleAt).toEqual(minutes(3));
        expect(echo?.id).toMatch(/^[0-9a-f]{64}$/);
        const last = tenant.riskyUsers.get(userId)?.history.at(-1);
        expect(last).toMatchObject({
            initiatedBy: tenant.automationPrincipalId,
            activity: { riskEventTypes: ['adminConfirmedUserCompromised'], detail: 'adminConfirmedUserCompromised' },
        });
        expect(tenant.isProcessing(tenant.riskyUsers.get(userId)!, minutes(2))).toBe(true);
        expect(tenant.isProcessing(tenant.riskyUsers.get(userId)!, minutes(3))).toBe(false);
    });

    it('when an admin dismisses, then every detection of the user is dismissed and the admin is the initiator', () => {
        const { tenant, userId } = tenantWithUser();
        const a = tenant.addDetection({ userId, riskEventType: 'unfamiliarFeatures', riskLevel: 'high' });
        const b = tenant.addDetection({
            userId,
            riskEventType: 'passwordSpray',
            riskLevel: 'low',
            riskState: 'remediated',
        });

        tenant.adminDismiss(userId, { at: minutes(1) });

        for (const detection of [a, b]) {
            expect(detection).toMatchObject({ riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' });
            expect(detection.lastUpdatedDateTime).toBe('2025-06-01T10:01:00.0000000Z');
        }
        expect(tenant.riskyUsers.get(userId)).toMatchObject({ riskLevel: 'none', riskState: 'dismissed' });
        expect(tenant.riskyUsers.get(userId)?.history.at(-1)?.initiatedBy).toBe(tenant.adminPrincipalId);
    });

    it('refuses actions Graph refuses: empty, over 60 ids, not risky, dismissing a deleted user', () => {
        const { tenant, userId } = tenantWithUser();
        tenant.addDetection({ userId, riskEventType: 'unfamiliarFeatures', riskLevel: 'high' });
        const other = tenant.addUser({
            userPrincipalName: 'alex.wilber0002@contoso.example',
            displayName: 'Alex Wilber',
        });

        expect(tenant.checkActionTargets('dismiss', [])).toMatch(/at least one/);
        expect(
            tenant.checkActionTargets(
                'dismiss',
                Array.from({ length: 61 }, () => userId),
            ),
        ).toMatch(/at most 60/);
        expect(tenant.checkActionTargets('confirmCompromised', [userId, other.id])).toMatch(/not risky/);
        expect(tenant.checkActionTargets('confirmCompromised', [userId])).toBeUndefined();

        tenant.deleteUser(userId);
        expect(tenant.checkActionTargets('dismiss', [userId])).toMatch(/deleted/);
        expect(() => tenant.adminDismiss(userId)).toThrow(/deleted/);
        expect(tenant.checkActionTargets('confirmCompromised', [userId])).toMatch(/deleted/);
    });

    it('resolves nested group membership transitively and tolerates cycles', () => {
        const { tenant, userId } = tenantWithUser();
        const inner = tenant.addGroup({ displayName: 'Executive Office', memberIds: [userId] });
        const outer = tenant.addGroup({ displayName: 'Risk Response Exclusions', memberIds: [inner.id] });
        const unrelated = tenant.addGroup({ displayName: 'Sales Team', memberIds: [] });
        tenant.addGroupMember(inner.id, outer.id); // a cycle

        expect([...tenant.transitiveGroupIdsOf(userId)].sort()).toEqual([inner.id, outer.id].sort());
        expect(tenant.transitiveGroupIdsOf(userId).has(unrelated.id)).toBe(false);
    });

    it('applies scheduled changes in time order, each at its own time', () => {
        const { tenant, userId } = tenantWithUser();
        const applied: string[] = [];
        tenant.schedule(minutes(2), 'second', (_t, at) => applied.push(`second@${at.toISOString()}`));
        tenant.schedule(minutes(1), 'first', (target, at) => {
            applied.push('first');
            target.addDetection({
                userId,
                riskEventType: 'leakedCredentials',
                riskLevel: 'high',
                lastUpdatedDateTime: at,
            });
        });
        tenant.schedule(minutes(9), 'later', () => applied.push('later'));

        expect(tenant.advanceTo(minutes(5))).toBe(2);

        expect(applied).toEqual(['first', `second@${minutes(2).toISOString()}`]);
        expect(tenant.pendingEventCount).toBe(1);
        expect(tenant.riskyUsers.get(userId)?.riskLastUpdatedDateTime).toBe('2025-06-01T10:01:00.0000000Z');
    });

    it('generates the same ids for the same tenant id', () => {
        expect(createTenant('t').newGuid()).toBe(createTenant('t').newGuid());
        expect(createTenant('t').newDetectionId()).not.toBe(createTenant('u').newDetectionId());
    });
});
