import { describe, expect, it } from 'vitest';
import upstream2025 from 'chinese-days/dist/years/2025.json' with { type: 'json' };
import upstream2026 from 'chinese-days/dist/years/2026.json' with { type: 'json' };
import cn2025 from '../../domain/calendar/cn-2025.json' with { type: 'json' };
import cn2026 from '../../domain/calendar/cn-2026.json' with { type: 'json' };
import type { DeadlineCalendar } from '../../domain/deadline-schedule.js';
import {
  addCalendarDays,
  addHours,
  CalendarDataError,
  CalendarNotCoveredError,
  chinaLocalDate,
  createWorkCalendar,
  endOfChinaDay,
  workCalendar,
  type CalendarYear,
} from '../../domain/work-calendar.js';

// Expected dates below are worked out by hand from 国办发明电〔2024〕12号 (2025) and
// 国办发明电〔2025〕7号 (2026); weekdays from 2025-01-01 being a Wednesday, 2026-01-01 a Thursday.

const at = (iso: string): number => Date.parse(iso);
/** The deadline instant of a local date: its last millisecond in China. */
const endOf = (localDate: string): number => at(`${localDate}T23:59:59.999+08:00`);
const deadline = (startIso: string, n: number): string =>
  chinaLocalDate(workCalendar.addWorkingDays(at(startIso), n));

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('working days under the official calendar', () => {
  it('counts Monday to Friday and not the weekend outside any holiday', () => {
    expect(workCalendar.isWorkingDay('2026-03-06')).toBe(true); // Friday
    expect(workCalendar.isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(workCalendar.isWorkingDay('2026-03-08')).toBe(false); // Sunday
  });

  it('counts an adjusted workday (调休) as a working day', () => {
    expect(workCalendar.isWorkingDay('2025-01-26')).toBe(true); // Sunday, 春节
    expect(workCalendar.isWorkingDay('2025-10-11')).toBe(true); // Saturday, 国庆节、中秋节
    expect(workCalendar.isWorkingDay('2026-02-28')).toBe(true); // Saturday, 春节
  });

  it('does not count a public holiday on a weekday', () => {
    expect(workCalendar.isWorkingDay('2025-02-03')).toBe(false); // Monday, 春节
    expect(workCalendar.isWorkingDay('2026-09-25')).toBe(false); // Friday, 中秋节
  });

  it('counts the working days after one date up to another', () => {
    expect(workCalendar.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3); // 10-08, 10-09, 10-10
    expect(workCalendar.workingDaysBetween('2026-10-10', '2026-10-10')).toBe(0);
  });
});

describe('"within n working days": the end of the n-th working day after the start date', () => {
  it('7 working days from 2026-09-28 cross National Day and end on 2026-10-13', () => {
    // 09-29, 09-30, (10-01…10-07 off), 10-08, 10-09, 10-10 (调休 Saturday), (Sunday), 10-12, 10-13
    const due = workCalendar.addWorkingDays(at('2026-09-28T10:00:00+08:00'), 7);
    expect(due).toBe(endOf('2026-10-13'));
    expect(new Date(due).toISOString()).toBe('2026-10-13T15:59:59.999Z');
  });

  it('7 working days from 2025-09-26 use both adjusted workdays of 2025 National Day and Mid-Autumn', () => {
    // 09-28 (调休 Sunday), 09-29, 09-30, (10-01…10-08 off), 10-09, 10-10, 10-11 (调休 Saturday), 10-13
    expect(deadline('2025-09-26T09:00:00+08:00', 7)).toBe('2025-10-13');
  });

  it('2025 Spring Festival: 3 working days from 2025-01-27 end on 2025-02-07', () => {
    expect(deadline('2025-01-27T10:00:00+08:00', 3)).toBe('2025-02-07');
    // 7: 02-05, 02-06, 02-07, 02-08 (调休 Saturday), 02-10, 02-11, 02-12
    expect(deadline('2025-01-27T10:00:00+08:00', 7)).toBe('2025-02-12');
  });

  it('2026 Spring Festival: 7 working days from 2026-02-13 end on 2026-03-02', () => {
    // 02-14 (调休), (02-15…02-23 off), 02-24, 02-25, 02-26, 02-27, 02-28 (调休), 03-02
    expect(deadline('2026-02-13T16:00:00+08:00', 7)).toBe('2026-03-02');
  });

  it('one working day from the Friday before a weekend is the Monday', () => {
    expect(deadline('2026-03-06T09:00:00+08:00', 1)).toBe('2026-03-09');
    expect(deadline('2026-03-07T09:00:00+08:00', 3)).toBe('2026-03-11'); // from a Saturday
  });

  it('an adjusted Sunday can be the first working day (2025-01-24 + 1 → 2025-01-26)', () => {
    expect(deadline('2025-01-24T09:00:00+08:00', 1)).toBe('2025-01-26');
  });

  it('the Labour Day break pushes one working day from 2025-04-30 to 2025-05-06', () => {
    expect(deadline('2025-04-30T09:00:00+08:00', 1)).toBe('2025-05-06');
  });

  it('counts from the China date, not the UTC date, for a start late in the evening', () => {
    // 23:30 on Thursday 03-05 in China is still 03-05 (15:30 UTC): the next working day is Friday.
    expect(deadline('2026-03-05T23:30:00+08:00', 1)).toBe('2026-03-06');
    // 00:30 on Friday 03-06 in China is 03-05 16:30 UTC, but the China date is Friday: Monday.
    expect(deadline('2026-03-05T16:30:00Z', 1)).toBe('2026-03-09');
  });

  it('crosses from one year file into the next (2025-12-31 + 1 → the 元旦 调休 2026-01-04)', () => {
    expect(deadline('2025-12-31T09:00:00+08:00', 1)).toBe('2026-01-04');
  });

  it('rejects a count that is not a positive integer', () => {
    const start = at('2026-03-05T09:00:00+08:00');
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => workCalendar.addWorkingDays(start, n)).toThrow(RangeError);
    }
  });
});

