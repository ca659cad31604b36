/**
 * Seeded synthetic tenants: a contoso-style directory (createSyntheticTenant) and a timeline of risk detections
 * over it (scheduleDetections). The same seed gives the same tenant and the same timeline on every run.
 *
 * Everything is synthetic: names from syntheticNames.ts, domain contoso.example, GUIDs and 64-hex detection
 * ids from the seeded generator, IP addresses from the documentation ranges 203.0.113.0/24, 198.51.100.0/24
 * and 2001:db8::/32.
 */
import { canonicalFromParts } from './datetime';
import { createPrng, type Prng } from './prng';
import { departments, firstNames, jobTitles, lastNames, places, syntheticDomain, userAgents } from './syntheticNames';
import { SimulatedTenant, type NewDetection, type SignInLocation } from './tenant';

export interface SyntheticTenantOptions {
    /** Same seed, same tenant. */
    seed: number | string;
    /** Regular users. The tenant also gets 2 break-glass accounts and 1 notification mailbox. */
    userCount: number;
    /** Department and project groups besides the three fixed groups. Default 6. */
    groupCount?: number;
    /** The tenant's "now" at creation: accounts were created before it. */
    start: Date;
    /** Default: a GUID derived from the seed. */
    tenantId?: string;
    /** Share of regular users without a manager. Default 0.1. */
    withoutManagerRatio?: number;
    /** Passed to the tenant (see TenantOptions). */
    clock?: () => Date;
    actionLagMs?: number;
}

/** The well-known parts of a synthetic directory. */
export interface SyntheticDirectory {
    /** Regular users in creation order. */
    readonly userIds: readonly string[];
    /** Users that carry risk in scheduleDetections by default: regular users plus the break-glass accounts. */
    readonly riskUserIds: readonly string[];
    /** "Break Glass Accounts": exactly two members. */
    readonly breakGlassGroupId: string;
    readonly breakGlassUserIds: readonly [string, string];
    /** "Risk Response Exclusions": one direct user member plus the nested group. */
    readonly exclusionGroupId: string;
    /** "Executive Office", nested inside the exclusion group: its members are excluded transitively. */
    readonly nestedGroupId: string;
    readonly nestedGroupMemberIds: readonly string[];
    /** A mailbox to send notifications from (`security-alerts@contoso.example`). */
    readonly notificationMailbox: string;
}

function pad(value: number, width: number): string {
    return String(value).padStart(width, '0');
}

function asciiLower(value: string): string {
    return value.toLowerCase().replace(/[^a-z]/g, '');
}

/**
 * A SimulatedTenant filled with a seeded contoso-style directory; serve it as it is, and use the fields below
 * to find the special accounts and groups.
 */
export class SyntheticTenant extends SimulatedTenant implements SyntheticDirectory {
    readonly userIds: readonly string[];
    readonly riskUserIds: readonly string[];
    readonly breakGlassGroupId: string;
    readonly breakGlassUserIds: readonly [string, string];
    readonly exclusionGroupId: string;
    readonly nestedGroupId: string;
    readonly nestedGroupMemberIds: readonly string[];
    readonly notificationMailbox: string;

    constructor(options: SyntheticTenantOptions) {
        const random = createPrng(`tenant:${options.seed}`);
        super(options.tenantId ?? random.guid(), { clock: options.clock, actionLagMs: options.actionLagMs });
        const directory = populateDirectory(this, random, options);
        this.userIds = directory.userIds;
        this.riskUserIds = directory.riskUserIds;
        this.breakGlassGroupId = directory.breakGlassGroupId;
        this.breakGlassUserIds = directory.breakGlassUserIds;
        this.exclusionGroupId = directory.exclusionGroupId;
        this.nestedGroupId = directory.nestedGroupId;
        this.nestedGroupMemberIds = directory.nestedGroupMemberIds;
        this.notificationMailbox = directory.notificationMailbox;
    }
}

/** A new synthetic tenant: the same seed gives the same directory. */
export function createSyntheticTenant(options: SyntheticTenantOptions): SyntheticTenant {
    return new SyntheticTenant(options);
}

