import type { ClockSummary, Projection, ReportSummary } from '../domain/report/report-summary.js';
import { bigrams, normaliseText } from '../domain/search-text.js';
import type postgres from 'postgres';
import { refuseBadData } from './data-errors.js';
import type { ActivityDeps } from './index.js';

type Tx = postgres.TransactionSql;

/** The nearest deadline among running, unpaused clocks: what a "due soon" board sorts by. */
function nextDue(clocks: readonly ClockSummary[]): { at: string | null; clock: string | null } {
  let next: ClockSummary | undefined;
  for (const c of clocks) {
    if (c.stoppedAt !== null || c.paused) continue;
    if (!next || Date.parse(c.dueAt) < Date.parse(next.dueAt)) next = c;
  }
  return { at: next?.dueAt ?? null, clock: next?.clock ?? null };
}

const escalationLevel = (clocks: readonly ClockSummary[]) =>
  Math.max(0, ...clocks.filter((c) => c.stoppedAt === null).map((c) => c.rungsFired));

/** The snapshot column keeps the row as projected, minus the text (kept in its own columns). */
const snapshotOf = ({ text: _text, ...rest }: ReportSummary) => rest;

async function upsertReport(tx: Tx, r: ReportSummary): Promise<boolean> {
  const due = nextDue(r.clocks);
  const searchText = r.text ? normaliseText(`${r.text.description}\n${r.text.address}`) : null;
  const grams = r.text ? bigrams(`${r.text.description}\n${r.text.address}`) : null;
  const row = {
    report_id: r.reportId,
    channel: r.channel,
    external_id: r.externalId,
    stage: r.stage,
    urgency: r.urgency,
    category: r.category,
    domain: r.domain,
    district: r.district,
    street: r.street,
    grid: r.grid,
    unit_id: r.unitId,
    major_hazard: r.majorHazard,
    overdue: r.overdue,
    received_at: r.receivedAt,
    accepted_at: r.acceptedAt,
    closed_at: r.closedAt,
    verified_at: r.verifiedAt,
    verification_outcome: r.verificationOutcome,
    hazards_found: r.hazardsFound,
    findings: r.findings,
    measures: r.measures as string[],
    five_points: r.fivePoints === null ? null : tx.json(r.fivePoints),
    rectification_ordered_at: r.rectificationOrderedAt,
    rectification_due_at: r.rectificationDueAt,
    rectified_at: r.rectifiedAt,
    written_off_at: r.writtenOffAt,
    feedback_at: r.feedbackAt,
    satisfaction: r.satisfaction,
    reward_proposed_fen: r.rewardProposedFen,
    reward_approved_fen: r.rewardApprovedFen,
    reward_paid_fen: r.rewardPaidFen,
    closure_outcome: r.closureOutcome,
    returns: r.returns,
    disputes: r.disputes,
    reopens: r.reopens,
    next_due_at: due.at,
    next_due_clock: due.clock,
    escalation_level: escalationLevel(r.clocks),
    last_sequence: r.lastSequence,
    snapshot: tx.json(snapshotOf(r) as never),
    search_text: searchText ?? '',
    search_grams: grams ?? [],
  };
  // Column names are this module's own constants, never input: safe to splice into the statement.
  const updatable = Object.keys(row).filter(
    (c) => c !== 'report_id' && c !== 'channel' && c !== 'external_id' && c !== 'received_at',
  );
  // A projection without the text (every one after the first) leaves the stored text alone.
  const columns = searchText === null ? updatable.filter((c) => !c.startsWith('search_')) : updatable;
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
    started_at: c.startedAt,
    warn_at: c.warnAt,
    due_at: c.dueAt,
    stopped_at: c.stoppedAt,
    paused: c.paused,
    overdue: c.overdue,
    rungs_fired: c.rungsFired,
    on_time: c.onTime,
    misrouted: c.misrouted,
  }));
  await tx`
    insert into report_clocks ${tx(rows as never)}
    on conflict (report_id, clock, occurrence) do update set
      unit_id = excluded.unit_id, started_at = excluded.started_at, warn_at = excluded.warn_at,
      due_at = excluded.due_at, stopped_at = excluded.stopped_at, paused = excluded.paused,
      overdue = excluded.overdue, rungs_fired = excluded.rungs_fired, on_time = excluded.on_time,
      misrouted = excluded.misrouted`;
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
