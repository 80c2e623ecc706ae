import cn2025 from './calendar/cn-2025.json' with { type: 'json' };
import cn2026 from './calendar/cn-2026.json' with { type: 'json' };
import { statutoryYear } from './statutory-holidays.js';

/**
 * The official Chinese work calendar (public holidays and adjusted workdays 调休, as the 国务院办公厅
 * notices announce them each year) and the deadline arithmetic built on it. Pure and deterministic:
 * no I/O, no clock, no Node built-ins, so it runs inside Temporal's workflow sandbox. Instants are
 * epoch milliseconds; days are China local dates 'YYYY-MM-DD' (UTC+08:00 all year, no DST).
 *
 * The calendar never guesses: a working-day question about a year without data throws
 * `CalendarNotCoveredError`. A deadline is fixed when its step starts and recorded in the workflow
 * history together with `version`, so a later data edit never changes a past deadline on replay.
 */

/** A day in a year's data, with the festival arrangement it belongs to as the notice names it. */
export interface CalendarDay {
  readonly date: string;
  readonly zh: string;
  readonly en: string;
}

/**
 * One year's arrangement (`domain/calendar/cn-<year>.json`, written by `scripts/import-calendar.ts`).
 * Every date lies in `year`; an arrangement crossing New Year is split between the two files.
 */
export interface CalendarYear {
  readonly year: number;
  /** `cn-<year>.<revision>`; the revision goes up with every change to the year's data. */
  readonly version: string;
  /** The official notice, with its number (e.g. 国办发明电〔2024〕12号). */
  readonly source: string;
  readonly sourceUrl: string;
  /** Days off (放假), weekends inside an arrangement included. */
  readonly holidays: readonly CalendarDay[];
  /** Weekend days that are working days (调休上班). */
  readonly adjustedWorkdays: readonly CalendarDay[];
  /**
   * Built from the law's statutory days off alone, before the year's notice (statutory-holidays.ts):
   * no bridging days, no 调休. Deadlines counted through it are marked provisional.
   */
  readonly provisional?: true;
}

export interface WorkCalendar {
  /** The versions of the years it holds, in year order joined by `+`, e.g. `cn-2025.1+cn-2026.1`. */
  readonly version: string;
  /** The years it holds, ascending. */
  readonly years: readonly number[];
  /**
   * Whether `localDate` is a working day: an adjusted workday is, a holiday is not, otherwise
   * Monday to Friday are. Throws `RangeError` for a malformed date and `CalendarNotCoveredError`
   * for a date in a year without data.
   */
  isWorkingDay(localDate: string): boolean;
  /**
   * The deadline of "within n working days" (n 个工作日内) of `startMs`: the end (23:59:59.999
   * +08:00) of the n-th working day after the local date of `startMs`; the start day itself never
   * counts, whatever the hour. `n` must be a positive integer (else `RangeError`). Throws
   * `CalendarNotCoveredError` when the count reaches a year without data.
   */
  addWorkingDays(startMs: number, n: number): number;
  /** Same as the module's `endOfChinaDay`; here so the calendar satisfies `DeadlineCalendar`. */
  endOfChinaDay(ms: number): number;
  /** Working days in the local dates after `fromDate` up to and including `toDate` (0 if none). */
  workingDaysBetween(fromDate: string, toDate: string): number;
  /** The provisional years (see CalendarYear.provisional) the local dates of [fromMs, toMs] touch. */
  provisionalYears(fromMs: number, toMs: number): readonly CalendarYear[];
}

export const WORK_CALENDAR_ERROR_CODES = {
  invalidData: 'CALENDAR_INVALID_DATA',
  notCovered: 'CALENDAR_NOT_COVERED',
} as const;

/** The calendar data is unusable; `problems` lists every defect found, the message joins them. */
export class CalendarDataError extends Error {
  override readonly name = 'CalendarDataError';
  readonly code = WORK_CALENDAR_ERROR_CODES.invalidData;
  constructor(readonly problems: readonly string[]) {
    super(`invalid work calendar data: ${problems.join('; ')}`);
  }
}