function populateDirectory(tenant: SimulatedTenant, random: Prng, options: SyntheticTenantOptions): SyntheticDirectory {
    const startMs = options.start.getTime();
    const createdAt = (): Date => new Date(startMs - random.int(30, 1500) * 86_400_000 - random.int(0, 86_399) * 1000);
    const companyName = 'Contoso';

    const userIds: string[] = [];
    const managerIds: string[] = [];
    const managerCount = Math.max(1, Math.round(options.userCount * 0.12));
    const withoutManagerRatio = options.withoutManagerRatio ?? 0.1;
    const departmentOf = new Map<string, string>();

    for (let index = 0; index < options.userCount; index++) {
        const first = random.pick(firstNames);
        const last = random.pick(lastNames);
        const number = pad(index + 1, 4);
        const upn = `${asciiLower(first)}.${asciiLower(last)}${number}@${syntheticDomain}`;
        const department = random.pick(departments);
        const isManager = index < managerCount;
        // The first user heads the company; other managers report to an earlier manager; some users have none.
        let managerId: string | undefined;
        if (index > 0 && (isManager || !random.chance(withoutManagerRatio))) {
            managerId = random.pick(managerIds); // only earlier users are in the list yet
        }
        const user = tenant.addUser({
            id: random.guid(),
            userPrincipalName: upn,
            displayName: `${first} ${last}`,
            givenName: first,
            surname: last,
            mail: upn,
            jobTitle: isManager ? `${department} Manager` : `${department} ${random.pick(jobTitles)}`,
            department,
            companyName,
            employeeId: `E${pad(index + 1, 6)}`,
            usageLocation: random.weighted([
                ['US', 5],
                ['DE', 2],
                ['FR', 2],
                ['GB', 1],
            ]),
            onPremisesSyncEnabled: random.chance(0.3) ? true : null,
            createdDateTime: createdAt(),
            managerId,
        });
        userIds.push(user.id);
        departmentOf.set(user.id, department);
        if (isManager) {
            managerIds.push(user.id);
        }
    }

    const breakGlassUserIds = [1, 2].map(
        (n) =>
            tenant.addUser({
                id: random.guid(),
                userPrincipalName: `breakglass${pad(n, 2)}@${syntheticDomain}`,
                displayName: `Break Glass ${pad(n, 2)}`,
                mail: null,
                jobTitle: 'Emergency access account',
                createdDateTime: createdAt(),
            }).id,
    ) as [string, string];

    const notificationMailbox = `security-alerts@${syntheticDomain}`;
    tenant.addUser({
        id: random.guid(),
        userPrincipalName: notificationMailbox,
        displayName: 'Security Alerts',
        mail: notificationMailbox,
        jobTitle: 'Shared mailbox',
        createdDateTime: createdAt(),
    });

    const breakGlassGroup = tenant.addGroup({
        id: random.guid(),
        displayName: 'Break Glass Accounts',
        description: 'Emergency access accounts; never remediate automatically.',
        memberIds: breakGlassUserIds,
    });
    const nestedGroupMemberIds = managerIds.slice(0, Math.min(3, managerIds.length));
    const nestedGroup = tenant.addGroup({
        id: random.guid(),
        displayName: 'Executive Office',
        description: 'Executives; excluded from automatic remediation through the exclusion group.',
        memberIds: nestedGroupMemberIds,
    });
    const directExcluded = userIds[userIds.length - 1];
    const exclusionGroup = tenant.addGroup({
        id: random.guid(),
        displayName: 'Risk Response Exclusions',
        description: 'Members (direct or nested) are reported but never acted on.',
        memberIds: directExcluded === undefined ? [nestedGroup.id] : [nestedGroup.id, directExcluded],
    });

    const groupCount = options.groupCount ?? 6;
    for (let g = 0; g < groupCount; g++) {
        const department = departments[g];
        if (department !== undefined) {
            tenant.addGroup({
                id: random.guid(),
                displayName: `${department} Team`,
                memberIds: userIds.filter((id) => departmentOf.get(id) === department),
            });
        } else {
            tenant.addGroup({
                id: random.guid(),
                displayName: `Project ${pad(g + 1, 2)}`,
                memberIds: userIds.filter(() => random.chance(0.05)),
            });
        }
    }

    return {
        userIds,
        riskUserIds: [...userIds, ...breakGlassUserIds],
        breakGlassGroupId: breakGlassGroup.id,
        breakGlassUserIds,
        exclusionGroupId: exclusionGroup.id,
        nestedGroupId: nestedGroup.id,
        nestedGroupMemberIds,
        notificationMailbox,
    };
}

