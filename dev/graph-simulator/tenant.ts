/**
 * The state of a simulated tenant: users, groups, risk detections and risky users, plus a timeline of
 * scheduled changes. The simulator reads and mutates it; tests and the synthetic generator build it through
 * the mutators here, which keep the derived state (risky users, sort orders, membership) consistent.
 *
 * Behaviour follows reference/graph-identity-protection.md; choices the reference leaves open are marked [U].
 */
import { adminConfirmedEchoType, riskLevelRank } from '../../shared/detection';
import { canonicalFromDate, canonicalToDate, nextTick, toCanonical } from './datetime';
import { createPrng, isGuid, type Prng } from './prng';

/** `signInLocation` (reference section 1.3). */
export interface SignInLocation {
    city: string | null;
    state: string | null;
    countryOrRegion: string | null;
    geoCoordinates: { latitude: number; longitude: number; altitude?: number | null } | null;
}

/**
 * A `riskDetection` as Graph stores it. DateTimeOffset fields hold datetime.ts's canonical form
 * (`2025-06-01T10:00:00.1234567Z`), so they compare as strings; the wire form drops trailing zeros.
 */
export interface DetectionRecord {
    id: string;
    userId: string;
    userPrincipalName: string | null;
    userDisplayName: string | null;
    riskEventType: string;
    riskLevel: string;
    riskState: string;
    riskDetail: string;
    detectionTimingType: string;
    activity: string;
    tokenIssuerType: string;
    source: string | null;
    activityDateTime: string;
    detectedDateTime: string;
    lastUpdatedDateTime: string;
    ipAddress: string | null;
    location: SignInLocation | null;
    /** A JSON string: an array of `{ "Key", "Value" }` (reference section 1.4). */
    additionalInfo: string | null;
    correlationId: string | null;
    requestId: string | null;
}

export interface VersionedDetection extends DetectionRecord {
    /**
     * Simulator only: list and get return this record only when the simulator clock is at or past this instant.
     * Models Graph surfacing records minutes after their lastUpdatedDateTime, and offline detections hours after
     * their activity.
     */
    visibleAt: Date;
}

export interface SimulatedDetection extends VersionedDetection {
    /** Simulator only: the version still served until `visibleAt` when a change surfaces with a lag. */
    previousVersion?: VersionedDetection;
}

/** A detection to add; unset fields get Graph-like defaults (see addDetection). */
export interface NewDetection {
    /** Default: 64 hex characters from the tenant's generator (real ids are not GUIDs). */
    id?: string;
    userId: string;
    riskEventType: string;
    riskLevel: string;
    /** Default `atRisk`. */
    riskState?: string;
    /** Default `none`. */
    riskDetail?: string;
    /** Default `realtime`. */
    detectionTimingType?: string;
    /** Default `signin`. */
    activity?: string;
    tokenIssuerType?: string;
    source?: string | null;
    /** Default: detectedDateTime. */
    activityDateTime?: Date | string;
    /** Default: lastUpdatedDateTime. */
    detectedDateTime?: Date | string;
    /** Default: the tenant clock. */
    lastUpdatedDateTime?: Date | string;
    ipAddress?: string | null;
    location?: SignInLocation | null;
    additionalInfo?: string | null;
    correlationId?: string | null;
    requestId?: string | null;
    /** Default: lastUpdatedDateTime, i.e. visible at once. */
    visibleAt?: Date;
}

/** Fields updateDetection may change (the rest of a detection is immutable history). */
export interface DetectionChanges {
    riskLevel?: string;
    riskState?: string;
    riskDetail?: string;
    additionalInfo?: string | null;
}

export interface RiskUserActivity {
    riskEventTypes: string[];
    detail: string;
}