/** A working-day question about a date whose year the calendar holds no data for. */
export class CalendarNotCoveredError extends Error {
  override readonly name = 'CalendarNotCoveredError';
  readonly code = WORK_CALENDAR_ERROR_CODES.notCovered;
  constructor(
    readonly year: number,
    readonly localDate: string,
    readonly coveredYears: readonly number[],
  ) {
    super(`the work calendar has no data for ${year} (${localDate}); it covers ${coveredYears.join(', ')}`);
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHINA_OFFSET = 8 * HOUR;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a local date, or undefined unless it is a real 'YYYY-MM-DD' date. */
function dayNumberOf(localDate: unknown): number | undefined {
  const m = typeof localDate === 'string' ? DATE_PATTERN.exec(localDate) : null;
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dateOf(t / DAY) === localDate ? t / DAY : undefined; // 2025-02-30 rolls over to March
}

function parseLocalDate(localDate: string): number {
  const day = dayNumberOf(localDate);
  if (day === undefined) throw new RangeError(`not a date 'YYYY-MM-DD': ${String(localDate)}`);
  return day;
}

const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
const chinaDayOf = (ms: number): number => Math.floor((requireInstant(ms) + CHINA_OFFSET) / DAY);
const isWeekend = (day: number): boolean => [0, 6].includes(new Date(day * DAY).getUTCDay());

function requireInstant(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant in epoch milliseconds: ${ms}`);
  return ms;
}

/** The China local date ('YYYY-MM-DD') of an instant. */
export function chinaLocalDate(ms: number): string {
  return dateOf(chinaDayOf(ms));
}

/** The last millisecond (23:59:59.999 +08:00) of the China local date of an instant. */
export function endOfChinaDay(ms: number): number {
  return (chinaDayOf(ms) + 1) * DAY - CHINA_OFFSET - 1;
}

/** `ms` plus `days` × 24 hours exactly; `days` must be an integer (else `RangeError`). */
export function addCalendarDays(ms: number, days: number): number {
  if (!Number.isSafeInteger(days)) throw new RangeError(`calendar days must be an integer, got ${days}`);
  return requireInstant(ms) + days * DAY;
}

/** `ms` plus `hours` hours; `hours` must be finite (else `RangeError`). */
export function addHours(ms: number, hours: number): number {
  if (!Number.isFinite(hours)) throw new RangeError(`hours must be a finite number, got ${hours}`);
  return requireInstant(ms) + hours * HOUR;
}

/**
 * Builds a calendar from years of data after checking them: years unique, versions and sources
 * present, every date real and in its year, none listed twice, none both a holiday and a workday,
 * adjusted workdays on weekends. Throws one `CalendarDataError` naming every problem.
 */
export function createWorkCalendar(
  years: readonly CalendarYear[],
  /**
   * What a year after the last one given holds, until its notice is imported (the law's
   * statutory days off, marked provisional). Without it such a year is not covered.
   */
  opts: { beyond?: (year: number) => CalendarYear } = {},
): WorkCalendar {
  const problems = validate(years);
  if (problems.length > 0) throw new CalendarDataError(problems);
  const sorted = [...years].sort((a, b) => a.year - b.year);
  const covered = Object.freeze(sorted.map((y) => y.year));
  const lastCovered = Math.max(...covered);
  const holidays = new Set(sorted.flatMap((y) => y.holidays.map((d) => parseLocalDate(d.date))));
  const workdays = new Set(sorted.flatMap((y) => y.adjustedWorkdays.map((d) => parseLocalDate(d.date))));
  // Years after the data, built on first use (deterministic: the same year always gives the same days).
  const later = new Map<number, { year: CalendarYear; holidays: ReadonlySet<number> }>();
  const laterYear = (year: number) => {
    let known = later.get(year);
    if (!known && opts.beyond) {
      const built = opts.beyond(year);
      const defects = validate([built]);
      if (defects.length > 0) throw new CalendarDataError(defects);
      known = { year: built, holidays: new Set(built.holidays.map((d) => parseLocalDate(d.date))) };
      later.set(year, known);
    }
    return known;
  };

  const isWorkingDayNumber = (day: number): boolean => {
    const year = new Date(day * DAY).getUTCFullYear();
    if (!covered.includes(year)) {
      const provisional = year > lastCovered ? laterYear(year) : undefined;
      if (!provisional) throw new CalendarNotCoveredError(year, dateOf(day), covered);
      return !provisional.holidays.has(day) && !isWeekend(day);
    }
    if (workdays.has(day)) return true;
    return !holidays.has(day) && !isWeekend(day);
  };

  return Object.freeze({
    version: sorted.map((y) => y.version).join('+'),
    years: covered,
    endOfChinaDay,
    isWorkingDay: (localDate: string) => isWorkingDayNumber(parseLocalDate(localDate)),
    addWorkingDays(startMs: number, n: number): number {
      if (!Number.isSafeInteger(n) || n < 1)
        throw new RangeError(`working days must be an integer ≥ 1, got ${n}`);
      let day = chinaDayOf(startMs);
      // Bounded: each step counts a day or nears the first uncovered year, which throws.
      for (let counted = 0; counted < n;) {
        day += 1;
        if (isWorkingDayNumber(day)) counted += 1;
      }
      return (day + 1) * DAY - CHINA_OFFSET - 1;
    },
    provisionalYears(fromMs: number, toMs: number): readonly CalendarYear[] {
      const from = new Date(chinaDayOf(fromMs) * DAY).getUTCFullYear();
      const to = new Date(chinaDayOf(toMs) * DAY).getUTCFullYear();
      const found: CalendarYear[] = [];
      for (let year = Math.max(from, lastCovered + 1); year <= to; year += 1) {
        const known = laterYear(year);
        if (known) found.push(known.year);
      }
      return found;
    },
    workingDaysBetween(fromDate: string, toDate: string): number {
      let count = 0;
      for (let day = parseLocalDate(fromDate) + 1; day <= parseLocalDate(toDate); day += 1) {
        if (isWorkingDayNumber(day)) count += 1;
      }
      return count;
    },
  });
}

function validate(years: readonly CalendarYear[]): string[] {
  const problems: string[] = [];
  if (years.length === 0) problems.push('no years given');
  const seenYears = new Set<number>();
  for (const y of years) {
    const at = `year ${String(y.year)}`;
    if (!Number.isInteger(y.year)) problems.push(`${at}: the year is not an integer`);
    if (seenYears.has(y.year)) problems.push(`${at}: listed more than once`);
    seenYears.add(y.year);
    if (typeof y.version !== 'string' || !/^[\w.-]+$/.test(y.version)) problems.push(`${at}: bad version`);
    if (typeof y.source !== 'string' || y.source.trim() === '') problems.push(`${at}: no source`);
    if (typeof y.sourceUrl !== 'string' || !y.sourceUrl.startsWith('https://'))
      problems.push(`${at}: no source url`);
    const holidays = checkDays(y.holidays, `${at} holiday`, y.year, problems);
    const workdays = checkDays(y.adjustedWorkdays, `${at} adjusted workday`, y.year, problems);
    for (const [date, day] of workdays) {
      if (holidays.has(date)) problems.push(`${at}: ${date} is both a holiday and an adjusted workday`);
      if (!isWeekend(day)) problems.push(`${at}: adjusted workday ${date} is not a Saturday or Sunday`);
    }
  }
  return problems;
}

function checkDays(days: readonly CalendarDay[], what: string, year: number, problems: string[]) {
  const seen = new Map<string, number>();
  if (!Array.isArray(days)) problems.push(`${what}s are missing`);
  for (const d of Array.isArray(days) ? (days as readonly CalendarDay[]) : []) {
    const day = dayNumberOf(d.date);
    if (day === undefined) problems.push(`${what} ${String(d.date)} is not a date 'YYYY-MM-DD'`);
    else if (!d.date.startsWith(`${year}-`)) problems.push(`${what} ${d.date} is not in ${year}`);
    else if (seen.has(d.date)) problems.push(`${what} ${d.date} is listed twice`);
    else seen.set(d.date, day);
    if (!d.zh || !d.en) problems.push(`${what} ${String(d.date)} has no festival name`);
  }
  return seen;
}

/**
 * The calendar of the shipped years (`domain/calendar/*.json`), and after them the law's statutory
 * days off, provisional until the year's notice is imported: the default for deadlines.
 */
export const SHIPPED_YEARS: readonly CalendarYear[] = [cn2025, cn2026];
export const workCalendar: WorkCalendar = createWorkCalendar(SHIPPED_YEARS, { beyond: statutoryYear });

/** A year's data, checked as `createWorkCalendar` checks it: every defect found, none when usable. */
export const calendarYearProblems = (year: CalendarYear): string[] => validate([year]);

/** The year and revision of a version `cn-<year>.<revision>`; undefined for other versions. */
export function parseCalendarVersion(version: string): { year: number; revision: number } | undefined {
  const m = /^cn-(\d{4})\.(\d+)$/.exec(version);
  return m ? { year: Number(m[1]), revision: Number(m[2]) } : undefined;
}

/** Whether a calendar holds `version`'s year at that revision or a later one. */
export function holdsCalendarVersion(calendar: Pick<WorkCalendar, 'version'>, version: string): boolean {
  const wanted = parseCalendarVersion(version);
  if (!wanted) return false;
  return calendar.version.split('+').some((v) => {
    const held = parseCalendarVersion(v);
    return held?.year === wanted.year && held.revision >= wanted.revision;
  });
}
