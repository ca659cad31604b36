/**
 * The Graph simulator over real HTTP (global fetch): paging, query options, visibility, actions and their
 * echo, directory and mail endpoints, the tenant limit and injected faults. Behaviour is checked against
 * reference/graph-identity-protection.md.
 */
import {
    createSyntheticTenant,
    createTenant,
    scheduleDetections,
    startGraphSimulator,
    type GraphSimulator,
    type SimulatedTenant,
} from '../../dev/graph-simulator';

interface GraphBody {
    [key: string]: unknown;
    value: Array<Record<string, unknown>>;
    '@odata.context'?: string;
    '@odata.nextLink'?: string;
    error: { code: string; message: string; innerError: Record<string, string> };
}

interface Answer {
    status: number;
    headers: Headers;
    body: GraphBody;
}

const t0 = new Date('2025-06-01T10:00:00Z');
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);
const auth = { Authorization: 'Bearer simulated-token' };

let now = t0;
let sim: GraphSimulator;
let tenant: SimulatedTenant;
const ids: {
    adele: string;
    alex: string;
    megan: string;
    lee: string;
    bulk: string[];
    executive: string;
    exclusions: string;
    unrelated: string;
} = { adele: '', alex: '', megan: '', lee: '', bulk: [], executive: '', exclusions: '', unrelated: '' };
const bulkDetections = 1234;

async function call(path: string, init: RequestInit = {}, withAuth = true): Promise<Answer> {
    const url = path.startsWith('http') ? path : `${sim.url}/v1.0${path}`;
    const headers = {
        ...(withAuth ? auth : {}),
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(init.headers as Record<string, string> | undefined),
    };
    const response = await fetch(url, { ...init, headers });
    const text = await response.text();
    return {
        status: response.status,
        headers: response.headers,
        body: (text === '' ? undefined : JSON.parse(text)) as GraphBody,
    };
}

const post = (path: string, body: unknown): Promise<Answer> =>
    call(path, { method: 'POST', body: JSON.stringify(body) });

/** Follows @odata.nextLink to the end, as the app must. */
async function listAll(path: string): Promise<{ items: Array<Record<string, unknown>>; pages: number }> {
    const items: Array<Record<string, unknown>> = [];
    let next: string | undefined = path;
    let pages = 0;
    while (next !== undefined) {
        const answer = await call(next);
        expect(answer.status).toBe(200);
        items.push(...answer.body.value);
        pages++;
        next = answer.body['@odata.nextLink'];
    }
    return { items, pages };
}

function expectGraphError(answer: Answer, status: number, code: string): void {
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(typeof answer.body.error.message).toBe('string');
    expect(answer.body.error.innerError).toEqual({
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
        'request-id': expect.any(String),
        'client-request-id': expect.any(String),
    });
}

