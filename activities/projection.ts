import type { Projection, ReportSummary } from '../domain/report/report-summary.js';
import type { DeadlineRecomputed } from '../domain/report/deadline-recompute-steps.js';
import { INSERT_ONLY_COLUMNS, reportColumnsOf } from '../infra/read-model.js';
import type postgres from 'postgres';
import { refuseBadData } from './data-errors.js';
import type { ActivityDeps } from './index.js';

type Tx = postgres.TransactionSql;

async function upsertReport(tx: Tx, r: ReportSummary): Promise<boolean> {
  const row = reportColumnsOf(r, (value) => tx.json(value as never));
  // Column names come from this project's summary type, never from input: safe to splice in.
  const columns = Object.keys(row).filter((c) => !INSERT_ONLY_COLUMNS.includes(c));
  const applied = await tx`
    insert into reports ${tx(row as never)}
    on conflict (report_id) do update set ${tx.unsafe(columns.map((c) => `${c} = excluded.${c}`).join(', '))},
      updated_at = now()
    where reports.last_sequence <= excluded.last_sequence
    returning 1`;
  return applied.length > 0;
}

async function upsertClocks(tx: Tx, r: ReportSummary): Promise<void> {
  if (r.clocks.length === 0) return;
  const rows = r.clocks.map((c) => ({
    report_id: r.reportId,
    clock: c.clock,
    occurrence: c.occurrence,
    unit_id: c.unitId,
    // Copied so statistics find a period's clocks without the reports (the report's, never changes).
    received_at: r.receivedAt,
    started_at: c.startedAt,
    warn_at: c.warnAt,
    due_at: c.dueAt,
    stopped_at: c.stoppedAt,
    paused: c.paused,
    overdue: c.overdue,
    rungs_fired: c.rungsFired,
    on_time: c.onTime,
    ended_how: c.endedHow,
    misrouted: c.misrouted,
    calendar_version: c.calendarVersion,
    uncertain_days: c.uncertainDays,
  }));
  await tx`
    insert into report_clocks ${tx(rows as never)}
    on conflict (report_id, clock, occurrence) do update set
      unit_id = excluded.unit_id, started_at = excluded.started_at, warn_at = excluded.warn_at,
      due_at = excluded.due_at, stopped_at = excluded.stopped_at, paused = excluded.paused,
      overdue = excluded.overdue, rungs_fired = excluded.rungs_fired, on_time = excluded.on_time,
      ended_how = excluded.ended_how, misrouted = excluded.misrouted,
      calendar_version = excluded.calendar_version, uncertain_days = excluded.uncertain_days`;
}

/** The audit rows of deadlines fixed again (issue 17), from the timeline events that say so. */
async function recordDeadlineMoves(tx: Tx, reportId: string, events: Projection['events']): Promise<void> {
  const rows = events
    .filter((e) => e.type === 'deadline_recomputed')
    .map((e) => {
      const d = e.data as unknown as DeadlineRecomputed;
      return {
        report_id: reportId,
        sequence: e.sequence,
        change_id: d.changeId,
        clock: d.clock,
        occurrence: d.occurrence,
        unit_id: d.unitId ?? null,
        from_due_at: d.from,
        to_due_at: d.to,
        from_provenance: tx.json(d.fromProvenance as never),
        to_provenance: tx.json(d.toProvenance as never),
        moved_at: e.at,
      };
    });
  if (rows.length > 0)
    await tx`insert into deadline_moves ${tx(rows as never)} on conflict (report_id, sequence) do nothing`;
}

/** Writes one projection inside the caller's transaction (the activity, and the rebuild). */
export async function writeProjection(tx: Tx, { summary, events }: Projection): Promise<void> {
  if (events.length > 0) {
    const rows = events.map((e) => ({
      report_id: summary.reportId,
      sequence: e.sequence,
      type: e.type,
      at: e.at,
      actor: e.actor ?? null,
      data: e.data ?? {},
    }));
    await tx`insert into report_events ${tx(rows as never)} on conflict (report_id, sequence) do nothing`;
    await recordDeadlineMoves(tx, summary.reportId, events);
  }
  if (await upsertReport(tx, summary)) await upsertClocks(tx, summary);
}

/**
 * The PostgreSQL read model. Only this activity writes it (and the rebuild, through the same
 * code). Idempotent: events are keyed by (report, sequence) and the row only moves forward (a
 * projection older than the stored one is ignored, and so are its clocks), so retries and
 * out-of-order deliveries change nothing.
 */
export function createProjectionActivities({ sql }: Pick<ActivityDeps, 'sql'>) {
  return {
    async projectReport(projection: Projection): Promise<void> {
      await refuseBadData('projectReport', () => sql.begin((tx) => writeProjection(tx, projection)));
    },
  };
}
