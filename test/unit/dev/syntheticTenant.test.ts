import { canonicalToDate } from '../../../dev/graph-simulator/datetime';
import { createSyntheticTenant, scheduleDetections } from '../../../dev/graph-simulator/syntheticTenant';

const start = new Date('2025-06-01T00:00:00Z');
const day = 24 * 3_600_000;

function build(seed: number) {
    const synthetic = createSyntheticTenant({ seed, userCount: 200, start, clock: () => start });
    const summary = scheduleDetections(synthetic, {
        seed,
        start,
        durationMs: day,
        count: 1000,
    });
    synthetic.advanceTo(new Date(start.getTime() + 3 * day));
    return { synthetic, summary };
}

describe('synthetic tenant', () => {
    const { synthetic: tenant, summary } = build(42);
    const users = [...tenant.users.values()];
    const detections = [...tenant.detections.values()];

    it('is the same for the same seed and different for another', () => {
        const again = build(42);
        expect([...again.synthetic.users.keys()]).toEqual([...tenant.users.keys()]);
        expect([...again.synthetic.detections.keys()]).toEqual([...tenant.detections.keys()]);
        expect(again.summary).toEqual(summary);
        expect([...build(43).synthetic.users.keys()]).not.toEqual([...tenant.users.keys()]);
    });

    it('has contoso-style users with GUID ids, most with a manager and some without', () => {
        expect(users).toHaveLength(203);
        expect(tenant.userIds).toHaveLength(200);
        for (const user of users) {
            expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            expect(user.userPrincipalName).toMatch(/^[a-z.-]+\d*@contoso\.example$/);
        }
        expect(tenant.users.get(tenant.userIds[0]!)?.userPrincipalName).toMatch(
            /^[a-z]+\.[a-z]+0001@contoso\.example$/,
        );
        const regular = tenant.userIds.map((id) => tenant.users.get(id)!);
        const withManager = regular.filter((user) => user.managerId !== undefined);
        expect(withManager.length).toBeGreaterThan(150);
        expect(withManager.length).toBeLessThan(200);
        expect(withManager.every((user) => tenant.users.has(user.managerId!))).toBe(true);
    });

    it('has a two-member break-glass group and a nested exclusion group', () => {
        expect(tenant.groups.get(tenant.breakGlassGroupId)?.memberIds).toEqual(tenant.breakGlassUserIds);
        expect(tenant.groups.get(tenant.exclusionGroupId)?.memberIds).toContain(tenant.nestedGroupId);
        for (const memberId of tenant.nestedGroupMemberIds) {
            expect(tenant.transitiveGroupIdsOf(memberId).has(tenant.exclusionGroupId)).toBe(true);
        }
        expect(tenant.users.get(tenant.findUser(tenant.notificationMailbox)!.id)?.mail).toBe(
            tenant.notificationMailbox,
        );
    });

    it('schedules the planned number of detections with a realistic mix', () => {
        expect(summary.scheduled).toBe(1000);
        expect(detections).toHaveLength(1000); // all applied after advancing three days
        expect(Object.keys(summary.byType).sort()).toEqual(
            [
                'anonymizedIPAddress',
                'investigationsThreatIntelligence',
                'leakedCredentials',
                'maliciousIPAddress',
                'passwordSpray',
                'suspiciousAgentActivity',
                'unfamiliarFeatures',
                'unlikelyTravel',
            ].sort(),
        );
        expect(new Set(detections.map((d) => d.riskLevel))).toEqual(new Set(['low', 'medium', 'high']));
        expect(detections.every((d) => /^[0-9a-f]{64}$/.test(d.id))).toBe(true);
        expect(
            detections
                .filter((d) => d.riskEventType === 'leakedCredentials')
                .every((d) => d.riskLevel === 'high' || d.riskState !== 'atRisk'),
        ).toBe(true);
    });

    it('uses documentation IP ranges only', () => {
        for (const detection of detections) {
            if (detection.ipAddress !== null) {
                expect(detection.ipAddress).toMatch(
                    /^(203\.0\.113\.\d{1,3}|198\.51\.100\.\d{1,3}|2001:db8:[0-9a-f]{1,4}::[0-9a-f]{1,4})$/,
                );
            }
        }
    });

    it('makes offline detections surface hours after their activity and minutes after their last update', () => {
        const offline = detections.filter(
            (d) => d.detectionTimingType === 'offline' && d.riskEventType !== 'passwordSpray',
        );
        expect(offline.length).toBeGreaterThan(100);
        for (const detection of offline) {
            const activity = canonicalToDate(detection.activityDateTime).getTime();
            expect(detection.visibleAt.getTime() - activity).toBeGreaterThanOrEqual(3_600_000);
        }
        for (const detection of detections) {
            const lag = detection.visibleAt.getTime() - canonicalToDate(detection.lastUpdatedDateTime).getTime();
            expect(lag).toBeGreaterThanOrEqual(0);
            expect(lag).toBeLessThanOrEqual(10 * 60_000 + 1);
        }
    });

    it('raises some levels to high later and sends one password-spray wave within minutes', () => {
        expect(summary.escalations).toBeGreaterThan(5);
        const escalated = detections.filter(
            (d) => d.riskLevel === 'high' && d.lastUpdatedDateTime > d.detectedDateTime && d.riskState === 'atRisk',
        );
        expect(escalated.length).toBeGreaterThan(0);

        expect(summary.burstUserIds).toHaveLength(20);
        expect(new Set(summary.burstUserIds).size).toBe(20);
        const waveStart = start.getTime() + day / 2;
        const wave = detections.filter((d) => {
            const detected = canonicalToDate(d.detectedDateTime).getTime();
            return d.riskEventType === 'passwordSpray' && detected >= waveStart && detected <= waveStart + 5 * 60_000;
        });
        expect(wave.length).toBeGreaterThanOrEqual(20);
        expect(summary.burstUserIds.every((userId) => wave.some((d) => d.userId === userId))).toBe(true);
    });

    it('leaves users at risk, at the highest level of their at-risk detections', () => {
        const atRisk = [...tenant.riskyUsers.values()].filter((u) => u.riskState === 'atRisk');
        expect(atRisk.length).toBeGreaterThan(100);
        for (const riskyUser of atRisk.slice(0, 50)) {
            const levels = tenant
                .detectionsOfUser(riskyUser.id)
                .filter((d) => d.riskState === 'atRisk')
                .map((d) => d.riskLevel);
            const expected = levels.includes('high') ? 'high' : levels.includes('medium') ? 'medium' : 'low';
            expect(riskyUser.riskLevel).toBe(expected);
        }
    });
});