beforeAll(async () => {
    tenant = createTenant('contoso-integration', { actionLagMs: 2 * 60_000 });
    const megan = tenant.addUser({ userPrincipalName: 'megan.bowen0003@contoso.example', displayName: 'Megan Bowen' });
    const adele = tenant.addUser({
        userPrincipalName: 'adele.vance0001@contoso.example',
        displayName: 'Adele Vance',
        managerId: megan.id,
        jobTitle: 'Retail Manager',
    });
    const alex = tenant.addUser({ userPrincipalName: 'alex.wilber0002@contoso.example', displayName: 'Alex Wilber' });
    const lee = tenant.addUser({ userPrincipalName: 'lee.gu0004@contoso.example', displayName: 'Lee Gu' });
    Object.assign(ids, { adele: adele.id, alex: alex.id, megan: megan.id, lee: lee.id });
    for (let i = 0; i < 70; i++) {
        ids.bulk.push(
            tenant.addUser({
                userPrincipalName: `user${String(i).padStart(4, '0')}@contoso.example`,
                displayName: `User ${i}`,
            }).id,
        );
    }
    // Detections at scattered times, all visible at t0: paging material.
    for (let i = 0; i < bulkDetections; i++) {
        tenant.addDetection({
            userId: ids.bulk[i % ids.bulk.length]!,
            riskEventType: i % 3 === 0 ? 'unfamiliarFeatures' : 'anonymizedIPAddress',
            riskLevel: i % 5 === 0 ? 'high' : 'medium',
            lastUpdatedDateTime: new Date(t0.getTime() - ((i * 7919) % bulkDetections) * 60_000 - 60_000),
            ipAddress: `203.0.113.${(i % 250) + 1}`,
        });
    }
    tenant.addDetection({
        userId: lee.id,
        riskEventType: 'leakedCredentials',
        riskLevel: 'high',
        activity: 'user',
        detectionTimingType: 'offline',
        lastUpdatedDateTime: minutes(-30),
    });
    tenant.deleteUser(lee.id);

    const executive = tenant.addGroup({ displayName: 'Executive Office', memberIds: [adele.id] });
    const exclusions = tenant.addGroup({ displayName: 'Risk Response Exclusions', memberIds: [executive.id] });
    const unrelated = tenant.addGroup({ displayName: 'Sales Team', memberIds: [alex.id] });
    Object.assign(ids, { executive: executive.id, exclusions: exclusions.id, unrelated: unrelated.id });

    sim = await startGraphSimulator({ tenant, limitPerSecond: 1000, clock: () => now });
});

afterAll(async () => {
    await sim.stop();
});

beforeEach(() => {
    now = t0;
});

describe('authentication and errors', () => {
    it('when no bearer token is sent, then 401 with the Graph error shape and ids', async () => {
        const answer = await call(
            '/identityProtection/riskDetections',
            { headers: { 'client-request-id': 'abc-123' } },
            false,
        );
        expectGraphError(answer, 401, 'InvalidAuthenticationToken');
        expect(answer.body.error.innerError['client-request-id']).toBe('abc-123');
        expect(answer.headers.get('request-id')).toBe(answer.body.error.innerError['request-id']);
    });

    it('answers an unknown route with 404 and a wrong method with 405, both Graph-shaped', async () => {
        expectGraphError(await call('/identityProtection/unknownThings'), 404, 'BadRequest');
        expectGraphError(await call('/beta/identityProtection/riskDetections'), 404, 'BadRequest');
        expectGraphError(
            await call('/identityProtection/riskDetections', { method: 'POST', body: '{}' }),
            405,
            'MethodNotAllowed',
        );
    });
});