describe('coverage: the calendar never guesses', () => {
  it('throws CalendarNotCoveredError, naming the year, for a date before the data', () => {
    const error = errorOf(() => workCalendar.isWorkingDay('2024-12-31'));
    expect(error).toBeInstanceOf(CalendarNotCoveredError);
    expect(error).toMatchObject({ year: 2024, localDate: '2024-12-31', code: 'CALENDAR_NOT_COVERED' });
  });

  it('counts past the last imported year on the law’s days off (statutory-holidays.test.ts)', () => {
    // 2026-12-31 counts; 2027-01-01 is 元旦 by law; Monday 2027-01-04 counts.
    expect(deadline('2026-12-30T09:00:00+08:00', 2)).toBe('2027-01-04');
    const later = createWorkCalendar([cn2025, cn2026]);
    expect(() => later.isWorkingDay('2027-01-04')).toThrow(/no data for 2027/);
  });

  it('needs no data for the start day itself, only for the days it counts', () => {
    expect(deadline('2024-12-31T09:00:00+08:00', 1)).toBe('2025-01-02'); // 01-01 元旦
  });

  it('rejects a malformed date', () => {
    for (const bad of ['2025-02-29', '2025-2-3', '2025-13-01', '']) {
      expect(() => workCalendar.isWorkingDay(bad)).toThrow(RangeError);
    }
  });
});

describe('China time (UTC+08:00, no DST)', () => {
  it('gives the China local date of an instant', () => {
    expect(chinaLocalDate(at('2025-12-31T15:59:59.999Z'))).toBe('2025-12-31');
    expect(chinaLocalDate(at('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
  });

  it('ends a China day at 23:59:59.999 +08:00', () => {
    expect(endOfChinaDay(at('2026-07-01T00:00:00+08:00'))).toBe(endOf('2026-07-01'));
    expect(endOfChinaDay(at('2026-07-01T23:59:59.999+08:00'))).toBe(endOf('2026-07-01'));
  });

  it('adds calendar days as exact 24-hour steps and hours as hours', () => {
    const start = at('2026-09-30T10:15:00+08:00');
    expect(addCalendarDays(start, 3)).toBe(at('2026-10-03T10:15:00+08:00')); // holidays count
    expect(addHours(start, 24)).toBe(at('2026-10-01T10:15:00+08:00'));
    expect(() => addCalendarDays(start, 0.5)).toThrow(RangeError);
    expect(() => chinaLocalDate(Number.NaN)).toThrow(RangeError);
  });
});

describe('calendar data', () => {
  it('is versioned by its years, whatever their order', () => {
    expect(workCalendar.version).toBe('cn-2025.1+cn-2026.1');
    expect(workCalendar.years).toEqual([2025, 2026]);
    expect(createWorkCalendar([cn2026, cn2025]).version).toBe(workCalendar.version);
  });

  it('names the official notices it comes from', () => {
    expect(cn2025.source).toContain('国办发明电〔2024〕12号');
    expect(cn2026.source).toContain('国办发明电〔2025〕7号');
  });

  it('agrees date for date with the chinese-days package', () => {
    for (const [ours, theirs] of [
      [cn2025, upstream2025],
      [cn2026, upstream2026],
    ] as const) {
      expect(ours.holidays.map((d) => d.date)).toEqual(Object.keys(theirs.holidays).sort());
      expect(ours.adjustedWorkdays.map((d) => d.date)).toEqual(Object.keys(theirs.workdays).sort());
    }
  });

  it('serves as the deadline calendar of the schedule', () => {
    const calendar: DeadlineCalendar = workCalendar;
    expect(calendar.addWorkingDays(at('2026-03-06T09:00:00+08:00'), 1)).toBe(endOf('2026-03-09'));
  });

  it('rejects bad data with every problem named', () => {
    const broken: CalendarYear = {
      ...cn2025,
      holidays: [
        { date: '2025-02-30', zh: '春节', en: 'Spring Festival' },
        { date: '2024-12-31', zh: '元旦', en: "New Year's Day" },
        { date: '2025-04-27', zh: '劳动节', en: 'Labour Day' },
      ],
      adjustedWorkdays: [
        { date: '2025-04-27', zh: '劳动节', en: 'Labour Day' },
        { date: '2025-04-28', zh: '劳动节', en: 'Labour Day' },
      ],
    };
    const error = errorOf(() => createWorkCalendar([broken, cn2025]));
    expect(error).toBeInstanceOf(CalendarDataError);
    expect((error as CalendarDataError).problems).toEqual([
      "year 2025 holiday 2025-02-30 is not a date 'YYYY-MM-DD'",
      'year 2025 holiday 2024-12-31 is not in 2025',
      'year 2025: 2025-04-27 is both a holiday and an adjusted workday',
      'year 2025: adjusted workday 2025-04-28 is not a Saturday or Sunday',
      'year 2025: listed more than once',
    ]);
    expect(() => createWorkCalendar([])).toThrow(CalendarDataError);
  });
});
