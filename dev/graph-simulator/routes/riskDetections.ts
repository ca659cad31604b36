/**
 * GET /identityProtection/riskDetections (list: $filter, $select, $top up to the cap, paging) and
 * GET /identityProtection/riskDetections/{id} (reference section 2). Only versions visible at the
 * simulator clock are served (SimulatedDetection.visibleAt).
 */
import { formatGraphDateTime } from '../datetime';
import {
    activityTypeValues,
    detectionTimingTypeValues,
    riskDetailValues,
    riskLevelValues,
    riskStateValues,
    tokenIssuerTypeValues,
    wireRiskDetail,
} from '../graphEnums';
import { GraphHttpError } from '../graphErrors';
import type { FilterProperty, FilterSchema } from '../odataFilter';
import { collectionBody, odataContext, takePage } from '../paging';
import { compileQueryFilter, parseQueryOptions, selectFields, selectSuffix } from '../queryOptions';
import type { RequestContext, Route, RouteResult } from '../router';
import type { DetectionRecord, SimulatedDetection } from '../tenant';

const text: FilterProperty = { type: 'string' };
const instant: FilterProperty = { type: 'dateTimeOffset' };
const enumOf = (name: string, values: readonly string[]): FilterProperty => ({
    type: 'enum',
    enumType: `microsoft.graph.${name}`,
    enumValues: values,
});

/** Filterable properties: the scalar fields of riskDetection (location, a complex type, is not). */
export const riskDetectionFilterSchema: FilterSchema = {
    entityType: 'microsoft.graph.riskDetection',
    properties: {
        id: text,
        requestId: text,
        correlationId: text,
        riskEventType: text,
        riskState: enumOf('riskState', riskStateValues),
        riskLevel: enumOf('riskLevel', riskLevelValues),
        riskDetail: enumOf('riskDetail', riskDetailValues),
        source: text,
        detectionTimingType: enumOf('riskDetectionTimingType', detectionTimingTypeValues),
        activity: enumOf('activityType', activityTypeValues),
        tokenIssuerType: enumOf('tokenIssuerType', tokenIssuerTypeValues),
        ipAddress: text,
        activityDateTime: instant,
        detectedDateTime: instant,
        lastUpdatedDateTime: instant,
        userId: text,
        userDisplayName: text,
        userPrincipalName: text,
        additionalInfo: text,
    },
};

/** Every riskDetection property, in the order Graph's samples show them. */
const riskDetectionFields = [
    'id',
    'requestId',
    'correlationId',
    'riskEventType',
    'riskState',
    'riskLevel',
    'riskDetail',
    'source',
    'detectionTimingType',
    'activity',
    'tokenIssuerType',
    'ipAddress',
    'location',
    'activityDateTime',
    'detectedDateTime',
    'lastUpdatedDateTime',
    'userId',
    'userDisplayName',
    'userPrincipalName',
    'additionalInfo',
] as const;

const querySpec = {
    entityType: 'microsoft.graph.riskDetection',
    selectable: riskDetectionFields,
} as const;

function readProperty(record: DetectionRecord, property: string): string | null {
    const value = record[property as keyof DetectionRecord];
    return typeof value === 'string' ? value : null;
}

/** The wire JSON of a detection version. */
function toWire(record: DetectionRecord, includeUnknownEnumMembers: boolean): Record<string, unknown> {
    return {
        id: record.id,
        requestId: record.requestId,
        correlationId: record.correlationId,
        riskEventType: record.riskEventType,
        riskState: record.riskState,
        riskLevel: record.riskLevel,
        riskDetail: wireRiskDetail(record.riskDetail, includeUnknownEnumMembers),
        source: record.source,
        detectionTimingType: record.detectionTimingType,
        activity: record.activity,
        tokenIssuerType: record.tokenIssuerType,
        ipAddress: record.ipAddress,
        location: record.location,
        activityDateTime: formatGraphDateTime(record.activityDateTime),
        detectedDateTime: formatGraphDateTime(record.detectedDateTime),
        lastUpdatedDateTime: formatGraphDateTime(record.lastUpdatedDateTime),
        userId: record.userId,
        userDisplayName: record.userDisplayName,
        userPrincipalName: record.userPrincipalName,
        additionalInfo: record.additionalInfo,
    };
}

function listRiskDetections(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, {
        ...querySpec,
        allowed: ['$filter', '$select', '$top', '$skiptoken'],
        defaultTop: 20,
        maxTop: context.pageSizeCap,
    });
    const filter = compileQueryFilter(query.filter, riskDetectionFilterSchema, readProperty);
    const { tenant, now } = context;
    const page = takePage<SimulatedDetection>({
        items: tenant.detectionsInIdOrder(),
        keyOf: (detection) => detection.id,
        predicate: (detection) => {
            const visible = tenant.visibleVersion(detection, now);
            return visible !== undefined && filter(visible);
        },
        query,
        path: context.path,
        baseUrl: context.baseUrl,
        secret: context.secret,
    });
    const value = page.items.map((detection) =>
        selectFields(
            toWire(tenant.visibleVersion(detection, now) ?? detection, context.includeUnknownEnumMembers),
            query.select,
        ),
    );
    const contextUrl = odataContext(context.baseUrl, `identityProtection/riskDetections${selectSuffix(query.select)}`);
    return { status: 200, body: collectionBody(contextUrl, value, page.nextLink) };
}

function getRiskDetection(context: RequestContext): RouteResult {
    const query = parseQueryOptions(context.search, { ...querySpec, allowed: ['$select'] });
    const id = context.params.id ?? '';
    const detection = context.tenant.detections.get(id);
    const visible = detection === undefined ? undefined : context.tenant.visibleVersion(detection, context.now);
    if (visible === undefined) {
        throw new GraphHttpError(404, 'itemNotFound', `The risk detection '${id}' was not found.`);
    }
    const contextUrl = odataContext(
        context.baseUrl,
        `identityProtection/riskDetections${selectSuffix(query.select)}/$entity`,
    );
    return {
        status: 200,
        body: {
            '@odata.context': contextUrl,
            ...selectFields(toWire(visible, context.includeUnknownEnumMembers), query.select),
        },
    };
}

export const riskDetectionRoutes: readonly Route[] = [
    { method: 'GET', template: '/identityProtection/riskDetections', handle: listRiskDetections },
    { method: 'GET', template: '/identityProtection/riskDetections/{id}', handle: getRiskDetection },
];
