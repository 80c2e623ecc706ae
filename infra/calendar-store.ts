import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { statutoryYear } from '../domain/statutory-holidays.js';
import {
  CalendarDataError,
  SHIPPED_YEARS,
  calendarYearProblems,
  createWorkCalendar,
  holdsCalendarVersion,
  parseCalendarVersion,
  type CalendarYear,
  type WorkCalendar,
} from '../domain/work-calendar.js';

/**
 * The work calendar a running system counts deadlines with: the years shipped in
 * `domain/calendar/`, overlaid by the years imported since (`work_calendar_years`, the newest
 * revision of each), and after them the law's statutory days off, provisional. Workers and the API
 * each hold one, reloaded when it is older than `refreshMs`, or at once when a caller needs a
 * version it does not hold yet (a report told to recompute after an import).
 */
export interface CalendarStore {
  current(): Promise<WorkCalendar>;
  /** The calendar holding `version` (`cn-<year>.<revision>`) or a later revision of that year. */
  holding(version: string): Promise<WorkCalendar>;
}

/** No database holds an imported year that a caller needs. */
export class CalendarVersionUnknown extends Error {
  override readonly name = 'CalendarVersionUnknown';
}

export function createCalendarStore(sql: postgres.Sql, opts: { refreshMs?: number } = {}): CalendarStore {
  const refreshMs = opts.refreshMs ?? 10_000;
  let cached: { calendar: WorkCalendar; at: number } | undefined;
  let loading: Promise<WorkCalendar> | undefined;
  const load = () =>
    (loading ??= (async () => {
      try {
        const calendar = buildCalendar(await importedYears(sql));
        cached = { calendar, at: Date.now() };
        return calendar;
      } finally {
        loading = undefined;
      }
    })());
  return {
    async current() {
      if (cached && Date.now() - cached.at < refreshMs) return cached.calendar;
      return load();
    },
    async holding(version) {
      if (cached && holdsCalendarVersion(cached.calendar, version)) return cached.calendar;
      const calendar = await load();
      if (!holdsCalendarVersion(calendar, version))
        throw new CalendarVersionUnknown(`no imported calendar ${version}; this one is ${calendar.version}`);
      return calendar;
    },
  };
}

/** The shipped years, each replaced by its newest import where there is one. */
export function buildCalendar(imported: readonly CalendarYear[]): WorkCalendar {
  const byYear = new Map(SHIPPED_YEARS.map((y) => [y.year, y]));
  for (const y of imported) byYear.set(y.year, y);
  return createWorkCalendar([...byYear.values()], { beyond: statutoryYear });
}

async function importedYears(sql: postgres.Sql): Promise<CalendarYear[]> {
  const rows = await sql<{ document: CalendarYear }[]>`
    select distinct on (year) document from work_calendar_years order by year, revision desc`;
  return rows.map((r) => r.document);
}

/** What an import carries: a year's days, with the notice they come from. */
export type CalendarNotice = Pick<CalendarYear, 'source' | 'sourceUrl' | 'holidays' | 'adjustedWorkdays'>;

export interface ImportedYear {
  readonly year: CalendarYear;
  /** False when the newest revision already said the same: nothing new was stored. */
  readonly created: boolean;
  /** The year's version before (shipped, imported, or the provisional one from the law). */
  readonly previousVersion: string;
}

const digest = (notice: CalendarNotice) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        notice.source,
        notice.sourceUrl,
        [...notice.holidays].sort((a, b) => a.date.localeCompare(b.date)),
        [...notice.adjustedWorkdays].sort((a, b) => a.date.localeCompare(b.date)),
      ]),
    )
    .digest('hex');

/**
 * Stores a year's notice as its next revision (`cn-<year>.<n>`), after checking it as the
 * calendar checks every year. The same content again stores nothing and answers the revision it
 * has. Serialised per year by a transaction-level advisory lock.
 */
export async function importCalendarYear(
  sql: postgres.Sql,
  year: number,
  notice: CalendarNotice,
  importedBy: string,
): Promise<ImportedYear> {
  const shipped = SHIPPED_YEARS.find((y) => y.year === year);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('work_calendar_years'), ${year})`;
    const [last] = await tx<{ revision: number; sha256: string; document: CalendarYear }[]>`
      select revision, sha256, document from work_calendar_years where year = ${year}
      order by revision desc limit 1`;
    const sha256 = digest(notice);
    if (last?.sha256 === sha256)
      return { year: last.document, created: false, previousVersion: last.document.version };
    const before = last?.document ?? shipped;
    const revision =
      Math.max(last?.revision ?? 0, before ? (parseCalendarVersion(before.version)?.revision ?? 0) : 0) + 1;
    const document: CalendarYear = {
      year,
      version: `cn-${year}.${revision}`,
      source: notice.source,
      sourceUrl: notice.sourceUrl,
      holidays: notice.holidays,
      adjustedWorkdays: notice.adjustedWorkdays,
    };
    const problems = calendarYearProblems(document);
    if (problems.length > 0) throw new CalendarDataError(problems);
    await tx`
      insert into work_calendar_years (year, revision, version, sha256, document, imported_by)
      values (${year}, ${revision}, ${document.version}, ${sha256}, ${tx.json(document as never)}, ${importedBy})`;
    return {
      year: document,
      created: true,
      previousVersion: before?.version ?? statutoryYear(year).version,
    };
  });
}

/** Every imported revision, newest first, for `GET /v1/calendars`. */
export async function listImportedYears(sql: postgres.Sql) {
  return sql<{ year: number; revision: number; version: string; imported_by: string; imported_at: Date }[]>`
    select year, revision, version, imported_by, imported_at from work_calendar_years
    order by year, revision desc`;
}