describe('GET /identityProtection/riskDetections', () => {
    it('pages with $top through an absolute nextLink to the last item, in an order that is not by date', async () => {
        const first = await call('/identityProtection/riskDetections?$top=100');
        expect(first.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#identityProtection/riskDetections`);
        expect(first.body.value).toHaveLength(100);
        expect(first.body['@odata.nextLink']).toMatch(
            new RegExp(`^${sim.url}/v1\\.0/identityProtection/riskDetections\\?.*\\$skiptoken=`),
        );

        const { items, pages } = await listAll('/identityProtection/riskDetections?$top=100');

        expect(items).toHaveLength(bulkDetections + 1);
        expect(pages).toBe(13);
        expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
        const times = items.map((item) => String(item.lastUpdatedDateTime));
        expect(times).not.toEqual([...times].sort());
        expect(times).not.toEqual([...times].sort().reverse());
        expect(items[0]).toEqual(
            expect.objectContaining({
                id: expect.stringMatching(/^[0-9a-f]{64}$/),
                riskState: 'atRisk',
                lastUpdatedDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/),
            }),
        );
    });

    it('serves 20 items per page by default and refuses $top above 500 or below 1', async () => {
        const answer = await call('/identityProtection/riskDetections');
        expect(answer.body.value).toHaveLength(20);
        expect((await call('/identityProtection/riskDetections?$top=500')).body.value).toHaveLength(500);
        expectGraphError(await call('/identityProtection/riskDetections?$top=501'), 400, 'BadRequest');
        expectGraphError(await call('/identityProtection/riskDetections?$top=0'), 400, 'BadRequest');
        expectGraphError(await call('/identityProtection/riskDetections?$top=ten'), 400, 'BadRequest');
    });

    it('refuses a skip token that was altered or moved to another query', async () => {
        const first = await call('/identityProtection/riskDetections?$top=10');
        const nextLink = first.body['@odata.nextLink']!;
        expectGraphError(await call(nextLink.replace('$top=10', '$top=20')), 400, 'BadRequest');
        expectGraphError(await call(`${nextLink}x`), 400, 'BadRequest');
        const token = new URL(nextLink).searchParams.get('$skiptoken')!;
        expectGraphError(
            await call(`/identityProtection/riskyUsers?$top=10&$skiptoken=${encodeURIComponent(token)}`),
            400,
            'BadRequest',
        );
    });

    it('returns only the fields named in $select and refuses unknown ones', async () => {
        const answer = await call('/identityProtection/riskDetections?$top=5&$select=id,riskLevel,lastUpdatedDateTime');
        expect(answer.body['@odata.context']).toBe(
            `${sim.url}/v1.0/$metadata#identityProtection/riskDetections(id,riskLevel,lastUpdatedDateTime)`,
        );
        for (const item of answer.body.value) {
            expect(Object.keys(item)).toEqual(['id', 'riskLevel', 'lastUpdatedDateTime']);
        }
        expectGraphError(await call('/identityProtection/riskDetections?$select=id,riskyness'), 400, 'BadRequest');
    });

    it('filters on unquoted datetimes, and a quoted datetime matches nothing', async () => {
        const since = minutes(-100).toISOString().replace('.000Z', 'Z');
        const { items } = await listAll(
            `/identityProtection/riskDetections?$top=500&$filter=${encodeURIComponent(`lastUpdatedDateTime ge ${since}`)}`,
        );
        const expected = [...tenant.detections.values()].filter((d) => d.lastUpdatedDateTime >= '2025-06-01T08:20:00');
        expect(items).toHaveLength(expected.length);
        expect(items.length).toBeGreaterThan(50);
        expect(items.every((item) => String(item.lastUpdatedDateTime) >= since)).toBe(true);

        const fractional = await call(
            `/identityProtection/riskDetections?$top=500&$filter=${encodeURIComponent("lastUpdatedDateTime ge 2025-06-01T08:20:00.0000001Z and riskLevel eq 'high'")}`,
        );
        expect(fractional.status).toBe(200);
        expect(fractional.body.value.every((item) => item.riskLevel === 'high')).toBe(true);

        const quoted = await call(
            `/identityProtection/riskDetections?$filter=${encodeURIComponent(`lastUpdatedDateTime ge '${since}'`)}`,
        );
        expect(quoted.status).toBe(200);
        expect(quoted.body.value).toEqual([]);
        expect(quoted.body['@odata.nextLink']).toBeUndefined();
    });

    it('answers 400 BadRequest for bad syntax, unknown properties and unsupported options', async () => {
        for (const filter of [
            "riskLevel eq 'high' and",
            "riskyness eq 'high'",
            'lastUpdatedDateTime ge 2025-06-01T10:00:00',
            "riskLevel in ('high')",
        ]) {
            expectGraphError(
                await call(`/identityProtection/riskDetections?$filter=${encodeURIComponent(filter)}`),
                400,
                'BadRequest',
            );
        }
        expectGraphError(
            await call('/identityProtection/riskDetections?$orderby=lastUpdatedDateTime'),
            400,
            'BadRequest',
        );
        expectGraphError(await call('/identityProtection/riskDetections?$count=true'), 400, 'BadRequest');
    });

    it('shows a detection only once the clock reaches its visibleAt, in lists and by id', async () => {
        const late = tenant.addDetection({
            userId: ids.alex,
            riskEventType: 'unlikelyTravel',
            riskLevel: 'high',
            detectionTimingType: 'offline',
            activityDateTime: minutes(-6 * 60),
            lastUpdatedDateTime: minutes(1),
            visibleAt: minutes(8),
        });
        const query = `/identityProtection/riskDetections?$filter=${encodeURIComponent(`userId eq '${ids.alex}'`)}`;

        now = minutes(5);
        expect((await call(query)).body.value).toEqual([]);
        expectGraphError(await call(`/identityProtection/riskDetections/${late.id}`), 404, 'itemNotFound');

        now = minutes(8);
        expect((await call(query)).body.value.map((item) => item.id)).toEqual([late.id]);
        const single = await call(`/identityProtection/riskDetections/${late.id}?$select=id,activityDateTime`);
        expect(single.body).toEqual({
            '@odata.context': `${sim.url}/v1.0/$metadata#identityProtection/riskDetections(id,activityDateTime)/$entity`,
            id: late.id,
            activityDateTime: '2025-06-01T04:00:00Z',
        });
    });

    it('sends evolvable enum members only to clients that ask for them', async () => {
        const detection = tenant.addDetection({
            userId: ids.alex,
            riskEventType: 'anonymizedIPAddress',
            riskLevel: 'low',
            riskState: 'dismissed',
            riskDetail: 'm365DAdminDismissedDetection',
            lastUpdatedDateTime: minutes(-1),
        });
        const path = `/identityProtection/riskDetections/${detection.id}?$select=riskDetail`;
        expect((await call(path)).body.riskDetail).toBe('unknownFutureValue');
        expect((await call(path, { headers: { Prefer: 'include-unknown-enum-members' } })).body.riskDetail).toBe(
            'm365DAdminDismissedDetection',
        );
    });
});