/** `riskyUserHistoryItem` (reference section 4.4). */
export interface RiskyUserHistoryItem {
    id: string;
    userId: string;
    /** Who caused the change: the app's service principal, an admin, or null for the service itself. */
    initiatedBy: string | null;
    riskLevel: string;
    riskState: string;
    riskDetail: string;
    riskLastUpdatedDateTime: string;
    isDeleted: boolean;
    isProcessing: boolean;
    userPrincipalName: string;
    userDisplayName: string;
    activity: RiskUserActivity;
}

/** `riskyUser` (reference section 4.1). */
export interface SimulatedRiskyUser {
    id: string;
    userPrincipalName: string;
    userDisplayName: string;
    riskLevel: string;
    riskState: string;
    riskDetail: string;
    /** Canonical DateTimeOffset. */
    riskLastUpdatedDateTime: string;
    isDeleted: boolean;
    /** Set by hand to force `isProcessing: true`; otherwise derived from `processingUntil`. */
    isProcessing: boolean;
    /** Simulator only: after an action the backend reports isProcessing until this instant. */
    processingUntil?: Date;
    history: RiskyUserHistoryItem[];
}

export interface SimulatedUser {
    id: string;
    userPrincipalName: string;
    displayName: string;
    givenName: string | null;
    surname: string | null;
    mail: string | null;
    jobTitle: string | null;
    department: string | null;
    officeLocation: string | null;
    mobilePhone: string | null;
    businessPhones: string[];
    preferredLanguage: string | null;
    accountEnabled: boolean;
    userType: 'Member' | 'Guest';
    companyName: string | null;
    employeeId: string | null;
    onPremisesSyncEnabled: boolean | null;
    usageLocation: string | null;
    /** Canonical DateTimeOffset. */
    createdDateTime: string;
    /** Canonical DateTimeOffset; set by revokeSignInSessions. */
    signInSessionsValidFromDateTime: string | null;
    /** Object id of the manager; no manager when absent (GET manager answers 404). */
    managerId?: string;
}

export type NewUser = Partial<Omit<SimulatedUser, 'userPrincipalName' | 'displayName' | 'createdDateTime'>> & {
    userPrincipalName: string;
    displayName: string;
    createdDateTime?: Date | string;
};

export interface SimulatedGroup {
    id: string;
    displayName: string;
    description: string | null;
    securityEnabled: boolean;
    mailEnabled: boolean;
    /** Users and nested groups (by object id). Membership checks are transitive. */
    memberIds: string[];
}

export type NewGroup = Partial<Omit<SimulatedGroup, 'displayName'>> & { displayName: string };

/** A change applied when the timeline reaches `at` (see schedule / advanceTo). */
export interface ScheduledEvent {
    readonly at: Date;
    readonly label: string;
    readonly apply: (tenant: SimulatedTenant, at: Date) => void;
}

export interface TenantOptions {
    /** The tenant's "now" for mutators without an explicit time. Default: real time. The simulator may replace it. */
    clock?: () => Date;
    /** Delay before the echo detection of confirmCompromised surfaces, and isProcessing stays true. Default 60 s [U]. */
    actionLagMs?: number;
}

/** Timing of a mutation: when it happens (default: the tenant clock) and by whom. */
export interface ChangeOptions {
    at?: Date;
    initiatedBy?: string | null;
}

export type RiskyUserAction = 'confirmCompromised' | 'dismiss';

/** Graph's cap on userIds per dismiss call (beta page), applied to confirmCompromised as well [U]. */
export const maxUserIdsPerAction = 60;

