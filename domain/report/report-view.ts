import { effectiveDueAt, isOverdue } from './clocks.js';
import type { ClockState, ReportState } from './report-state.js';

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
  readonly onTime: boolean | undefined;
  readonly rungsFired: number;
  readonly provenance: ClockState['schedule']['provenance'];
}

export interface ReportView extends ReportState {
  readonly overdue: boolean;
  readonly majorHazard: boolean;
  readonly deadlines: readonly DeadlineView[];
}

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
    onTime: c.stoppedAt === undefined ? undefined : Date.parse(c.stoppedAt) <= due,
    rungsFired: c.rungsFired,
    provenance: c.schedule.provenance,
  };
}

/** The full, serialisable state the query and every Update return. */
export function viewReport(state: ReportState): ReportView {
  return {
    ...(JSON.parse(JSON.stringify(state)) as ReportState),
    overdue: isOverdue(state),
    majorHazard: state.verification?.majorHazard ?? false,
    deadlines: state.clocks.map(deadlineView),
  };
}