describe('riskyUsers', () => {
    it('lists with an equality filter on riskLevel/riskState and pages like detections', async () => {
        const high = await listAll(
            `/identityProtection/riskyUsers?$top=7&$filter=${encodeURIComponent("riskLevel eq 'high' and riskState eq 'atRisk'")}`,
        );
        expect(high.pages).toBeGreaterThan(1);
        expect(high.items.length).toBeGreaterThan(10);
        expect(high.items.every((item) => item.riskLevel === 'high' && item.riskState === 'atRisk')).toBe(true);
        expectGraphError(
            await call(`/identityProtection/riskyUsers?$filter=${encodeURIComponent(`id eq '${ids.bulk[0]!}'`)}`),
            400,
            'BadRequest',
        );
        expect((await call('/identityProtection/riskyUsers')).body.value).toHaveLength(20);
    });

    it('gets one risky user, and 404 itemNotFound for a user who was never risky', async () => {
        const answer = await call(`/identityProtection/riskyUsers/${ids.bulk[0]!}`);
        expect(answer.body).toMatchObject({
            id: ids.bulk[0],
            riskState: 'atRisk',
            isDeleted: false,
            isProcessing: false,
            userPrincipalName: 'user0000@contoso.example',
        });
        expectGraphError(await call(`/identityProtection/riskyUsers/${ids.megan}`), 404, 'itemNotFound');
        expectGraphError(await call(`/identityProtection/riskyUsers/${ids.megan}/history`), 404, 'itemNotFound');
    });

    it('when confirmCompromised is called, then user and detections change, and the echo detection surfaces after the lag', async () => {
        const userId = ids.bulk[1]!;
        const before = tenant.detectionsOfUser(userId).length;
        now = minutes(10);

        const answer = await post('/identityProtection/riskyUsers/confirmCompromised', { userIds: [userId] });

        expect(answer.status).toBe(204);
        expect(answer.body).toBeUndefined();
        const riskyUser = await call(`/identityProtection/riskyUsers/${userId}`);
        expect(riskyUser.body).toMatchObject({
            riskLevel: 'high',
            riskState: 'confirmedCompromised',
            riskDetail: 'adminConfirmedUserCompromised',
            riskLastUpdatedDateTime: '2025-06-01T10:10:00Z',
            isProcessing: true,
        });
        const changedSince = `/identityProtection/riskDetections?$top=500&$filter=${encodeURIComponent(`userId eq '${userId}' and lastUpdatedDateTime ge 2025-06-01T10:10:00Z`)}`;
        const changed = await listAll(changedSince);
        expect(changed.items).toHaveLength(before);
        expect(
            changed.items.every(
                (item) =>
                    item.riskState === 'confirmedCompromised' && item.riskDetail === 'adminConfirmedUserCompromised',
            ),
        ).toBe(true);

        now = minutes(12);
        const withEcho = await listAll(changedSince);
        const echo = withEcho.items.find((item) => item.riskEventType === 'adminConfirmedUserCompromised');
        expect(echo).toMatchObject({
            activity: 'user',
            detectionTimingType: 'offline',
            riskLevel: 'high',
            riskState: 'confirmedCompromised',
            lastUpdatedDateTime: '2025-06-01T10:10:00Z',
        });

        const history = await call(`/identityProtection/riskyUsers/${userId}/history`);
        expect(history.body.value.at(-1)).toMatchObject({
            userId,
            initiatedBy: tenant.automationPrincipalId,
            riskState: 'confirmedCompromised',
            activity: { riskEventTypes: ['adminConfirmedUserCompromised'], detail: 'adminConfirmedUserCompromised' },
        });
        expect(sim.stats().writes.confirmCompromised).toBeGreaterThanOrEqual(1);
    });

    it('when dismiss is called, then every detection of the user is dismissed with lastUpdatedDateTime bumped', async () => {
        const userId = ids.bulk[2]!;
        now = minutes(20);
        const writesBefore = sim.stats().writes.dismiss;

        expect((await post('/identityProtection/riskyUsers/dismiss', { userIds: [userId] })).status).toBe(204);

        expect((await call(`/identityProtection/riskyUsers/${userId}`)).body).toMatchObject({
            riskLevel: 'none',
            riskState: 'dismissed',
            riskDetail: 'adminDismissedAllRiskForUser',
        });
        const { items } = await listAll(
            `/identityProtection/riskDetections?$top=500&$filter=${encodeURIComponent(`userId eq '${userId}'`)}`,
        );
        expect(items.length).toBe(tenant.detectionsOfUser(userId).length);
        expect(
            items.every(
                (item) =>
                    item.riskState === 'dismissed' &&
                    item.riskDetail === 'adminDismissedAllRiskForUser' &&
                    item.lastUpdatedDateTime === '2025-06-01T10:20:00Z',
            ),
        ).toBe(true);
        expect(sim.stats().writes.dismiss).toBe(writesBefore + 1);
    });

    it('takes up to 60 ids per call and refuses 61, none, or a body of the wrong shape', async () => {
        const sixty = ids.bulk.slice(3, 63);
        expect((await post('/identityProtection/riskyUsers/dismiss', { userIds: sixty })).status).toBe(204);
        expect(sim.stats().usersActedOn.dismiss).toBeGreaterThanOrEqual(60);

        expectGraphError(
            await post('/identityProtection/riskyUsers/confirmCompromised', { userIds: ids.bulk.slice(0, 61) }),
            400,
            'BadRequest',
        );
        expectGraphError(await post('/identityProtection/riskyUsers/dismiss', { userIds: [] }), 400, 'BadRequest');
        expectGraphError(await post('/identityProtection/riskyUsers/dismiss', { userIds: 'abc' }), 400, 'BadRequest');
        expectGraphError(
            await post('/identityProtection/riskyUsers/dismiss', { userIds: [ids.bulk[64]], extra: 1 }),
            400,
            'BadRequest',
        );
        expectGraphError(await call('/identityProtection/riskyUsers/dismiss', { method: 'POST' }), 400, 'BadRequest');
        expectGraphError(
            await call('/identityProtection/riskyUsers/dismiss', { method: 'POST', body: '{"userIds":[' }),
            400,
            'BadRequest',
        );
    });

    it('fails the whole call when one id is not a risky user, and refuses to dismiss a deleted user', async () => {
        const target = ids.bulk[65]!;
        const answer = await post('/identityProtection/riskyUsers/confirmCompromised', {
            userIds: [target, ids.megan],
        });
        expectGraphError(answer, 400, 'BadRequest');
        expect(tenant.riskyUsers.get(target)?.riskState).toBe('atRisk');

        expectGraphError(
            await post('/identityProtection/riskyUsers/dismiss', { userIds: [ids.lee] }),
            400,
            'BadRequest',
        );
        expect((await call(`/identityProtection/riskyUsers/${ids.lee}`)).body).toMatchObject({
            isDeleted: true,
            riskState: 'atRisk',
        });
    });
});

