import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import Type, { type Static } from 'typebox';
import type { DeadlineCalendar } from '../../domain/deadline-schedule.js';
import { rescheduleClock, ScheduleError } from '../../domain/deadline-schedule.js';
import type { Policy } from '../../domain/policy.js';
import { effectiveDueAt } from '../../domain/report/clocks.js';
import type { DeadlineRecomputed } from '../../domain/report/deadline-recompute-steps.js';
import { TERMINAL_STAGES, type StageName } from '../../domain/report/report-state.js';
import type { ReportView } from '../../domain/report/report-view.js';
import type { StepInput } from '../../domain/report/step-inputs.js';
import type { Actor } from '../../domain/vocabulary.js';
import { readReport, type ReportAccess } from '../reports/report-access.js';
import { stepUpdate } from '../../workflows/messages.js';

/**
 * Changes that move open reports' deadlines (issue 17): a policy adoption and a calendar import.
 * Each is a row of `deadline_changes` (who, why, which reports, what moved), then one Update per
 * report — its Update id derived from the change, so a retried change reaches each report once.
 * The workflows themselves record every recomputed deadline (timeline, `deadline_moves`).
 */

/** Which open reports an adoption reaches; every field narrows. */
export interface AdoptionFilter {
  readonly fromVersions?: readonly number[];
  readonly unitId?: string;
  readonly stages?: readonly StageName[];
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
  readonly reportIds?: readonly string[];
}

/** How the answers of both changes show each report's outcome. */
const DeadlineChangeSchema = Type.Object({
  clock: Type.String(),
  occurrence: Type.Integer(),
  unitId: Type.Optional(Type.String()),
  from: Type.String(),
  to: Type.String(),
});
export const ReportOutcomeSchema = Type.Object({
  reportId: Type.String(),
  moved: Type.Array(DeadlineChangeSchema),
  unchanged: Type.Integer(),
  error: Type.Optional(Type.String()),
});
/** One deadline as it would be, or is, after the change (moved ones only; the rest are counted). */
export type DeadlineChange = Static<typeof DeadlineChangeSchema>;
/** What a change did, or would do, to one report; `error` says why a report was not changed. */
export type ReportOutcome = Static<typeof ReportOutcomeSchema>;

export const TotalsSchema = Type.Object({
  reports: Type.Integer(),
  moved: Type.Integer(),
  failed: Type.Integer(),
});

/** At most this many reports per change: a larger one is split by its filter. */
export const MAX_REPORTS_PER_CHANGE = 10_000;
const CONCURRENCY = 4;

/** The open reports whose last policy event names `policyId` at another version than `target`. */
export async function reportsToAdopt(
  sql: postgres.Sql,
  policyId: string,
  target: number,
  filter: AdoptionFilter,
): Promise<string[]> {
  const rows = await sql<{ report_id: string }[]>`
    select r.report_id from reports r
    cross join lateral (
      select data from report_events e
      where e.report_id = r.report_id and e.type in ('policy_fixed', 'policy_adopted')
      order by e.sequence desc limit 1) p
    where r.stage not in ${sql([...TERMINAL_STAGES])}
      and p.data ->> 'id' = ${policyId} and (p.data ->> 'version')::int <> ${target}
      ${filter.fromVersions ? sql`and (p.data ->> 'version')::int in ${sql([...filter.fromVersions])}` : sql``}
      ${filter.unitId ? sql`and r.unit_id = ${filter.unitId}` : sql``}
      ${filter.stages ? sql`and r.stage in ${sql([...filter.stages])}` : sql``}
      ${filter.receivedFrom ? sql`and r.received_at >= ${filter.receivedFrom}` : sql``}
      ${filter.receivedTo ? sql`and r.received_at < ${filter.receivedTo}` : sql``}
      ${filter.reportIds ? sql`and r.report_id in ${sql([...filter.reportIds])}` : sql``}
    order by r.report_id limit ${MAX_REPORTS_PER_CHANGE + 1}`;
  return rows.map((r) => r.report_id);
}

/** The open reports with a running deadline counted with days the calendar did not yet know. */
export async function reportsWithUncertainDeadlines(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ report_id: string }[]>`
    select distinct c.report_id from report_clocks c join reports r using (report_id)
    where c.uncertain_days and c.stopped_at is null and r.stage not in ${sql([...TERMINAL_STAGES])}
    order by c.report_id`;
  return rows.map((r) => r.report_id);
}

