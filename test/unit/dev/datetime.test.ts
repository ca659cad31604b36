import { formatGraphDateTime, nextTick, parseDateTimeOffset, toCanonical } from '../../../dev/graph-simulator/datetime';

describe('Graph DateTimeOffset handling in the simulator', () => {
    it.each([
        ['2025-06-01T10:00:00Z', '2025-06-01T10:00:00.0000000Z'],
        ['2025-06-01T10:00Z', '2025-06-01T10:00:00.0000000Z'],
        ['2025-06-01T10:00:00.5Z', '2025-06-01T10:00:00.5000000Z'],
        ['2025-06-01T10:00:00.1234567Z', '2025-06-01T10:00:00.1234567Z'],
        ['2025-06-01T12:30:00+02:30', '2025-06-01T10:00:00.0000000Z'],
        ['2025-06-01T01:00:00-10:00', '2025-06-01T11:00:00.0000000Z'],
        ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.0000000Z'],
    ])('%s is the instant %s', (text, canonical) => {
        expect(parseDateTimeOffset(text)).toBe(canonical);
    });

    it.each([
        '2025-06-01T10:00:00',
        '2025-06-01',
        '2025-02-29T00:00:00Z',
        '2025-06-01T24:00:00Z',
        '2025-06-01T10:00:00.12345678Z',
        'x',
    ])('%s is not a DateTimeOffset', (text) => {
        expect(parseDateTimeOffset(text)).toBeUndefined();
    });

    it.each([
        ['2025-06-01T10:00:00.0000000Z', '2025-06-01T10:00:00Z'],
        ['2025-06-01T10:00:00.1200000Z', '2025-06-01T10:00:00.12Z'],
        ['2025-06-01T10:00:00.1234567Z', '2025-06-01T10:00:00.1234567Z'],
    ])('%s goes on the wire as %s', (canonical, wire) => {
        expect(formatGraphDateTime(canonical)).toBe(wire);
    });

    it('orders canonical instants as strings', () => {
        const earlier = toCanonical('2025-06-01T10:00:00.9999999Z');
        const later = toCanonical(new Date('2025-06-01T10:00:01Z'));
        expect(earlier < later).toBe(true);
        expect(nextTick(earlier)).toBe(later);
        expect(nextTick('2025-06-01T10:00:00.0000000Z')).toBe('2025-06-01T10:00:00.0000001Z');
    });
});