// ----- detections over time -------------------------------------------------------------------------------

export interface DetectionPlan {
    /** Same seed (and tenant), same timeline. */
    seed: number | string;
    /** Detections are recorded between start and start + durationMs. */
    start: Date;
    durationMs: number;
    /** Detections in all, the burst included. */
    count: number;
    /** Users that get detections. Default: riskUserIds of a SyntheticTenant, else every user of the tenant. */
    userIds?: readonly string[];
    /**
     * A password-spray wave: `userCount` distinct users within `windowMs` (default 5 min) from a few IPs.
     * Default: at the middle of the plan, 10% of the users (at least 5, at most count). `false` for none.
     */
    burst?: { at: Date; userCount: number; windowMs?: number } | false;
    /** Share of low/medium atRisk detections whose level rises to high 20 min to 6 h later. Default 0.05. */
    escalationRatio?: number;
    /** Share of real-time sign-in detections that arrive already remediated (MFA passed). Default 0.08. */
    remediatedRatio?: number;
    /** Delay between a record's lastUpdatedDateTime and its visibility. Default 2 to 10 minutes. */
    visibilityLagMs?: { min: number; max: number };
}

export interface DetectionScheduleSummary {
    /** Detections scheduled (each becomes visible later, see visibleAt). */
    scheduled: number;
    /** Level rises scheduled (applied only if the detection is still atRisk then). */
    escalations: number;
    offline: number;
    byType: Record<string, number>;
    burstUserIds: string[];
    /** The last instant at which something is scheduled to surface. */
    lastVisibleAt: Date;
}

type Timing = 'realtime' | 'offline';
type Level = 'low' | 'medium' | 'high';

interface DetectionKind {
    readonly type: string;
    readonly weight: number;
    readonly activity: 'signin' | 'user';
    readonly timing: (random: Prng) => Timing;
    readonly level: (random: Prng) => Level;
    /** How long before the record the activity happened, for offline detections. */
    readonly offlineDelayHours?: readonly [number, number];
    readonly extraInfo?: (random: Prng) => Array<{ Key: string; Value: unknown }>;
}

const levels =
    (low: number, medium: number, high: number) =>
    (random: Prng): Level =>
        random.weighted<Level>([
            ['low', low],
            ['medium', medium],
            ['high', high],
        ]);

/** The mix of a typical tenant; `suspiciousAgentActivity` stands for a type Graph adds later (reference 1.5). */
const detectionKinds: readonly DetectionKind[] = [
    { type: 'unfamiliarFeatures', weight: 28, activity: 'signin', timing: () => 'realtime', level: levels(35, 45, 20) },
    {
        type: 'anonymizedIPAddress',
        weight: 14,
        activity: 'signin',
        timing: () => 'realtime',
        level: levels(30, 60, 10),
    },
    {
        type: 'leakedCredentials',
        weight: 6,
        activity: 'user',
        timing: () => 'offline',
        level: () => 'high', // always high (reference 1.2)
        offlineDelayHours: [2, 48],
    },
    {
        type: 'passwordSpray',
        weight: 8,
        activity: 'signin',
        timing: (random) => (random.chance(0.7) ? 'realtime' : 'offline'),
        level: levels(0, 60, 40),
        offlineDelayHours: [1, 12],
    },
    {
        type: 'unlikelyTravel',
        weight: 14,
        activity: 'signin',
        timing: () => 'offline',
        level: levels(20, 50, 30),
        offlineDelayHours: [1, 24],
        extraInfo: (random) => {
            const place = random.weighted(places);
            return [
                {
                    Key: 'relatedLocation',
                    Value: { clientCity: place.city, clientCountryOrRegion: place.countryOrRegion },
                },
            ];
        },
    },
    {
        type: 'maliciousIPAddress',
        weight: 10,
        activity: 'signin',
        timing: () => 'offline',
        level: levels(0, 60, 40),
        offlineDelayHours: [1, 12],
    },
    {
        type: 'investigationsThreatIntelligence',
        weight: 6,
        activity: 'signin',
        timing: (random) => (random.chance(0.5) ? 'realtime' : 'offline'),
        level: levels(0, 40, 60),
        offlineDelayHours: [1, 36],
        extraInfo: (random) => [{ Key: 'riskReasons', Value: [random.pick(['suspiciousIP', 'passwordSpray'])] }],
    },
    {
        type: 'suspiciousAgentActivity',
        weight: 4,
        activity: 'user',
        timing: () => 'offline',
        level: levels(10, 60, 30),
        offlineDelayHours: [1, 24],
    },
];

