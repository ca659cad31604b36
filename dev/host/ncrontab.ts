/**
 * NCRONTAB schedules as Azure Functions timer triggers read them: six fields
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, or five without the seconds (then second 0).
 * The subset supported: numbers, `*`, `*` or a range with `/step`, ranges `a-b`, comma lists, and month and
 * day names (JAN-DEC, SUN-SAT). Day-of-week runs 0 (Sunday) to 6; like NCrontab, a day must match both the
 * day-of-month and the day-of-week field. Times are UTC (the host's default without WEBSITE_TIME_ZONE).
 */

export interface CronSchedule {
    /** The expression as given. */
    readonly expression: string;
    readonly seconds: ReadonlySet<number>;
    readonly minutes: ReadonlySet<number>;
    readonly hours: ReadonlySet<number>;
    readonly days: ReadonlySet<number>;
    readonly months: ReadonlySet<number>;
    readonly daysOfWeek: ReadonlySet<number>;
}

interface FieldSpec {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const fields: readonly FieldSpec[] = [
    { name: 'second', min: 0, max: 59 },
    { name: 'minute', min: 0, max: 59 },
    { name: 'hour', min: 0, max: 23 },
    { name: 'day', min: 1, max: 31 },
    { name: 'month', min: 1, max: 12, names: monthNames },
    { name: 'day-of-week', min: 0, max: 6, names: dayNames },
];

/** Thrown for an expression outside the supported subset, naming the field and what is wrong. */
export class CronSyntaxError extends Error {
    constructor(expression: string, problem: string) {
        super(`Invalid NCRONTAB expression "${expression}": ${problem}`);
        this.name = 'CronSyntaxError';
    }
}

export function parseNcrontab(expression: string): CronSchedule {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
        throw new CronSyntaxError(expression, `expected 6 fields (or 5 without seconds), got ${parts.length}`);
    }
    const six = parts.length === 6 ? parts : ['0', ...parts];
    const sets = six.map((text, index) => parseField(expression, text, fields[index]!));
    return {
        expression,
        seconds: sets[0]!,
        minutes: sets[1]!,
        hours: sets[2]!,
        days: sets[3]!,
        months: sets[4]!,
        daysOfWeek: sets[5]!,
    };
}

function parseField(expression: string, text: string, spec: FieldSpec): Set<number> {
    const values = new Set<number>();
    for (const item of text.split(',')) {
        const [rangeText, stepText, ...extra] = item.split('/');
        if (rangeText === undefined || rangeText === '' || extra.length > 0) {
            throw new CronSyntaxError(expression, `${spec.name} field: cannot read "${item}"`);
        }
        let step = 1;
        if (stepText !== undefined) {
            step = parseNumber(expression, stepText, spec, 'step');
            if (step < 1) {
                throw new CronSyntaxError(expression, `${spec.name} field: step must be at least 1`);
            }
        }
        let from: number;
        let to: number;
        if (rangeText === '*') {
            [from, to] = [spec.min, spec.max];
        } else if (rangeText.includes('-')) {
            const [a, b, ...more] = rangeText.split('-');
            if (a === undefined || b === undefined || more.length > 0) {
                throw new CronSyntaxError(expression, `${spec.name} field: cannot read range "${rangeText}"`);
            }
            [from, to] = [parseValue(expression, a, spec), parseValue(expression, b, spec)];
            if (from > to) {
                throw new CronSyntaxError(expression, `${spec.name} field: range "${rangeText}" runs backwards`);
            }
        } else {
            from = parseValue(expression, rangeText, spec);
            // `5/15` means from 5 to the end in steps of 15, as in NCrontab.
            to = stepText === undefined ? from : spec.max;
        }
        for (let value = from; value <= to; value += step) {
            values.add(value);
        }
    }
    return values;
}

function parseValue(expression: string, text: string, spec: FieldSpec): number {
    const byName = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    if (byName >= 0) {
        return spec.min + byName;
    }
    const value = parseNumber(expression, text, spec, 'value');
    if (value < spec.min || value > spec.max) {
        throw new CronSyntaxError(expression, `${spec.name} field: ${value} is outside ${spec.min}-${spec.max}`);
    }
    return value;
}

function parseNumber(expression: string, text: string, spec: FieldSpec, what: string): number {
    if (!/^\d+$/.test(text)) {
        throw new CronSyntaxError(expression, `${spec.name} field: ${what} "${text}" is not a number`);
    }
    return Number(text);
}

/** Searching further than this without a match means the schedule never fires (e.g. 30 February). */
const searchLimitYears = 5;

/** The first occurrence strictly after `after`, at whole seconds. Throws when there is none within 5 years. */
export function nextOccurrence(schedule: CronSchedule, after: Date): Date {
    const start = Math.floor(after.getTime() / 1000) * 1000 + 1000;
    const limit = start + searchLimitYears * 366 * 86_400_000;
    const t = new Date(start);
    while (t.getTime() <= limit) {
        if (!schedule.months.has(t.getUTCMonth() + 1)) {
            t.setUTCMonth(t.getUTCMonth() + 1, 1);
            t.setUTCHours(0, 0, 0, 0);
            continue;
        }
        if (!schedule.days.has(t.getUTCDate()) || !schedule.daysOfWeek.has(t.getUTCDay())) {
            t.setUTCDate(t.getUTCDate() + 1);
            t.setUTCHours(0, 0, 0, 0);
            continue;
        }
        const hour = firstAtOrAbove(schedule.hours, t.getUTCHours());
        if (hour === undefined) {
            t.setUTCDate(t.getUTCDate() + 1);
            t.setUTCHours(0, 0, 0, 0);
            continue;
        }
        if (hour !== t.getUTCHours()) {
            t.setUTCHours(hour, 0, 0, 0);
        }
        const minute = firstAtOrAbove(schedule.minutes, t.getUTCMinutes());
        if (minute === undefined) {
            t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
            continue;
        }
        if (minute !== t.getUTCMinutes()) {
            t.setUTCMinutes(minute, 0, 0);
        }
        const second = firstAtOrAbove(schedule.seconds, t.getUTCSeconds());
        if (second === undefined) {
            t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
            continue;
        }
        t.setUTCSeconds(second, 0);
        return t;
    }
    throw new CronSyntaxError(schedule.expression, `no occurrence within ${searchLimitYears} years`);
}

function firstAtOrAbove(values: ReadonlySet<number>, from: number): number | undefined {
    let best: number | undefined;
    for (const value of values) {
        if (value >= from && (best === undefined || value < best)) {
            best = value;
        }
    }
    return best;
}

/**
 * The shortest gap between the next few occurrences, in ms: the host turns the schedule monitor on by default
 * only for schedules of a minute or more.
 */
export function shortestIntervalMs(schedule: CronSchedule, from: Date, samples = 5): number {
    let previous = nextOccurrence(schedule, from);
    let shortest = Number.POSITIVE_INFINITY;
    for (let index = 0; index < samples; index++) {
        const next = nextOccurrence(schedule, previous);
        shortest = Math.min(shortest, next.getTime() - previous.getTime());
        previous = next;
    }
    return shortest;
}
