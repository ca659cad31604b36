import { z } from 'zod';

/**
 * A risk detection as this app uses it: the Graph `riskDetection` fields we `$select`, parsed leniently where
 * Graph is open (enum-like strings may grow new values) and strictly where our logic depends on a field.
 * Source: reference/graph-identity-protection.md sections 1.1-1.3.
 */
export const detectionSchema = z.object({
    id: z.string().min(1),
    userId: z.string().min(1),
    userPrincipalName: z.string().nullish(),
    userDisplayName: z.string().nullish(),
    /** Open string: new types appear without a schema change. */
    riskEventType: z.string().min(1),
    /** low | medium | high | hidden | none | unknownFutureValue, kept open. */
    riskLevel: z.string().min(1),
    /** atRisk | confirmedCompromised | dismissed | remediated | confirmedSafe | none | ..., kept open. */
    riskState: z.string().min(1),
    riskDetail: z.string().nullish(),
    /** realtime | nearRealtime | offline | notDefined, kept open. */
    detectionTimingType: z.string().nullish(),
    /** signin | user, kept open. */
    activity: z.string().nullish(),
    activityDateTime: z.iso.datetime({ offset: true }).nullish(),
    detectedDateTime: z.iso.datetime({ offset: true }).nullish(),
    /** The intake watermark: moves whenever the record changes (level, state, late arrival). */
    lastUpdatedDateTime: z.iso.datetime({ offset: true }),
    ipAddress: z.string().nullish(),
    location: z
        .object({
            city: z.string().nullish(),
            state: z.string().nullish(),
            countryOrRegion: z.string().nullish(),
        })
        .nullish(),
    source: z.string().nullish(),
});

export type Detection = z.infer<typeof detectionSchema>;

/** The Graph fields intake asks for with `$select`: exactly the keys of the schema. */
export const detectionFields: readonly string[] = Object.keys(detectionSchema.shape);

/** Risk levels in ascending order; anything else (hidden, none, unknown) ranks below low. */
export const riskLevels = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** 0 for levels outside low/medium/high, else 1..3. */
export function riskLevelRank(level: string): number {
    return riskLevels.indexOf(level as RiskLevel) + 1;
}

/** The levels at or above `min`, e.g. medium -> [medium, high]. */
export function levelsAtOrAbove(min: RiskLevel): RiskLevel[] {
    return riskLevels.slice(riskLevels.indexOf(min));
}

/** The echo of a confirmCompromised call: never acted on, or the app would loop on its own actions. */
export const adminConfirmedEchoType = 'adminConfirmedUserCompromised';

/** One entry per detection id, the newest `lastUpdatedDateTime` winning (a batch may carry two versions of one). */
export function latestVersions(detections: readonly Detection[]): Detection[] {
    const latest = new Map<string, Detection>();
    for (const detection of detections) {
        const seen = latest.get(detection.id);
        if (!seen || Date.parse(detection.lastUpdatedDateTime) > Date.parse(seen.lastUpdatedDateTime)) {
            latest.set(detection.id, detection);
        }
    }
    return [...latest.values()];
}