describe('directory and mail', () => {
    it('gets a user by id or UPN, with default fields or $select', async () => {
        const byId = await call(`/users/${ids.adele}`);
        expect(byId.body).toMatchObject({
            id: ids.adele,
            displayName: 'Adele Vance',
            jobTitle: 'Retail Manager',
            mail: 'adele.vance0001@contoso.example',
        });
        expect(byId.body).not.toHaveProperty('accountEnabled');
        const byUpn = await call(
            `/users/${encodeURIComponent('Adele.Vance0001@contoso.example')}?$select=id,accountEnabled`,
        );
        expect(byUpn.body).toEqual({
            '@odata.context': `${sim.url}/v1.0/$metadata#users(id,accountEnabled)/$entity`,
            id: ids.adele,
            accountEnabled: true,
        });
        expectGraphError(await call('/users/nobody@contoso.example'), 404, 'Request_ResourceNotFound');
        expectGraphError(await call(`/users/${ids.adele}?$select=favouriteColour`), 400, 'BadRequest');
    });

    it('returns the manager, or 404 Request_ResourceNotFound when there is none', async () => {
        const manager = await call(`/users/${ids.adele}/manager?$select=id,mail`);
        expect(manager.body).toMatchObject({
            '@odata.type': '#microsoft.graph.user',
            id: ids.megan,
            mail: 'megan.bowen0003@contoso.example',
        });
        expectGraphError(await call(`/users/${ids.alex}/manager`), 404, 'Request_ResourceNotFound');
    });

    it('checks group membership transitively, up to 20 group ids', async () => {
        const answer = await post(`/users/${ids.adele}/checkMemberGroups`, {
            groupIds: [ids.exclusions, ids.unrelated, ids.executive],
        });
        expect(answer.status).toBe(200);
        expect(answer.body.value).toEqual([ids.exclusions, ids.executive]);
        expect((await post(`/users/${ids.alex}/checkMemberGroups`, { groupIds: [ids.exclusions] })).body.value).toEqual(
            [],
        );
        expectGraphError(
            await post(`/users/${ids.adele}/checkMemberGroups`, {
                groupIds: Array.from({ length: 21 }, () => ids.exclusions),
            }),
            400,
            'Request_BadRequest',
        );
        expectGraphError(
            await post(`/users/${ids.adele}/checkMemberGroups`, { groupIds: ['not-a-guid'] }),
            400,
            'Request_BadRequest',
        );
    });

    it('lists transitive group memberships with paging', async () => {
        const { items, pages } = await listAll(
            `/users/${ids.adele}/transitiveMemberOf/microsoft.graph.group?$top=1&$select=id,displayName`,
        );
        expect(pages).toBe(2);
        expect(items.map((item) => item.displayName).sort()).toEqual(['Executive Office', 'Risk Response Exclusions']);
        expect(items[0]?.['@odata.type']).toBe('#microsoft.graph.group');
    });

    it('records sendMail (202) and refuses a message without recipients', async () => {
        const message = {
            subject: '[Risk] High-risk user adele.vance0001@contoso.example',
            body: { contentType: 'HTML', content: '<p>Summary</p>' },
            toRecipients: [{ emailAddress: { address: 'megan.bowen0003@contoso.example' } }],
            internetMessageHeaders: [{ name: 'x-risk-correlation', value: 'd-0001' }],
        };
        now = minutes(30);
        const sent = await post('/users/alex.wilber0002@contoso.example/sendMail', { message, saveToSentItems: false });
        expect(sent.status).toBe(202);
        expect(sent.body).toBeUndefined();
        expect(sim.sentMail.at(-1)).toEqual({ from: 'alex.wilber0002@contoso.example', message, at: minutes(30) });

        expectGraphError(
            await post(`/users/${ids.alex}/sendMail`, { message: { ...message, toRecipients: [] } }),
            400,
            'BadRequest',
        );
        expectGraphError(
            await post(`/users/${ids.alex}/sendMail`, { message: { ...message, subject: undefined } }),
            400,
            'BadRequest',
        );
    });

    it('revokes sign-in sessions with 200 { value: true } and records it', async () => {
        const answer = await call(`/users/${ids.alex}/revokeSignInSessions`, { method: 'POST' });
        expect(answer.status).toBe(200);
        expect(answer.body.value).toBe(true);
        expect(sim.revokedSessions.at(-1)).toEqual({ userId: ids.alex, at: t0 });
    });
});

