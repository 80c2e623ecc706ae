import { effectiveDueAt, endingOf, isOverdue, onTimeOf } from './clocks.js';
import type { ClockEnd, ClockState, ReportState, TimelineEvent } from './report-state.js';

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
  readonly rewardProposedFen: number | null;
  readonly rewardApprovedFen: number | null;
  readonly rewardPaidFen: number | null;
  readonly closureOutcome: string | null;
  readonly returns: number;
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
  /** It ran under an assignment that ended in a return or a reassignment after dispute. */
  readonly misrouted: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const at = (when: string | undefined): number => (when === undefined ? Infinity : Date.parse(when));

/**
 * The assignment whose unit a clock's timeliness concerns: the one in force when the clock started
 * — except for the feedback clock, which runs from intake, before any unit has the report: it
 * counts for the unit that held the report when it fell due (or when it was done, if sooner).
 */
function assignmentOfClock(s: Pick<ReportState, 'assignments'>, c: ClockState) {
  const instant =
    c.schedule.clock === 'feedback'
      ? Math.min(at(c.stoppedAt), effectiveDueAt(c))
      : Date.parse(c.schedule.startedAt);
  return s.assignments.findLast((a) => Date.parse(a.at) <= instant && at(a.ended?.at) > instant);
}

function summariseClock(s: Pick<ReportState, 'assignments' | 'disputes'>, c: ClockState): ClockSummary {
  const due = effectiveDueAt(c);
  const assignment = assignmentOfClock(s, c);
  return {
    clock: c.schedule.clock,
    occurrence: c.schedule.occurrence,
    unitId: assignment?.unitId ?? null,
    startedAt: c.schedule.startedAt,
    warnAt: iso(Date.parse(c.schedule.warnAt) + c.pausedMs),
    dueAt: iso(due),
    stoppedAt: c.stoppedAt ?? null,
    paused: c.pausedSince !== undefined,
    overdue: c.overdue,
    rungsFired: c.rungsFired,
    onTime: onTimeOf(c) ?? null,
    endedHow: endingOf(c) ?? null,
    misrouted: assignment?.ended !== undefined,
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
    rewardProposedFen: s.reward.proposal?.amountFen ?? null,
    rewardApprovedFen:
      s.reward.decision && s.reward.decision.decision !== 'rejected' ? s.reward.decision.amountFen : null,
    rewardPaidFen: s.reward.payment?.amountFen ?? null,
    closureOutcome: closure,
    returns: s.assignments.filter((a) => a.ended?.how === 'returned').length,
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