function compareKeys(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A list kept sorted by id lazily: appends are O(1), the sort happens on the next read. */
class SortedById<T extends { id: string }> {
    private items: T[] = [];
    private dirty = false;

    add(item: T): void {
        this.items.push(item);
        this.dirty = true;
    }

    get(): readonly T[] {
        if (this.dirty) {
            this.items.sort((a, b) => compareKeys(a.id, b.id));
            this.dirty = false;
        }
        return this.items;
    }
}

export class SimulatedTenant {
    /** The tenant's "now" (see TenantOptions.clock). */
    clock: () => Date;
    readonly actionLagMs: number;
    /** Object id of the app's service principal: `initiatedBy` of actions taken through the API. */
    readonly automationPrincipalId: string;
    /** Object id of the human admin: `initiatedBy` of adminConfirm / adminDismiss. */
    readonly adminPrincipalId: string;

    private readonly random: Prng;
    private readonly userMap = new Map<string, SimulatedUser>();
    private readonly userIdsByUpn = new Map<string, string>();
    private readonly groupMap = new Map<string, SimulatedGroup>();
    private readonly detectionMap = new Map<string, SimulatedDetection>();
    private readonly detectionsByUser = new Map<string, SimulatedDetection[]>();
    private readonly riskyUserMap = new Map<string, SimulatedRiskyUser>();
    private readonly detectionOrder = new SortedById<SimulatedDetection>();
    private readonly riskyUserOrder = new SortedById<SimulatedRiskyUser>();
    private readonly groupOrder = new SortedById<SimulatedGroup>();
    private parentGroups: Map<string, string[]> | undefined;
    private readonly timeline: Array<ScheduledEvent & { seq: number }> = [];
    private eventSeq = 0;

    constructor(
        readonly tenantId: string,
        options: TenantOptions = {},
    ) {
        this.clock = options.clock ?? (() => new Date());
        this.actionLagMs = options.actionLagMs ?? 60_000;
        this.random = createPrng(`tenant:${tenantId}`);
        this.automationPrincipalId = this.random.guid();
        this.adminPrincipalId = this.random.guid();
    }

    // ----- reading -------------------------------------------------------------------------------------------

    get users(): ReadonlyMap<string, SimulatedUser> {
        return this.userMap;
    }

    get groups(): ReadonlyMap<string, SimulatedGroup> {
        return this.groupMap;
    }

    get detections(): ReadonlyMap<string, SimulatedDetection> {
        return this.detectionMap;
    }

    get riskyUsers(): ReadonlyMap<string, SimulatedRiskyUser> {
        return this.riskyUserMap;
    }

    /** A user by object id or (case-insensitive) userPrincipalName. */
    findUser(idOrUpn: string): SimulatedUser | undefined {
        return this.userMap.get(idOrUpn) ?? this.userMap.get(this.userIdsByUpn.get(idOrUpn.toLowerCase()) ?? '');
    }

    /** All detections, sorted by id (the order the list endpoint pages in). */
    detectionsInIdOrder(): readonly SimulatedDetection[] {
        return this.detectionOrder.get();
    }

    riskyUsersInIdOrder(): readonly SimulatedRiskyUser[] {
        return this.riskyUserOrder.get();
    }

    groupsInIdOrder(): readonly SimulatedGroup[] {
        return this.groupOrder.get();
    }

    detectionsOfUser(userId: string): readonly SimulatedDetection[] {
        return this.detectionsByUser.get(userId) ?? [];
    }

    /** The version of a detection that Graph serves at `at`, or undefined while it has not surfaced yet. */
    visibleVersion(detection: SimulatedDetection, at: Date): VersionedDetection | undefined {
        if (at.getTime() >= detection.visibleAt.getTime()) {
            return detection;
        }
        const previous = detection.previousVersion;
        return previous !== undefined && at.getTime() >= previous.visibleAt.getTime() ? previous : undefined;
    }

    /** Whether Graph reports the risky user as still processing a change at `at`. */
    isProcessing(riskyUser: SimulatedRiskyUser, at: Date): boolean {
        return riskyUser.isProcessing || (riskyUser.processingUntil !== undefined && at < riskyUser.processingUntil);
    }

    /** Ids of every group `memberId` belongs to, directly or through nested groups (cycles tolerated). */
    transitiveGroupIdsOf(memberId: string): Set<string> {
        const parents = this.parentIndex();
        const found = new Set<string>();
        const queue = [...(parents.get(memberId) ?? [])];
        for (let groupId = queue.pop(); groupId !== undefined; groupId = queue.pop()) {
            if (!found.has(groupId)) {
                found.add(groupId);
                queue.push(...(parents.get(groupId) ?? []));
            }
        }
        return found;
    }

    // ----- ids -----------------------------------------------------------------------------------------------

    /** A fresh GUID from the tenant's seeded generator (deterministic for a given sequence of calls). */
    newGuid(): string {
        return this.random.guid();
    }

    /** A fresh detection id: 64 lowercase hex characters, like the ids Graph returns. */
    newDetectionId(): string {
        return this.random.hex(64);
    }

    // ----- directory -----------------------------------------------------------------------------------------

    addUser(input: NewUser): SimulatedUser {
        const id = input.id ?? this.newGuid();
        if (!isGuid(id)) {
            throw new Error(`User id must be a GUID: ${id}`);
        }
        if (this.userMap.has(id)) {
            throw new Error(`Duplicate user id: ${id}`);
        }
        const upnKey = input.userPrincipalName.toLowerCase();
        if (this.userIdsByUpn.has(upnKey)) {
            throw new Error(`Duplicate userPrincipalName: ${input.userPrincipalName}`);
        }
        const user: SimulatedUser = {
            id,
            userPrincipalName: input.userPrincipalName,
            displayName: input.displayName,
            givenName: input.givenName ?? null,
            surname: input.surname ?? null,
            mail: input.mail === undefined ? input.userPrincipalName : input.mail,
            jobTitle: input.jobTitle ?? null,
            department: input.department ?? null,
            officeLocation: input.officeLocation ?? null,
            mobilePhone: input.mobilePhone ?? null,
            businessPhones: input.businessPhones ?? [],
            preferredLanguage: input.preferredLanguage ?? 'en-US',
            accountEnabled: input.accountEnabled ?? true,
            userType: input.userType ?? 'Member',
            companyName: input.companyName ?? null,
            employeeId: input.employeeId ?? null,
            onPremisesSyncEnabled: input.onPremisesSyncEnabled ?? null,
            usageLocation: input.usageLocation ?? null,
            createdDateTime: toCanonical(input.createdDateTime ?? this.clock()),
            signInSessionsValidFromDateTime: input.signInSessionsValidFromDateTime ?? null,
            managerId: input.managerId,
        };
        this.userMap.set(id, user);
        this.userIdsByUpn.set(upnKey, id);
        return user;
    }

    /** Removes a user from the directory; a risky user stays listed with isDeleted true (reference 4.1). */
    deleteUser(userId: string): void {
        const user = this.requireUser(userId);
        this.userMap.delete(user.id);
        this.userIdsByUpn.delete(user.userPrincipalName.toLowerCase());
        const riskyUser = this.riskyUserMap.get(user.id);
        if (riskyUser !== undefined) {
            riskyUser.isDeleted = true;
        }
    }

    addGroup(input: NewGroup): SimulatedGroup {
        const id = input.id ?? this.newGuid();
        if (!isGuid(id)) {
            throw new Error(`Group id must be a GUID: ${id}`);
        }
        if (this.groupMap.has(id)) {
            throw new Error(`Duplicate group id: ${id}`);
        }
        const group: SimulatedGroup = {
            id,
            displayName: input.displayName,
            description: input.description ?? null,
            securityEnabled: input.securityEnabled ?? true,
            mailEnabled: input.mailEnabled ?? false,
            memberIds: [...(input.memberIds ?? [])],
        };
        this.groupMap.set(id, group);
        this.groupOrder.add(group);
        this.parentGroups = undefined;
        return group;
    }

    /** Adds a user or group (by id) to a group. */
    addGroupMember(groupId: string, memberId: string): void {
        const group = this.groupMap.get(groupId);
        if (group === undefined) {
            throw new Error(`Unknown group: ${groupId}`);
        }
        if (!group.memberIds.includes(memberId)) {
            group.memberIds.push(memberId);
            this.parentGroups = undefined;
        }
    }

    // ----- detections ----------------------------------------------------------------------------------------

    /**
     * Records a detection and recomputes the user's risk: the risky user becomes atRisk at the highest level
     * of their atRisk detections (a confirmedCompromised user stays confirmed [U]).
     */
    addDetection(input: NewDetection): SimulatedDetection {
        const detection = this.insertDetection(input);
        this.recomputeUserRisk(detection.userId, canonicalToDate(detection.lastUpdatedDateTime), detection);
        return detection;
    }

    /** Stores a detection without touching the user's risk (the caller owns that). */
    private insertDetection(input: NewDetection): SimulatedDetection {
        const user = this.requireUser(input.userId);
        const id = input.id ?? this.newDetectionId();
        if (id === '' || this.detectionMap.has(id)) {
            throw new Error(`Detection id is empty or already used: ${id}`);
        }
        const lastUpdated = toCanonical(input.lastUpdatedDateTime ?? this.clock());
        const detected = input.detectedDateTime === undefined ? lastUpdated : toCanonical(input.detectedDateTime);
        const activityAt = input.activityDateTime === undefined ? detected : toCanonical(input.activityDateTime);
        const activity = input.activity ?? 'signin';
        const signInLinked = activity === 'signin';
        const detection: SimulatedDetection = {
            id,
            userId: user.id,
            userPrincipalName: user.userPrincipalName,
            userDisplayName: user.displayName,
            riskEventType: input.riskEventType,
            riskLevel: input.riskLevel,
            riskState: input.riskState ?? 'atRisk',
            riskDetail: input.riskDetail ?? 'none',
            detectionTimingType: input.detectionTimingType ?? 'realtime',
            activity,
            tokenIssuerType: input.tokenIssuerType ?? 'AzureAD',
            source: input.source === undefined ? 'IdentityProtection' : input.source,
            activityDateTime: activityAt,
            detectedDateTime: detected,
            lastUpdatedDateTime: lastUpdated,
            ipAddress: input.ipAddress ?? null,
            location: input.location ?? null,
            additionalInfo: input.additionalInfo === undefined ? '[]' : input.additionalInfo,
            correlationId:
                input.correlationId === undefined ? (signInLinked ? this.newGuid() : null) : input.correlationId,
            requestId: input.requestId === undefined ? (signInLinked ? this.newGuid() : null) : input.requestId,
            visibleAt: input.visibleAt ?? canonicalToDate(lastUpdated),
        };
        this.detectionMap.set(id, detection);
        this.detectionOrder.add(detection);
        const ofUser = this.detectionsByUser.get(user.id);
        if (ofUser === undefined) {
            this.detectionsByUser.set(user.id, [detection]);
        } else {
            ofUser.push(detection);
        }
        return detection;
    }

    /**
     * Changes a detection (e.g. its level rises) and bumps its lastUpdatedDateTime to `at` (strictly later than
     * before). With `visibleAfterMs`, the change surfaces that long after `at`; the old version is served meanwhile.
     */
    updateDetection(
        id: string,
        changes: DetectionChanges,
        options: { at?: Date; visibleAfterMs?: number } = {},
    ): SimulatedDetection {
        const detection = this.detectionMap.get(id);
        if (detection === undefined) {
            throw new Error(`Unknown detection: ${id}`);
        }
        const at = options.at ?? this.clock();
        this.applyDetectionChange(detection, changes, at, options.visibleAfterMs ?? 0);
        this.recomputeUserRisk(detection.userId, at, detection);
        return detection;
    }

    private applyDetectionChange(
        detection: SimulatedDetection,
        changes: DetectionChanges,
        at: Date,
        lagMs: number,
    ): void {
        if (at.getTime() >= detection.visibleAt.getTime()) {
            // The current version is what clients see now; keep it on show while the change surfaces.
            if (lagMs > 0) {
                const snapshot: SimulatedDetection = { ...detection };
                delete snapshot.previousVersion;
                detection.previousVersion = snapshot;
                detection.visibleAt = new Date(at.getTime() + lagMs);
            } else {
                delete detection.previousVersion;
            }
        } else {
            // Not surfaced yet: the change surfaces with (or after) the record itself.
            detection.visibleAt = new Date(Math.max(detection.visibleAt.getTime(), at.getTime() + lagMs));
        }
        const stamp = toCanonical(at);
        detection.lastUpdatedDateTime =
            stamp > detection.lastUpdatedDateTime ? stamp : nextTick(detection.lastUpdatedDateTime);
        if (changes.riskLevel !== undefined) {
            detection.riskLevel = changes.riskLevel;
        }
        if (changes.riskState !== undefined) {
            detection.riskState = changes.riskState;
        }
        if (changes.riskDetail !== undefined) {
            detection.riskDetail = changes.riskDetail;
        }
        if (changes.additionalInfo !== undefined) {
            detection.additionalInfo = changes.additionalInfo;
        }
    }

    /** Keeps the risky user in step with the user's detections after a detection was added or changed. */
    private recomputeUserRisk(userId: string, at: Date, cause: SimulatedDetection): void {
        const atRisk = this.detectionsOfUser(userId).filter((d) => d.riskState === 'atRisk');
        const existing = this.riskyUserMap.get(userId);
        if (atRisk.length === 0) {
            // Nothing at risk any more (or risk seen already resolved, e.g. MFA passed): listed, not at risk.
            const firstSight = existing === undefined && cause.riskState !== 'confirmedCompromised';
            if (firstSight || existing?.riskState === 'atRisk') {
                this.upsertRiskyUser(
                    userId,
                    at,
                    { riskLevel: 'none', riskState: cause.riskState, riskDetail: cause.riskDetail },
                    null,
                    [cause.riskEventType],
                );
            }
            return;
        }
        if (existing?.riskState === 'confirmedCompromised') {
            return; // [U] new risk does not lower or reset a confirmed compromise
        }
        let highest = atRisk[0] as SimulatedDetection;
        for (const detection of atRisk) {
            if (riskLevelRank(detection.riskLevel) > riskLevelRank(highest.riskLevel)) {
                highest = detection;
            }
        }
        if (existing?.riskState === 'atRisk' && existing.riskLevel === highest.riskLevel) {
            return;
        }
        this.upsertRiskyUser(
            userId,
            at,
            { riskLevel: highest.riskLevel, riskState: 'atRisk', riskDetail: 'none' },
            null,
            [cause.riskEventType],
        );
    }

    private upsertRiskyUser(
        userId: string,
        at: Date,
        risk: { riskLevel: string; riskState: string; riskDetail: string },
        initiatedBy: string | null,
        riskEventTypes: string[],
        processingUntil?: Date,
    ): SimulatedRiskyUser {
        let riskyUser = this.riskyUserMap.get(userId);
        const user = this.userMap.get(userId);
        if (riskyUser === undefined) {
            riskyUser = {
                id: userId,
                userPrincipalName: user?.userPrincipalName ?? '',
                userDisplayName: user?.displayName ?? '',
                riskLevel: risk.riskLevel,
                riskState: risk.riskState,
                riskDetail: risk.riskDetail,
                riskLastUpdatedDateTime: '', // set just below
                isDeleted: user === undefined,
                isProcessing: false,
                history: [],
            };
            this.riskyUserMap.set(userId, riskyUser);
            this.riskyUserOrder.add(riskyUser);
        }
        const stamp = canonicalFromDate(at);
        riskyUser.riskLevel = risk.riskLevel;
        riskyUser.riskState = risk.riskState;
        riskyUser.riskDetail = risk.riskDetail;
        riskyUser.riskLastUpdatedDateTime =
            stamp > riskyUser.riskLastUpdatedDateTime ? stamp : nextTick(riskyUser.riskLastUpdatedDateTime);
        if (processingUntil !== undefined) {
            riskyUser.processingUntil = processingUntil;
        }
        riskyUser.history.push({
            id: this.newGuid(),
            userId,
            initiatedBy,
            riskLevel: riskyUser.riskLevel,
            riskState: riskyUser.riskState,
            riskDetail: riskyUser.riskDetail,
            riskLastUpdatedDateTime: riskyUser.riskLastUpdatedDateTime,
            isDeleted: riskyUser.isDeleted,
            isProcessing: processingUntil !== undefined,
            userPrincipalName: riskyUser.userPrincipalName,
            userDisplayName: riskyUser.userDisplayName,
            activity: { riskEventTypes: [...new Set(riskEventTypes)], detail: risk.riskDetail },
        });
        return riskyUser;
    }

    // ----- risky-user actions ----------------------------------------------------------------------------------

    /**
     * Why Graph would refuse this action for these ids as a whole (reference 5.3), or undefined when it would
     * accept them: none or more than 60 ids, an id that is not a risky user, or a deleted user.
     */
    checkActionTargets(action: RiskyUserAction, userIds: readonly string[]): string | undefined {
        if (userIds.length === 0) {
            return 'userIds must contain at least one id.';
        }
        if (userIds.length > maxUserIdsPerAction) {
            return `userIds can contain at most ${maxUserIdsPerAction} ids; got ${userIds.length}.`;
        }
        const notRisky = userIds.filter((id) => !this.riskyUserMap.has(id));
        if (notRisky.length > 0) {
            return `These userIds do not exist in your tenant or they are not risky: ${notRisky.join(', ')}`;
        }
        // Deleted users cannot be dismissed (reference 4.1); confirming them is refused as well [U].
        const deleted = userIds.filter((id) => this.riskyUserMap.get(id)?.isDeleted === true);
        if (deleted.length > 0) {
            return `Risk cannot be ${action === 'dismiss' ? 'dismissed' : 'confirmed'} for deleted users: ${deleted.join(', ')}`;
        }
        return undefined;
    }

    /**
     * confirmCompromised as Graph applies it (reference 5.2): user risk high / confirmedCompromised /
     * adminConfirmedUserCompromised; the user's atRisk detections become confirmedCompromised; a new offline
     * `adminConfirmedUserCompromised` detection is recorded and surfaces after `actionLagMs`.
     * Throws when checkActionTargets refuses the ids (the route answers 400 before calling this).
     */
    confirmCompromised(userIds: readonly string[], options: ChangeOptions = {}): void {
        this.assertTargets('confirmCompromised', userIds);
        const at = options.at ?? this.clock();
        const lagUntil = new Date(at.getTime() + this.actionLagMs);
        for (const userId of new Set(userIds)) {
            for (const detection of this.detectionsOfUser(userId)) {
                if (detection.riskState === 'atRisk') {
                    this.applyDetectionChange(
                        detection,
                        { riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' },
                        at,
                        0,
                    );
                }
            }
            const echo = this.addEchoDetection(userId, at, lagUntil);
            this.upsertRiskyUser(
                userId,
                at,
                { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' },
                options.initiatedBy === undefined ? this.automationPrincipalId : options.initiatedBy,
                [echo.riskEventType],
                lagUntil,
            );
        }
    }

    /**
     * dismiss as Graph applies it (reference 5.2): user risk none / dismissed / adminDismissedAllRiskForUser, and
     * every detection of the user moves to dismissed / adminDismissedAllRiskForUser (lastUpdatedDateTime bumped).
     * Throws when checkActionTargets refuses the ids.
     */
    dismiss(userIds: readonly string[], options: ChangeOptions = {}): void {
        this.assertTargets('dismiss', userIds);
        const at = options.at ?? this.clock();
        for (const userId of new Set(userIds)) {
            const types: string[] = [];
            for (const detection of this.detectionsOfUser(userId)) {
                if (detection.riskState === 'atRisk') {
                    types.push(detection.riskEventType);
                }
                if (detection.riskState !== 'dismissed' || detection.riskDetail !== 'adminDismissedAllRiskForUser') {
                    this.applyDetectionChange(
                        detection,
                        { riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' },
                        at,
                        0,
                    );
                }
            }
            this.upsertRiskyUser(
                userId,
                at,
                { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' },
                options.initiatedBy === undefined ? this.automationPrincipalId : options.initiatedBy,
                types,
                new Date(at.getTime() + this.actionLagMs),
            );
        }
    }

    /** A human admin confirms the user compromised in the portal: same effects as the API action. */
    adminConfirm(userId: string, options: { at?: Date } = {}): void {
        this.confirmCompromised([userId], { at: options.at, initiatedBy: this.adminPrincipalId });
    }

    /** A human admin dismisses the user's risk in the portal: same effects as the API action. */
    adminDismiss(userId: string, options: { at?: Date } = {}): void {
        this.dismiss([userId], { at: options.at, initiatedBy: this.adminPrincipalId });
    }

    private assertTargets(action: RiskyUserAction, userIds: readonly string[]): void {
        const problem = this.checkActionTargets(action, userIds);
        if (problem !== undefined) {
            throw new Error(`${action}: ${problem}`);
        }
    }

    /** The echo of confirmCompromised: an offline, user-linked detection (reference 5.2). */
    private addEchoDetection(userId: string, at: Date, visibleAt: Date): SimulatedDetection {
        const stamp = toCanonical(at);
        return this.insertDetection({
            userId,
            riskEventType: adminConfirmedEchoType,
            riskLevel: 'high',
            riskState: 'confirmedCompromised',
            riskDetail: 'adminConfirmedUserCompromised',
            detectionTimingType: 'offline',
            activity: 'user',
            activityDateTime: stamp,
            detectedDateTime: stamp,
            lastUpdatedDateTime: stamp,
            ipAddress: null,
            location: null,
            visibleAt,
        });
    }

    // ----- timeline ------------------------------------------------------------------------------------------

    /** Schedules a change for when the timeline reaches `at` (events at the same instant keep their order). */
    schedule(at: Date, label: string, apply: ScheduledEvent['apply']): void {
        const event = { at, label, apply, seq: this.eventSeq++ };
        let low = 0;
        let high = this.timeline.length;
        while (low < high) {
            const mid = (low + high) >>> 1;
            if ((this.timeline[mid] as ScheduledEvent).at.getTime() <= at.getTime()) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        this.timeline.splice(low, 0, event);
    }

    /** Applies every scheduled change due at or before `now`, in time order, each at its own time. */
    advanceTo(now: Date): number {
        let applied = 0;
        for (
            let next = this.timeline[0];
            next !== undefined && next.at.getTime() <= now.getTime();
            next = this.timeline[0]
        ) {
            this.timeline.shift();
            next.apply(this, next.at);
            applied++;
        }
        return applied;
    }

    /** Scheduled changes not applied yet. */
    get pendingEventCount(): number {
        return this.timeline.length;
    }

    /** When the last scheduled change is due, if any. */
    get lastScheduledAt(): Date | undefined {
        return this.timeline[this.timeline.length - 1]?.at;
    }

    // ----- helpers -------------------------------------------------------------------------------------------

    private requireUser(userId: string): SimulatedUser {
        const user = this.userMap.get(userId);
        if (user === undefined) {
            throw new Error(`Unknown user: ${userId}`);
        }
        return user;
    }

    private parentIndex(): Map<string, string[]> {
        if (this.parentGroups === undefined) {
            const parents = new Map<string, string[]>();
            for (const group of this.groupMap.values()) {
                for (const memberId of group.memberIds) {
                    const list = parents.get(memberId);
                    if (list === undefined) {
                        parents.set(memberId, [group.id]);
                    } else {
                        list.push(group.id);
                    }
                }
            }
            this.parentGroups = parents;
        }
        return this.parentGroups;
    }
}

/** A new, empty tenant; ids it generates are seeded by `tenantId`. */
export function createTenant(tenantId: string, options: TenantOptions = {}): SimulatedTenant {
    return new SimulatedTenant(tenantId, options);
}
