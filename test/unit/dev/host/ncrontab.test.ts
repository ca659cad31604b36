import { CronSyntaxError, nextOccurrence, parseNcrontab, shortestIntervalMs } from '../../../../dev/host/ncrontab';

const at = (iso: string) => new Date(iso);

describe('NCRONTAB schedules of the local host (issue 5)', () => {
    it.each([
        ['*/10 * * * * *', '2025-06-01T10:00:03.500Z', '2025-06-01T10:00:10.000Z'],
        ['*/10 * * * * *', '2025-06-01T10:00:10.000Z', '2025-06-01T10:00:20.000Z'],
        ['0 */5 * * * *', '2025-06-01T10:03:00Z', '2025-06-01T10:05:00.000Z'],
        ['0 */5 * * * *', '2025-06-01T23:58:00Z', '2025-06-02T00:00:00.000Z'],
        ['30 15 9 * * *', '2025-06-01T09:15:30Z', '2025-06-02T09:15:30.000Z'],
        ['0 0 12 * * MON-FRI', '2025-06-07T13:00:00Z', '2025-06-09T12:00:00.000Z'], // Saturday to Monday
        ['0 0 0 1 JAN,JUL *', '2025-02-01T00:00:00Z', '2025-07-01T00:00:00.000Z'],
        ['0 0 0 29 2 *', '2025-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'], // leap day
        ['5,10-12 0 0 * * *', '2025-06-01T00:00:10Z', '2025-06-01T00:00:11.000Z'],
        ['0 10-20/5 * * * *', '2025-06-01T00:16:00Z', '2025-06-01T00:20:00.000Z'],
        ['15/20 * * * * *', '2025-06-01T00:00:36Z', '2025-06-01T00:00:55.000Z'],
    ])('"%s" after %s fires at %s', (expression, after, expected) => {
        expect(nextOccurrence(parseNcrontab(expression), at(after)).toISOString()).toBe(expected);
    });

    it('reads five fields as minutes upwards, at second 0', () => {
        const schedule = parseNcrontab('*/5 * * * *');
        expect(nextOccurrence(schedule, at('2025-06-01T10:03:17Z')).toISOString()).toBe('2025-06-01T10:05:00.000Z');
    });

    it('requires both the day of month and the day of week to match, as NCrontab does', () => {
        // The 13th that is a Friday: June 2025 has Friday the 13th.
        expect(nextOccurrence(parseNcrontab('0 0 0 13 * FRI'), at('2025-01-01T00:00:00Z')).toISOString()).toBe(
            '2025-06-13T00:00:00.000Z',
        );
    });

    it.each([
        ['* * * *', 'expected 6 fields'],
        ['60 * * * * *', 'second field: 60 is outside 0-59'],
        ['* * 24 * * *', 'hour field: 24 is outside 0-23'],
        ['*/0 * * * * *', 'step must be at least 1'],
        ['10-5 * * * * *', 'runs backwards'],
        ['a * * * * *', 'is not a number'],
        ['0 0 0 31 2 *', 'no occurrence'],
    ])('rejects "%s" naming the problem (%s)', (expression, problem) => {
        expect(() => nextOccurrence(parseNcrontab(expression), at('2025-01-01T00:00:00Z'))).toThrow(CronSyntaxError);
        expect(() => nextOccurrence(parseNcrontab(expression), at('2025-01-01T00:00:00Z'))).toThrow(problem);
    });

    it('measures the interval the schedule monitor default depends on', () => {
        expect(shortestIntervalMs(parseNcrontab('*/10 * * * * *'), at('2025-06-01T00:00:00Z'))).toBe(10_000);
        expect(shortestIntervalMs(parseNcrontab('0 */5 * * * *'), at('2025-06-01T00:00:00Z'))).toBe(300_000);
    });
});