describe('injected faults', () => {
    const path = '/identityProtection/riskyUsers?$top=1';

    it('answers 500, then 503 with Retry-After 1, then normally; only on matching paths', async () => {
        sim.injectFaults([
            { pathPattern: /\/riskyUsers$/, kind: 'status500', count: 1 },
            { pathPattern: /\/riskyUsers$/, kind: 'status503', count: 1 },
        ]);
        expect((await call(`/users/${ids.adele}`)).status).toBe(200);
        expectGraphError(await call(path), 500, 'generalException');
        const unavailable = await call(path);
        expectGraphError(unavailable, 503, 'serviceNotAvailable');
        expect(unavailable.headers.get('retry-after')).toBe('1');
        expect((await call(path)).status).toBe(200);
    });

    it('answers an injected 429 without Retry-After on identity protection and with it elsewhere', async () => {
        sim.injectFaults([{ kind: 'status429', count: 2 }]);
        const identity = await call(path);
        expectGraphError(identity, 429, 'TooManyRequests');
        expect(identity.headers.get('retry-after')).toBeNull();
        const directory = await call(`/users/${ids.adele}`);
        expectGraphError(directory, 429, 'TooManyRequests');
        expect(directory.headers.get('retry-after')).toBe('1');
    });

    it('sends malformed JSON and a malformed shape with status 200', async () => {
        sim.injectFaults([
            { kind: 'malformedJson', count: 1 },
            { kind: 'malformedShape', count: 1 },
        ]);
        const broken = await fetch(`${sim.url}/v1.0${path}`, { headers: auth });
        expect(broken.status).toBe(200);
        await expect(broken.json()).rejects.toThrow(/JSON/);
        const odd = await call(path);
        expect(odd.status).toBe(200);
        expect(Array.isArray(odd.body.value)).toBe(false);
    });

    it('holds a timed-out request until the client gives up', async () => {
        sim.injectFaults([{ pathPattern: /riskDetections/, kind: 'timeout', count: 1 }]);
        const started = Date.now();
        await expect(
            fetch(`${sim.url}/v1.0/identityProtection/riskDetections`, {
                headers: auth,
                signal: AbortSignal.timeout(150),
            }),
        ).rejects.toThrow();
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
        expect(sim.requests.at(-1)).toMatchObject({ path: '/v1.0/identityProtection/riskDetections', status: 0 });
        expect((await call('/identityProtection/riskDetections?$top=1')).status).toBe(200);
    });
});