function documentationIp(random: Prng): string {
    const family = random.weighted([
        ['203', 7],
        ['198', 2],
        ['v6', 1],
    ]);
    if (family === 'v6') {
        return `2001:db8:${random.hex(4).replace(/^0+(?=.)/, '')}::${random.hex(4).replace(/^0+(?=.)/, '')}`;
    }
    return family === '203' ? `203.0.113.${random.int(1, 254)}` : `198.51.100.${random.int(1, 254)}`;
}

function locationOf(random: Prng): SignInLocation {
    const place = random.weighted(places);
    return {
        city: place.city,
        state: place.state,
        countryOrRegion: place.countryOrRegion,
        geoCoordinates: random.chance(0.6) ? null : { latitude: place.latitude, longitude: place.longitude },
    };
}

/** An instant with Graph-like 7-digit precision. */
function preciseInstant(random: Prng, epochMs: number): string {
    return canonicalFromParts(epochMs, random.int(0, 9999));
}

/**
 * Schedules a realistic stream of detections on the tenant's timeline (see SimulatedTenant.schedule): each
 * detection is recorded at its lastUpdatedDateTime and surfaces a few minutes later; offline ones concern an
 * activity hours earlier; some rise to high later; one password-spray wave hits many users within minutes.
 * The simulator applies due events on every request; call `tenant.advanceTo(t)` to apply them directly.
 */
