import { countedUncertainDays } from '../deadline-schedule.js';
import { UNIT_CLOCKS } from './escalation-recipients.js';
import { supportingUnitIds } from './joint-handling-steps.js';
import { effectiveDueAt, endingOf, isOverdue, onTimeOf } from './clocks.js';
import {
  misroutedAssignment,
  type ClockEnd,
  type ClockState,
  type ReportState,
  type TimelineEvent,
} from './report-state.js';

/**
 * The read-model row of a report: what listings filter on and statistics count. Everything here
 * is a pure function of the workflow's state, so rebuilding the read model from Temporal gives
 * the same rows the workflow projected.
 */
export interface ReportSummary {
  readonly reportId: string;
  readonly channel: string;
  readonly externalId: string;
  readonly stage: string;
  readonly urgency: string;
  readonly category: string | null;
  readonly domain: string | null;
  readonly district: string;
  readonly street: string | null;
  readonly grid: string | null;
  readonly unitId: string | null;
  /** 协办: the units asked to support the lead unit (policy version 7 on). */
  readonly supportingUnitIds: readonly string[];
  readonly majorHazard: boolean;
  readonly overdue: boolean;
  readonly receivedAt: string;
  readonly acceptedAt: string | null;
  readonly closedAt: string | null;
  readonly verifiedAt: string | null;
  readonly verificationOutcome: string | null;
  readonly hazardsFound: number;
  readonly findings: string | null;
  readonly measures: readonly string[];
  /** 五落实 of a major hazard: responsibility, measures, funding, time limit, contingency plan. */
  readonly fivePoints: Readonly<Record<string, string>> | null;
  readonly rectificationOrderedAt: string | null;
  readonly rectificationDueAt: string | null;
  readonly rectifiedAt: string | null;
  readonly writtenOffAt: string | null;
  readonly feedbackAt: string | null;
  /** The latest rating: a reopened report is judged by its last answer. */
  readonly satisfaction: string | null;
  /** 解决/未解决 as the reporter last answered at the 回访; null where it was not asked. */
  readonly resolved: boolean | null;
  readonly rewardProposedFen: number | null;
  readonly rewardApprovedFen: number | null;
  readonly rewardPaidFen: number | null;
  readonly closureOutcome: string | null;
  /** Returns the dispatcher approved (by reassigning): misrouting. */
  readonly returns: number;
  /** Returns the dispatcher refused, sending the report back to the unit. */
  readonly returnsRefused: number;
  /** Some unit had it by mistake, by the dispatcher's decision (approved return, reassignment after dispute). */
  readonly misrouted: boolean;
  readonly disputes: number;
  readonly reopens: number;
  readonly clocks: readonly ClockSummary[];
  readonly lastSequence: number;
  /**
   * What text search looks in. It never changes after intake, so the workflow sends it with its
   * first projection only (keeping it out of every later activity input); the read model keeps it.
   */
  readonly text?: { readonly description: string; readonly address: string };
}