/**
 * A dry run, pure over each report's state as its workflow holds it: the deadlines the target
 * policy would move, with the same code the workflow runs.
 */
export function previewAdoption(view: ReportView, target: Policy, calendar: DeadlineCalendar): ReportOutcome {
  const moved: DeadlineChange[] = [];
  let unchanged = 0;
  for (const clock of view.clocks) {
    if (clock.stoppedAt !== undefined) continue;
    let next;
    try {
      next = rescheduleClock(
        target,
        calendar,
        clock.schedule,
        view.classification?.urgency ?? view.intake.urgencyHint,
      );
    } catch (err) {
      if (err instanceof ScheduleError) continue; // the target runs no such clock: it keeps its own
      throw err;
    }
    const from = new Date(effectiveDueAt(clock)).toISOString();
    const to = new Date(Date.parse(next.dueAt) + clock.pausedMs).toISOString();
    if (from === to) unchanged += 1;
    else
      moved.push({
        clock: next.clock,
        occurrence: next.occurrence,
        ...(clock.unitId === undefined ? {} : { unitId: clock.unitId }),
        from,
        to,
      });
  }
  return { reportId: view.reportId, moved, unchanged };
}

/** What one report's Update answered: the deadlines this change recomputed, moved or not. */
export function outcomeOf(view: ReportView, changeId: string): ReportOutcome {
  const events = view.timeline
    .filter((e) => e.type === 'deadline_recomputed' && e.data?.changeId === changeId)
    .map((e) => e.data as unknown as DeadlineRecomputed);
  const moved = events
    .filter((d) => d.from !== d.to)
    .map((d) => ({
      clock: d.clock,
      occurrence: d.occurrence,
      ...(d.unitId === undefined ? {} : { unitId: d.unitId }),
      from: d.from,
      to: d.to,
    }));
  return { reportId: view.reportId, moved, unchanged: events.length - moved.length };
}

/** Runs `fn` over the reports, a few at a time, keeping their order. */
export async function eachReport<T>(ids: readonly string[], fn: (id: string) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(ids.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < ids.length; i = next++) out[i] = await fn(ids[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));
  return out;
}

const messageOf = (err: unknown): string => {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
};

/** The dry run's per-report preview, from each workflow's own state. */
export const previewReports = (
  access: ReportAccess,
  caller: Actor,
  ids: readonly string[],
  target: Policy,
  calendar: DeadlineCalendar,
) =>
  eachReport(ids, async (id) => {
    try {
      return previewAdoption(await readReport(access, caller, id), target, calendar);
    } catch (err) {
      return { reportId: id, moved: [], unchanged: 0, error: messageOf(err) };
    }
  });

/** Sends the change's step to each report; a report that refuses it is listed with why. */
export function applyToReports<S extends 'adoptPolicy' | 'recomputeDeadlines'>(
  access: ReportAccess,
  caller: Actor,
  ids: readonly string[],
  step: S,
  input: Omit<StepInput<S>, 'actor'> & { changeId: string },
): Promise<ReportOutcome[]> {
  return eachReport(ids, async (id) => {
    try {
      const handle = access.temporal.workflow.getHandle(id);
      const view = await access.temporal.withDeadline(Date.now() + access.timeoutMs * 4, () =>
        handle.executeUpdate(stepUpdate(step), {
          args: [{ ...input, actor: caller } as StepInput<S>],
          // The same change reaches a report once, however often it is retried.
          updateId: `${input.changeId}:${step}`,
        }),
      );
      return outcomeOf(view, input.changeId);
    } catch (err) {
      return { reportId: id, moved: [], unchanged: 0, error: messageOf(err) };
    }
  });
}

export const newChangeId = (): string => randomUUID();

/** Totals of a change's outcomes, for its audit row and its answer. */
export function tally(outcomes: readonly ReportOutcome[]) {
  return {
    reports: outcomes.length,
    moved: outcomes.reduce((n, o) => n + o.moved.length, 0),
    failed: outcomes.filter((o) => o.error !== undefined).length,
  };
}

/** Records a change's outcome on its audit row, and answers its totals. */
export async function finishChange(
  sql: postgres.Sql,
  changeId: string,
  reports: readonly ReportOutcome[],
): Promise<ReturnType<typeof tally>> {
  const totals = tally(reports);
  await sql`
    update deadline_changes set moved = ${totals.moved}, failed = ${totals.failed},
      outcome = ${sql.json(reports)}, finished_at = now()
    where change_id = ${changeId}`;
  return totals;
}
