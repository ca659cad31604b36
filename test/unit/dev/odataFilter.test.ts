import { parseDateTimeOffset } from '../../../dev/graph-simulator/datetime';
import { ODataFilterError, createFilterPredicate, type FilterValue } from '../../../dev/graph-simulator/odataFilter';
import { riskDetectionFilterSchema } from '../../../dev/graph-simulator/routes/riskDetections';
import { riskyUserFilterSchema } from '../../../dev/graph-simulator/routes/riskyUsers';

type Row = Record<string, string | null>;

function at(text: string): string {
    const canonical = parseDateTimeOffset(text);
    if (canonical === undefined) {
        throw new Error(`bad fixture date ${text}`);
    }
    return canonical;
}

const rows: Row[] = [
    {
        id: 'a',
        riskLevel: 'high',
        riskState: 'atRisk',
        riskEventType: 'unfamiliarFeatures',
        userDisplayName: "Miles O'Brien",
        correlationId: 'c-1',
        lastUpdatedDateTime: at('2025-06-01T09:59:59.9999999Z'),
    },
    {
        id: 'b',
        riskLevel: 'medium',
        riskState: 'dismissed',
        riskEventType: 'leakedCredentials',
        userDisplayName: 'Adele Vance',
        correlationId: null,
        lastUpdatedDateTime: at('2025-06-01T10:00:00Z'),
    },
    {
        id: 'c',
        riskLevel: 'high',
        riskState: 'dismissed',
        riskEventType: 'passwordSpray',
        userDisplayName: 'Alex Wilber',
        correlationId: 'c-3',
        lastUpdatedDateTime: at('2025-06-01T10:00:00.1234567Z'),
    },
    {
        id: 'd',
        riskLevel: 'low',
        riskState: 'atRisk',
        riskEventType: 'anonymizedIPAddress',
        userDisplayName: 'Megan Bowen',
        correlationId: 'c-4',
        lastUpdatedDateTime: at('2025-06-01T11:30:00Z'),
    },
];

const read = (row: Row, property: string): FilterValue => row[property];

function matching(filter: string): string[] {
    const predicate = createFilterPredicate(filter, riskDetectionFilterSchema, read);
    return rows.filter(predicate).map((row) => row.id ?? '');
}

