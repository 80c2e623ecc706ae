import { effectiveDueAt, endingOf, isOverdue, onTimeOf } from './clocks.js';
import type { ClockEnd, ClockState, DuplicateLink, ReportState } from './report-state.js';
import type { ReporterRef } from './step-inputs.js';
import { rewardRecipient } from './reward-steps.js';

/** A deadline as a supervisor sees it: where it stands, and why it is what it is. */
export interface DeadlineView {
  readonly clock: ClockState['schedule']['clock'];
  readonly occurrence: number;
  readonly status: 'running' | 'paused' | 'done';
  readonly startedAt: string;
  /** The deadline after pauses: the fixed deadline plus the time spent paused. */
  readonly dueAt: string;
  readonly warnAt: string;
  readonly fixedDueAt: string;
  readonly pausedMs: number;
  readonly overdue: boolean;
  /** Whether its step was done in time (only for a clock that ended `done`). */
  readonly onTime: boolean | undefined;
  readonly endedHow: ClockEnd | undefined;
  readonly rungsFired: number;
  readonly provenance: ClockState['schedule']['provenance'];
}

/**
 * A reporter as the view shows one: an anonymous reporter's claim-code hash never leaves the
 * workflow (it is an unsalted hash of an 80-bit code: a list of them is something to guess at).
 */
export type ReporterView =
  { readonly kind: 'anonymous' } | { readonly kind: 'named'; readonly vaultRef: string };

export type ReportView = Omit<ReportState, 'reporter' | 'duplicates'> & {
  readonly reporter: ReporterView;
  readonly duplicates: readonly (Omit<DuplicateLink, 'reporter'> & { readonly reporter: ReporterView })[];
  readonly overdue: boolean;
  readonly majorHazard: boolean;
  readonly deadlines: readonly DeadlineView[];
  /**
   * Who a reward goes to: this report's reporter, or a merged duplicate's where that one was the
   * first accepted real-name reporter. Identity reads for the reward resolve to this reporter.
   */
  readonly rewardRecipient: { readonly reportId: string; readonly reporter: ReporterView };
};

const reporterView = (r: ReporterRef): ReporterView =>
  r.kind === 'anonymous' ? { kind: 'anonymous' } : { kind: 'named', vaultRef: r.vaultRef };

const iso = (ms: number) => new Date(ms).toISOString();

export function deadlineView(c: ClockState): DeadlineView {
  const due = effectiveDueAt(c);
  const status = c.stoppedAt !== undefined ? 'done' : c.pausedSince !== undefined ? 'paused' : 'running';
  return {
    clock: c.schedule.clock,
    occurrence: c.schedule.occurrence,
    status,
    startedAt: c.schedule.startedAt,
    dueAt: iso(due),
    warnAt: iso(Date.parse(c.schedule.warnAt) + c.pausedMs),
    fixedDueAt: c.schedule.dueAt,
    pausedMs: c.pausedMs,
    overdue: c.overdue,
    onTime: onTimeOf(c),
    endedHow: endingOf(c),
    rungsFired: c.rungsFired,
    provenance: c.schedule.provenance,
  };
}

/** The full, serialisable state the query and every Update return. */
export function viewReport(state: ReportState): ReportView {
  const copy = JSON.parse(JSON.stringify(state)) as ReportState;
  return {
    ...copy,
    reporter: reporterView(copy.reporter),
    duplicates: copy.duplicates.map((d) => ({ ...d, reporter: reporterView(d.reporter) })),
    overdue: isOverdue(state),
    majorHazard: state.verification?.majorHazard ?? false,
    deadlines: state.clocks.map(deadlineView),
    rewardRecipient: (({ reportId, reporter }) => ({ reportId, reporter: reporterView(reporter) }))(
      rewardRecipient(state),
    ),
  };
}