describe('stats and request log', () => {
    it('counts identity-protection calls per route and resets', async () => {
        sim.resetStats();
        await call('/identityProtection/riskDetections?$top=1');
        await call(`/identityProtection/riskyUsers/${ids.bulk[0]!}`);
        await call(`/users/${ids.adele}`);

        const stats = sim.stats();
        expect(stats.identityProtectionCalls).toBe(2);
        expect(stats.byRoute).toEqual({
            'GET /identityProtection/riskDetections': 1,
            'GET /identityProtection/riskyUsers/{id}': 1,
            'GET /users/{id}': 1,
        });
        expect(sim.requests.map((request) => [request.method, request.path, request.query, request.status])).toEqual([
            ['GET', '/v1.0/identityProtection/riskDetections', '$top=1', 200],
            ['GET', `/v1.0/identityProtection/riskyUsers/${ids.bulk[0]!}`, '', 200],
            ['GET', `/v1.0/users/${ids.adele}`, '', 200],
        ]);
    });
});

describe('tenant limit (its own simulator, 2 requests per second)', () => {
    let limited: GraphSimulator;

    beforeAll(async () => {
        const small = createTenant('contoso-throttled');
        const user = small.addUser({
            userPrincipalName: 'adele.vance0001@contoso.example',
            displayName: 'Adele Vance',
        });
        small.addDetection({ userId: user.id, riskEventType: 'unfamiliarFeatures', riskLevel: 'high' });
        limited = await startGraphSimulator({ tenant: small, limitPerSecond: 2, latencyMs: 20 });
    });

    afterAll(async () => {
        await limited.stop();
    });

    it('answers 429 TooManyRequests without Retry-After beyond the budget, leaves /users alone, and recovers after a second', async () => {
        const get = (path: string): Promise<Response> => fetch(`${limited.url}/v1.0${path}`, { headers: auth });
        const started = Date.now();
        const burst = await Promise.all([1, 2, 3, 4, 5].map(() => get('/identityProtection/riskDetections')));
        expect(Date.now() - started).toBeGreaterThanOrEqual(19); // latency applies to every answer

        const bodies = await Promise.all(burst.map((response) => response.text()));
        const statuses = burst.map((response) => response.status).sort();
        expect(statuses).toEqual([200, 200, 429, 429, 429]);
        const throttled = burst.findIndex((response) => response.status === 429);
        expect(burst[throttled]!.headers.get('retry-after')).toBeNull();
        expect((JSON.parse(bodies[throttled]!) as GraphBody).error.code).toBe('TooManyRequests');

        const users = await Promise.all([1, 2, 3, 4].map(() => get('/users/adele.vance0001@contoso.example')));
        expect(users.map((response) => response.status)).toEqual([200, 200, 200, 200]);
        await Promise.all(users.map((response) => response.text()));

        expect(limited.stats()).toMatchObject({ identityProtectionCalls: 5, throttled: 3 });
        await new Promise((resolve) => setTimeout(resolve, 1050));
        expect((await get('/identityProtection/riskyUsers')).status).toBe(200);
    });
});