/** One supervised clock as boards and on-time statistics see it. */
export interface ClockSummary {
  readonly clock: string;
  readonly occurrence: number;
  readonly unitId: string | null;
  readonly startedAt: string;
  readonly warnAt: string;
  readonly dueAt: string;
  readonly stoppedAt: string | null;
  readonly paused: boolean;
  readonly overdue: boolean;
  readonly rungsFired: number;
  readonly onTime: boolean | null;
  /** done, stopped or superseded; null while it runs. Figures count only done clocks. */
  readonly endedHow: ClockEnd | null;
  /** It ran under an assignment that ended in a return or a reassignment the dispatcher approved. */
  readonly misrouted: boolean;
  /** The calendar its deadline was counted with. */
  readonly calendarVersion: string;
  /** It counted days the calendar did not yet know (provisional or fallback): an import recomputes it. */
  readonly uncertainDays: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const at = (when: string | undefined): number => (when === undefined ? Infinity : Date.parse(when));

/**
 * The assignment whose unit a clock's timeliness concerns: the one in force when the clock started
 * — except for the clocks that run for the whole report, from before any unit had it (feedback from
 * intake; verification from acceptance, policy version 4 on): they count for the unit that held the
 * report when they fell due (or were done, if sooner). A report-level verification clock counts only
 * for the first unit: a later one answers to its own `unit_verification` clock.
 */
function assignmentOfClock(s: Pick<ReportState, 'assignments'>, c: ClockState) {
  if (!UNIT_CLOCKS.has(c.schedule.clock)) return undefined;
  const reportLevel =
    c.schedule.clock === 'feedback' ||
    (c.schedule.clock === 'verification' &&
      !s.assignments.some((a) => Date.parse(a.at) <= Date.parse(c.schedule.startedAt)));
  const instant = reportLevel
    ? Math.min(at(c.stoppedAt), effectiveDueAt(c))
    : Date.parse(c.schedule.startedAt);
  const index = s.assignments.findLastIndex((a) => Date.parse(a.at) <= instant && at(a.ended?.at) > instant);
  if (index > 0 && c.schedule.clock === 'verification' && reportLevel) return undefined;
  return index < 0 ? undefined : s.assignments[index];
}

function summariseClock(s: Pick<ReportState, 'assignments' | 'disputes'>, c: ClockState): ClockSummary {
  const due = effectiveDueAt(c);
  const assignment = assignmentOfClock(s, c);
  return {
    clock: c.schedule.clock,
    occurrence: c.schedule.occurrence,
    // A supporting unit's reply is its own, whoever leads.
    unitId: c.unitId ?? assignment?.unitId ?? null,
    startedAt: c.schedule.startedAt,
    warnAt: iso(Date.parse(c.schedule.warnAt) + c.pausedMs),
    dueAt: iso(due),
    stoppedAt: c.stoppedAt ?? null,
    paused: c.pausedSince !== undefined,
    overdue: c.overdue,
    rungsFired: c.rungsFired,
    onTime: onTimeOf(c) ?? null,
    endedHow: endingOf(c) ?? null,
    misrouted: c.unitId === undefined && assignment !== undefined && misroutedAssignment(assignment),
    calendarVersion: c.schedule.provenance.calendarVersion,
    uncertainDays: countedUncertainDays(c.schedule),
  };
}

export function summariseReport(
  // Nothing about the reporter is summarised: the workflow's state and its view both do.
  s: Omit<ReportState, 'reporter' | 'duplicates'>,
  opts: { withText?: boolean } = {},
): ReportSummary {
  const closure = s.stage.name === 'closed' ? s.stage.outcome : null;
  const verification = s.verification;
  const rectification = s.rectification;
  return {
    reportId: s.reportId,
    channel: s.intake.channel,
    externalId: s.intake.externalId,
    stage: s.stage.name,
    urgency: s.classification?.urgency ?? s.intake.urgencyHint,
    category: s.classification?.category ?? s.intake.categoryHint ?? null,
    domain: s.classification?.domain ?? s.intake.domainHint ?? null,
    district: s.intake.location.district,
    street: s.intake.location.street ?? null,
    grid: s.intake.location.grid ?? null,
    unitId: s.unitId ?? null,
    supportingUnitIds: supportingUnitIds(s),
    majorHazard: verification?.majorHazard ?? false,
    overdue: isOverdue(s),
    receivedAt: s.intake.receivedAt,
    acceptedAt: s.acceptedAt ?? null,
    closedAt: s.closedAt ?? null,
    verifiedAt: verification?.at ?? null,
    verificationOutcome: verification?.outcome ?? null,
    hazardsFound: verification?.hazardsFound ?? 0,
    findings: verification?.findings ?? null,
    measures: rectification?.measures ?? [],
    fivePoints: rectification?.fivePoints ?? null,
    rectificationOrderedAt: rectification?.orderedAt ?? null,
    rectificationDueAt: rectification?.dueAt ?? null,
    rectifiedAt: rectification?.completedAt ?? null,
    writtenOffAt: rectification?.writtenOffAt ?? null,
    feedbackAt: s.feedback[0]?.at ?? null,
    satisfaction: s.satisfaction.at(-1)?.rating ?? null,
    resolved: s.satisfaction.findLast((r) => r.resolved !== undefined)?.resolved ?? null,
    rewardProposedFen: s.reward.proposal?.amountFen ?? null,
    rewardApprovedFen:
      s.reward.decision && s.reward.decision.decision !== 'rejected' ? s.reward.decision.amountFen : null,
    rewardPaidFen: s.reward.payment?.amountFen ?? null,
    closureOutcome: closure,
    returns: s.assignments.filter((a) => a.ended?.how === 'returned' && misroutedAssignment(a)).length,
    returnsRefused: s.assignments.reduce((n, a) => n + (a.refusedReturns?.length ?? 0), 0),
    misrouted: s.assignments.some(misroutedAssignment),
    disputes: s.disputes.length,
    reopens: s.reopens,
    clocks: s.clocks.map((c) => summariseClock(s, c)),
    lastSequence: s.timeline.length,
    ...(opts.withText === false
      ? {}
      : { text: { description: s.intake.description, address: s.intake.location.address } }),
  };
}

/** What a projection carries: the row, and the timeline events not yet projected. */
export interface Projection {
  readonly summary: ReportSummary;
  readonly events: readonly TimelineEvent[];
}