describe('$filter on riskDetections', () => {
    it.each([
        ["riskLevel eq 'high'", ['a', 'c']],
        ["riskLevel ne 'high'", ['b', 'd']],
        ["riskLevel eq 'high' and riskState eq 'atRisk'", ['a']],
        ["riskLevel eq 'high' or riskEventType eq 'leakedCredentials'", ['a', 'b', 'c']],
        ["riskLevel eq 'low' or riskLevel eq 'high' and riskState eq 'dismissed'", ['c', 'd']],
        ["(riskLevel eq 'low' or riskLevel eq 'high') and riskState eq 'dismissed'", ['c']],
        ["((riskLevel eq 'low'))", ['d']],
        ['lastUpdatedDateTime ge 2025-06-01T10:00:00Z', ['b', 'c', 'd']],
        ['lastUpdatedDateTime gt 2025-06-01T10:00:00Z', ['c', 'd']],
        ['lastUpdatedDateTime gt 2025-06-01T10:00:00.1234567Z', ['d']],
        ['lastUpdatedDateTime ge 2025-06-01T10:00:00.123Z', ['c', 'd']],
        ['lastUpdatedDateTime ge 2025-06-01T12:00:00+02:00', ['b', 'c', 'd']],
        ['lastUpdatedDateTime lt 2025-06-01T10:00Z', ['a']],
        ['lastUpdatedDateTime le 2025-06-01T09:59:59.9999999Z', ['a']],
        ['lastUpdatedDateTime eq 2025-06-01T10:00:00Z', ['b']],
        ['lastUpdatedDateTime gt 2025-06-01T10:00:00Z and lastUpdatedDateTime lt 2025-06-01T11:00:00Z', ['c']],
        ["lastUpdatedDateTime ge '2025-06-01T10:00:00Z'", []],
        ["lastUpdatedDateTime eq '2025-06-01T10:00:00Z'", []],
        ["lastUpdatedDateTime ne '2025-06-01T10:00:00Z'", []],
        ["riskLevel eq microsoft.graph.riskLevel'high'", ['a', 'c']],
        ["userDisplayName eq 'Miles O''Brien'", ['a']],
        ['correlationId eq null', ['b']],
        ['correlationId ne null', ['a', 'c', 'd']],
        ["riskEventType ge 'p'", ['a', 'c']],
        ["   riskState   eq   'atRisk'   ", ['a', 'd']],
        ["riskState eq 'atRisk' and (riskLevel eq 'low' or lastUpdatedDateTime lt 2025-06-01T10:00:00Z)", ['a', 'd']],
    ])('%s matches %j', (filter, expected) => {
        expect(matching(filter)).toEqual(expected);
    });

    it.each([
        ['', /empty/],
        ["foo eq 'x'", /Could not find a property named 'foo'/],
        ["location eq 'x'", /Could not find a property named 'location'/],
        ["riskLevel eq 'extreme'", /not a valid enumeration/],
        ["riskLevel eq 'High'", /not a valid enumeration/],
        ["riskLevel gt 'low'", /Operator 'gt' is not supported/],
        ['riskLevel eq high', /expected a literal/],
        ['lastUpdatedDateTime ge 2025-06-01T10:00:00', /not a valid DateTimeOffset/],
        ['lastUpdatedDateTime ge 2025-06-01T10:00:00 02:00', /not a valid DateTimeOffset|unexpected/],
        ['lastUpdatedDateTime ge 2025-13-01T10:00:00Z', /not a valid DateTimeOffset/],
        ['lastUpdatedDateTime ge 2025-02-30T10:00:00Z', /not a valid DateTimeOffset/],
        ['lastUpdatedDateTime ge 2025-06-01T10:00:00.12345678Z', /not a valid DateTimeOffset/],
        ['lastUpdatedDateTime ge 5', /cannot be compared/],
        ['userId eq 2025-06-01T10:00:00Z', /cannot be compared/],
        ["riskLevel eq microsoft.graph.riskState'atRisk'", /not the type of 'riskLevel'/],
        ["riskLevel eq 'high' and", /expected a property name/],
        ["(riskLevel eq 'high'", /expected '\)'/],
        ["riskLevel eq 'high')", /unexpected '\)'/],
        ["riskLevel in ('high','medium')", /found operator 'in'/],
        ["not riskLevel eq 'high'", /'not' operator is not supported/],
        ["startswith(userPrincipalName,'a')", /Unsupported function 'startswith'/],
        ["riskLevel eq 'high", /Unterminated string/],
        ["riskLevel eqq 'high'", /expected eq, ne, gt, ge, lt or le/],
        ["riskLevel eq 'high' riskState eq 'atRisk'", /unexpected 'riskState'/],
        ['userId gt null', /Only eq and ne/],
    ])('%j is refused (%s)', (filter, message) => {
        expect(() => matching(filter)).toThrow(ODataFilterError);
        expect(() => matching(filter)).toThrow(message);
    });
});

describe('$filter on riskyUsers', () => {
    const users: Row[] = [
        { id: 'u1', riskLevel: 'high', riskState: 'atRisk' },
        { id: 'u2', riskLevel: 'none', riskState: 'dismissed' },
        { id: 'u3', riskLevel: 'medium', riskState: 'atRisk' },
    ];
    const filterUsers = (filter: string): string[] =>
        users.filter(createFilterPredicate(filter, riskyUserFilterSchema, read)).map((user) => user.id ?? '');

    it.each([
        ["riskLevel eq 'high'", ['u1']],
        ["riskState eq 'atRisk' and riskLevel eq 'medium'", ['u3']],
        ["riskState eq 'dismissed' or riskLevel eq 'high'", ['u1', 'u2']],
    ])('%s matches %j', (filter, expected) => {
        expect(filterUsers(filter)).toEqual(expected);
    });

    it.each([
        ["id eq 'u1'", /Could not find a property named 'id'/],
        ["riskLevel ne 'high'", /Operator 'ne' is not supported/],
        ["userPrincipalName eq 'a@contoso.example'", /Could not find a property/],
    ])('%j is refused (%s)', (filter, message) => {
        expect(() => filterUsers(filter)).toThrow(message);
    });
});