describe('a synthetic tenant over time (its own simulator)', () => {
    const start = new Date('2025-07-01T00:00:00Z');
    let clock = start;
    let local: GraphSimulator;

    beforeAll(async () => {
        const synthetic = createSyntheticTenant({ seed: 7, userCount: 50, start });
        scheduleDetections(synthetic, { seed: 7, start, durationMs: 6 * 3_600_000, count: 300 });
        local = await startGraphSimulator({ tenant: synthetic, limitPerSecond: 1000, clock: () => clock });
    });

    afterAll(async () => {
        await local.stop();
    });

    async function countVisible(): Promise<number> {
        let total = 0;
        let next: string | undefined = `${local.url}/v1.0/identityProtection/riskDetections?$top=500`;
        while (next !== undefined) {
            const page = (await (await fetch(next, { headers: auth })).json()) as GraphBody;
            total += page.value.length;
            next = page['@odata.nextLink'];
        }
        return total;
    }

    it('surfaces scheduled detections as the clock advances, offline ones included', async () => {
        expect(await countVisible()).toBe(0);
        clock = new Date(start.getTime() + 3 * 3_600_000);
        const midway = await countVisible();
        expect(midway).toBeGreaterThan(50);
        expect(midway).toBeLessThan(300);
        clock = new Date(start.getTime() + 7 * 3_600_000);
        expect(await countVisible()).toBe(300);
    });
});
