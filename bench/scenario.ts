import { createSyntheticTenant, SyntheticTenant } from '../dev/graph-simulator';

/** What the benchmark tenant holds, by construction (the floor is computed from these counts). */
export interface Scenario {
    seed: string;
    tenantUsers: number;
    burstDetections: number;
    burstUsers: number;
    /** Burst users by the decision the rules give them. */
    confirmUsers: number;
    dismissUsers: number;
    excludedUsers: number;
    leftAloneUsers: number;
    /** Low and medium at-risk detections outside the burst (not queued; they weigh on tenant-wide listings). */
    backgroundDetections: number;
    backgroundUsers: number;
}

export interface ScenarioTenant {
    tenant: SyntheticTenant;
    scenario: Scenario;
    /** The burst's detection ids, for counting what was decided. */
    burstDetectionIds: string[];
    /** Burst users who should be acted on, by action. */
    expected: { confirmCompromised: Set<string>; dismiss: Set<string> };
    rulesYaml: string;
}

type Profile = 'confirm' | 'dismiss' | 'excluded' | 'alone';

/** A small deterministic generator (mulberry32), so the same seed gives the same scenario. */
function createRandom(seed: string): () => number {
    let state = [...seed].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261) >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * The benchmark's tenant: 20,000 users; a password-spray wave of 5,000 high at-risk detections over 2,000 users
 * (40 % confirmed by rule, 30 % dismissed by rule, 10 % excluded, 20 % left alone), plus background low and
 * medium detections; everything visible when the burst poll starts.
 */
export function createScenarioTenant(options: {
    seed: string;
    now: Date;
    tenantUsers?: number;
    burstUsers?: number;
    burstDetections?: number;
}): ScenarioTenant {
    const tenantUsers = options.tenantUsers ?? 20_000;
    const burstUsers = options.burstUsers ?? 2_000;
    const burstDetections = options.burstDetections ?? 5_000;
    const random = createRandom(options.seed);
    const tenant = createSyntheticTenant({
        seed: options.seed,
        userCount: tenantUsers,
        start: options.now,
        actionLagMs: 0,
    });
    // Users the synthetic directory already excludes (its exclusion group and nested groups) are left out, so
    // the profiles below say exactly who must be acted on.
    const excludedGroups = new Set([tenant.exclusionGroupId, tenant.breakGlassGroupId]);
    const pool = tenant.userIds
        .filter((userId) => ![...tenant.transitiveGroupIdsOf(userId)].some((groupId) => excludedGroups.has(groupId)))
        .map((userId) => ({ userId, order: random() }))
        .sort((a, b) => a.order - b.order)
        .map((entry) => entry.userId);
    const burst = pool.slice(0, burstUsers);
    const background = pool.slice(burstUsers, burstUsers + Math.round(burstUsers * 0.75));
    const profiles = new Map<string, Profile>();
    burst.forEach((userId, index) => {
        const share = index / burst.length;
        profiles.set(userId, share < 0.4 ? 'confirm' : share < 0.7 ? 'dismiss' : share < 0.8 ? 'excluded' : 'alone');
    });
    for (const [userId, profile] of profiles) {
        if (profile === 'excluded') {
            tenant.addGroupMember(tenant.exclusionGroupId, userId);
        }
    }

    const at = (secondsBefore: number) => new Date(options.now.getTime() - secondsBefore * 1000);
    const burstDetectionIds: string[] = [];
    for (let i = 0; i < burstDetections; i++) {
        const userId = burst[i % burst.length]!;
        const profile = profiles.get(userId)!;
        const second = Math.floor(random() * 300);
        const type =
            profile === 'dismiss'
                ? 'anonymizedIPAddress'
                : profile === 'alone'
                  ? 'unfamiliarFeatures'
                  : i % 2 === 0
                    ? 'passwordSpray'
                    : 'leakedCredentials';
        const detection = tenant.addDetection({
            userId,
            riskEventType: type,
            riskLevel: 'high',
            detectionTimingType: type === 'leakedCredentials' ? 'offline' : 'realtime',
            activity: type === 'leakedCredentials' ? 'user' : 'signin',
            ipAddress:
                profile === 'dismiss'
                    ? `203.0.113.${1 + Math.floor(random() * 250)}`
                    : `198.51.100.${1 + Math.floor(random() * 250)}`,
            location: { city: 'Lagos', state: null, countryOrRegion: 'NG', geoCoordinates: null },
            lastUpdatedDateTime: at(second + 1),
            visibleAt: at(0),
        });
        burstDetectionIds.push(detection.id);
    }
    let backgroundDetections = 0;
    background.forEach((userId, index) => {
        const count = 1 + (index % 2);
        for (let j = 0; j < count; j++) {
            tenant.addDetection({
                userId,
                riskEventType: j === 0 ? 'unlikelyTravel' : 'anonymizedIPAddress',
                riskLevel: j === 0 ? 'medium' : 'low',
                lastUpdatedDateTime: at(3600 + Math.floor(random() * 86_400)),
                visibleAt: at(3600),
            });
            backgroundDetections++;
        }
    });

    const usersWith = (wanted: Profile) => burst.filter((userId) => profiles.get(userId) === wanted);
    const rulesYaml = `
version: 1
mode: enforce
exclusions:
  groups: [${tenant.exclusionGroupId}, ${tenant.breakGlassGroupId}]
owners:
  secops: { email: [secops@contoso.example] }
rules:
  - id: spray-or-leak
    when: { riskEventType: [passwordSpray, leakedCredentials], riskLevel: [high] }
    then: { action: confirmCompromised, notify: [secops] }
  - id: corporate-egress
    when: { riskEventType: [anonymizedIPAddress], ipAddress: [203.0.113.0/24] }
    then: { action: dismiss, notify: [secops] }
  - id: everything-else
    when: {}
    then: { action: none, notify: [secops] }
`;
    return {
        tenant,
        burstDetectionIds,
        expected: { confirmCompromised: new Set(usersWith('confirm')), dismiss: new Set(usersWith('dismiss')) },
        rulesYaml,
        scenario: {
            seed: options.seed,
            tenantUsers,
            burstDetections,
            burstUsers,
            confirmUsers: usersWith('confirm').length,
            dismissUsers: usersWith('dismiss').length,
            excludedUsers: usersWith('excluded').length,
            leftAloneUsers: usersWith('alone').length,
            backgroundDetections,
            backgroundUsers: background.length,
        },
    };
}
