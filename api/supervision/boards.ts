import type postgres from 'postgres';
import type { Actor } from '../../domain/vocabulary.js';
import { reportFilter } from '../reports/report-filter.js';

/**
 * The supervisors' boards: running deadlines that have passed (逾期) and those due soon (即将到期),
 * per step, unit and escalation rung. A deadline is overdue when its workflow says so (the
 * timer fired and the projection recorded it) — the same flag the list's `overdue` filter uses —
 * so the board and the list never disagree.
 */
export interface BoardFilter {
  readonly unitId?: string[] | undefined;
  readonly clock?: string | undefined;
}

interface ClockRow {
  report_id: string;
  clock: string;
  occurrence: number;
  unit_id: string | null;
  stage: string;
  urgency: string;
  due_at: Date;
  rungs_fired: number;
}

export interface BoardItem {
  readonly reportId: string;
  readonly clock: string;
  readonly occurrence: number;
  readonly unitId: string | null;
  readonly stage: string;
  readonly urgency: string;
  readonly dueAt: string;
  /** Hours past the deadline at `asOf` (negative: hours left). */
  readonly overdueHours: number;
  readonly rungsFired: number;
}

export interface Board {
  readonly asOf: string;
  readonly items: readonly BoardItem[];
  readonly byClock: readonly { clock: string; count: number }[];
  readonly byUnit: readonly { unitId: string | null; count: number }[];
  readonly byRung: readonly { rungsFired: number; count: number }[];
}

function countBy<K extends string | number | null>(items: readonly BoardItem[], key: (i: BoardItem) => K) {
  const counts = new Map<K, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

function board(rows: readonly ClockRow[], asOf: Date): Board {
  const items = rows.map((r) => ({
    reportId: r.report_id,
    clock: r.clock,
    occurrence: r.occurrence,
    unitId: r.unit_id,
    stage: r.stage,
    urgency: r.urgency,
    dueAt: r.due_at.toISOString(),
    overdueHours: Math.round(((asOf.getTime() - r.due_at.getTime()) / 3_600_000) * 10) / 10,
    rungsFired: r.rungs_fired,
  }));
  return {
    asOf: asOf.toISOString(),
    items,
    byClock: countBy(items, (i) => i.clock).map(([clock, count]) => ({ clock, count })),
    byUnit: countBy(items, (i) => i.unitId).map(([unitId, count]) => ({ unitId, count })),
    byRung: countBy(items, (i) => i.rungsFired).map(([rungsFired, count]) => ({ rungsFired, count })),
  };
}

async function runningClocks(
  sql: postgres.Sql,
  caller: Actor,
  filter: BoardFilter,
  which: postgres.PendingQuery<postgres.Row[]>,
) {
  const where = reportFilter(sql, caller, filter.unitId ? { unitId: filter.unitId } : {}, 'r');
  return sql<ClockRow[]>`
    select c.report_id, c.clock, c.occurrence, r.unit_id, r.stage, r.urgency, c.due_at, c.rungs_fired
    from report_clocks c join reports r using (report_id)
    where c.stopped_at is null and not c.paused and ${which} and ${where}
      ${filter.clock ? sql`and c.clock = ${filter.clock}` : sql``}
    order by c.due_at, c.report_id`;
}

export async function overdueBoard(sql: postgres.Sql, caller: Actor, filter: BoardFilter, asOf: Date) {
  return board(await runningClocks(sql, caller, filter, sql`c.overdue`), asOf);
}

export async function dueBoard(
  sql: postgres.Sql,
  caller: Actor,
  filter: BoardFilter,
  asOf: Date,
  withinHours: number,
) {
  const until = new Date(asOf.getTime() + withinHours * 3_600_000);
  return board(await runningClocks(sql, caller, filter, sql`not c.overdue and c.due_at <= ${until}`), asOf);
}