export function scheduleDetections(tenant: SimulatedTenant, plan: DetectionPlan): DetectionScheduleSummary {
    const random = createPrng(`detections:${plan.seed}`);
    const userIds = plan.userIds ?? (tenant instanceof SyntheticTenant ? tenant.riskUserIds : [...tenant.users.keys()]);
    if (userIds.length === 0 || plan.count <= 0) {
        return { scheduled: 0, escalations: 0, offline: 0, byType: {}, burstUserIds: [], lastVisibleAt: plan.start };
    }
    const startMs = plan.start.getTime();
    const lag = plan.visibilityLagMs ?? { min: 2 * 60_000, max: 10 * 60_000 };
    const escalationRatio = plan.escalationRatio ?? 0.05;
    const remediatedRatio = plan.remediatedRatio ?? 0.08;
    const summary: DetectionScheduleSummary = {
        scheduled: 0,
        escalations: 0,
        offline: 0,
        byType: {},
        burstUserIds: [],
        lastVisibleAt: plan.start,
    };

    const add = (
        at: number,
        input: Omit<NewDetection, 'visibleAt' | 'lastUpdatedDateTime' | 'detectedDateTime'>,
    ): string => {
        const id = random.hex(64);
        const recordedAt = preciseInstant(random, at);
        const visibleAt = new Date(at + random.int(lag.min, lag.max));
        const detection: NewDetection = {
            ...input,
            id,
            detectedDateTime: recordedAt,
            lastUpdatedDateTime: recordedAt,
            visibleAt,
        };
        tenant.schedule(new Date(at), `detection ${input.riskEventType}`, (target) => {
            if (target.users.has(detection.userId)) {
                target.addDetection(detection);
            }
        });
        summary.scheduled++;
        summary.byType[input.riskEventType] = (summary.byType[input.riskEventType] ?? 0) + 1;
        if (input.detectionTimingType === 'offline') {
            summary.offline++;
        }
        if (visibleAt > summary.lastVisibleAt) {
            summary.lastVisibleAt = visibleAt;
        }
        return id;
    };

    const scheduleEscalation = (id: string, at: number): void => {
        const riseAt = at + random.int(20 * 60_000, 6 * 3_600_000);
        const visibleAfterMs = random.int(lag.min, lag.max);
        tenant.schedule(new Date(riseAt), `escalation ${id}`, (target, when) => {
            if (target.detections.get(id)?.riskState === 'atRisk') {
                target.updateDetection(id, { riskLevel: 'high' }, { at: when, visibleAfterMs });
            }
        });
        summary.escalations++;
        const visibleAt = new Date(riseAt + visibleAfterMs);
        if (visibleAt > summary.lastVisibleAt) {
            summary.lastVisibleAt = visibleAt;
        }
    };

    // The password-spray wave.
    const burst =
        plan.burst === false
            ? undefined
            : (plan.burst ?? {
                  at: new Date(startMs + plan.durationMs / 2),
                  userCount: Math.max(5, Math.round(userIds.length * 0.1)),
              });
    if (burst !== undefined) {
        const pool = [...userIds];
        const size = Math.min(burst.userCount, pool.length, plan.count);
        const sprayIps = [1, 2, 3].map(() => `198.51.100.${random.int(1, 254)}`);
        const windowMs = burst.windowMs ?? 5 * 60_000;
        for (let i = 0; i < size; i++) {
            const pickAt = random.int(i, pool.length - 1);
            const userId = pool[pickAt] as string;
            pool[pickAt] = pool[i] as string;
            summary.burstUserIds.push(userId);
            const at = burst.at.getTime() + random.int(0, windowMs);
            add(at, {
                userId,
                riskEventType: 'passwordSpray',
                riskLevel: random.chance(0.5) ? 'high' : 'medium',
                detectionTimingType: 'realtime',
                activity: 'signin',
                activityDateTime: preciseInstant(random, at - random.int(1_000, 60_000)),
                ipAddress: random.pick(sprayIps),
                location: locationOf(random),
                additionalInfo: JSON.stringify([{ Key: 'userAgent', Value: 'BAV2ROPC' }]),
                correlationId: random.guid(),
                requestId: random.guid(),
            });
        }
    }

    // The steady stream.
    const weights = detectionKinds.map((kind) => [kind, kind.weight] as const);
    for (let n = summary.scheduled; n < plan.count; n++) {
        const kind = random.weighted(weights);
        const userId = random.pick(userIds);
        const at = startMs + Math.floor(random.next() * plan.durationMs);
        const timing = kind.timing(random);
        const level = kind.level(random);
        const signIn = kind.activity === 'signin';
        const [minHours, maxHours] = kind.offlineDelayHours ?? [1, 4];
        const activityAt =
            timing === 'offline'
                ? at - random.int(minHours * 3_600_000, maxHours * 3_600_000)
                : at - random.int(1_000, 120_000);
        const remediated = signIn && timing === 'realtime' && level !== 'high' && random.chance(remediatedRatio);
        const info = [
            ...(signIn ? [{ Key: 'userAgent', Value: random.pick(userAgents) }] : []),
            ...(kind.extraInfo?.(random) ?? []),
        ];
        const id = add(at, {
            userId,
            riskEventType: kind.type,
            riskLevel: level,
            riskState: remediated ? 'remediated' : 'atRisk',
            riskDetail: remediated ? 'userPassedMFADrivenByRiskBasedPolicy' : 'none',
            detectionTimingType: timing,
            activity: kind.activity,
            activityDateTime: preciseInstant(random, activityAt),
            ipAddress: signIn ? documentationIp(random) : null,
            location: signIn ? locationOf(random) : null,
            additionalInfo: JSON.stringify(info),
            correlationId: signIn ? random.guid() : null,
            requestId: signIn ? random.guid() : null,
        });
        if (!remediated && level !== 'high' && random.chance(escalationRatio)) {
            scheduleEscalation(id, at);
        }
    }
    return summary;
}
