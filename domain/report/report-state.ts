import type { ClockSchedule } from '../deadline-schedule.js';
import type { PolicyRef } from '../policy.js';
import type { AccidentGrade, RewardProposal } from '../reward-rule.js';
import type {
  Actor,
  Category,
  ClockName,
  HazardDomain,
  Measure,
  Rung,
  Satisfaction,
  Urgency,
  VerificationOutcome,
} from '../vocabulary.js';
import type { Intake, ReporterRef } from './step-inputs.js';
import type { TimelineEventType } from './timeline-events.js';

/**
 * Where a report is, and what that stage needs — a discriminated union, so a report that is
 * `rectifying` always has a unit and a deadline, and a `merged` one always names its survivor.
 */
export type Stage =
  | { readonly name: 'received' }
  | { readonly name: 'accepted' }
  | { readonly name: 'assigned'; readonly unitId: string }
  | { readonly name: 'returned'; readonly fromUnitId: string; readonly reason: string }
  | {
      readonly name: 'disputed';
      readonly unitId: string;
      readonly reason: string;
      readonly resumeTo: 'assigned' | 'verifying';
    }
  | { readonly name: 'verifying'; readonly unitId: string }
  | { readonly name: 'verified'; readonly unitId: string }
  | { readonly name: 'rectifying'; readonly unitId: string; readonly dueAt: string }
  | { readonly name: 'rectification_reported'; readonly unitId: string }
  | { readonly name: 'awaiting_feedback'; readonly unitId: string }
  | { readonly name: 'feedback_given'; readonly unitId: string }
  | { readonly name: 'reward_pending' }
  | { readonly name: 'reward_proposed'; readonly proposedBy: string }
  | { readonly name: 'reward_approved'; readonly approvedBy: string; readonly amountFen: number }
  | { readonly name: 'closed'; readonly outcome: ClosureOutcome }
  | { readonly name: 'rejected'; readonly reason: string }
  | { readonly name: 'withdrawn'; readonly reason: string }
  | { readonly name: 'merged'; readonly intoReportId: string }
  | { readonly name: 'cancelled'; readonly reason: string };

export type StageName = Stage['name'];
export type StageOf<N extends StageName> = Extract<Stage, { name: N }>;

/** Every stage name, in lifecycle order: for filters and statistics. */
export const STAGE_NAMES = [
  'received',
  'accepted',
  'assigned',
  'returned',
  'disputed',
  'verifying',
  'verified',
  'rectifying',
  'rectification_reported',
  'awaiting_feedback',
  'feedback_given',
  'reward_pending',
  'reward_proposed',
  'reward_approved',
  'closed',
  'rejected',
  'withdrawn',
  'merged',
  'cancelled',
] as const satisfies readonly StageName[];
// A stage added to the union but not to the list above fails to compile here.
const _everyStageListed: Exclude<StageName, (typeof STAGE_NAMES)[number]> extends never ? true : never = true;
void _everyStageListed;

export const TERMINAL_STAGES = [
  'closed',
  'rejected',
  'withdrawn',
  'merged',
  'cancelled',
] as const satisfies StageName[];
export const isTerminal = (stage: Stage): boolean =>
  (TERMINAL_STAGES as readonly string[]).includes(stage.name);

export type ClosureOutcome =
  | 'unsubstantiated'
  | 'handled'
  | 'reward_paid'
  | 'reward_rejected'
  | 'reward_unclaimed'
  | 'reward_ineligible';

export interface Classification {
  readonly urgency: Urgency;
  readonly category: Category;
  readonly domain: HazardDomain;
}

export interface Assignment {
  readonly unitId: string;
  readonly at: string;
  readonly by: string;
  readonly routing: 'rule' | 'manual';
  /** The unit may dispute the assignment (派单异议) until then. */
  readonly disputeUntil: string;
  /**
   * How it ended, if it did. A return the dispatcher approved (by reassigning) and a dispute the
   * dispatcher upheld are misrouting, not the unit's fault; a return still under review is not yet,
   * and a refused one is no ending at all (the assignment goes on, see `refusedReturns`). Returns
   * recorded before 0.4 have no review and were all approved by reassignment.
   */
  ended?: {
    readonly at: string;
    readonly how: 'returned' | 'reassigned_after_dispute' | 'recalled';
    review?: 'pending' | 'approved';
  };
  /** 退单审核: returns the dispatcher refused, sending the report back to this unit. */
  refusedReturns?: {
    readonly at: string;
    readonly by: string;
    readonly reason: string;
    readonly returnedAt: string;
  }[];
}

/** Whether an assignment's clocks are out of the unit's figures: it was misrouted, by the dispatcher's decision. */
export const misroutedAssignment = (a: Assignment): boolean =>
  a.ended !== undefined &&
  (a.ended.how === 'reassigned_after_dispute' ||
    (a.ended.how === 'returned' && (a.ended.review ?? 'approved') === 'approved'));

export interface SupervisionNotice {
  readonly at: string;
  readonly by: string;
  readonly unitId: string;
  readonly reason: string;
  reply?: { readonly at: string; readonly by: string; readonly summary: string };
}

export interface Interview {
  readonly calledAt: string;
  /** Who called it: the ladder of a clock, or a supervisor. */
  readonly calledBy: { readonly clock: string } | { readonly actor: string };
  readonly unitId: string | undefined;
  held?: {
    readonly at: string;
    readonly recordedBy: string;
    readonly attendees: readonly string[];
    readonly notes: string;
    readonly followUpDueAt?: string;
  };
}

export interface ExtensionRequest {
  readonly clock: 'verification' | 'unit_verification' | 'rectification';
  readonly unitId: string;
  readonly requestedAt: string;
  readonly by: string;
  readonly reason: string;
  readonly proposedDueAt: string;
  /** The deadline when it was asked for. */
  readonly dueAt: string;
  decision?: {
    readonly at: string;
    readonly by: string;
    readonly decision: 'approved' | 'shortened' | 'refused';
    readonly dueAt?: string;
    readonly reason: string;
  };
}

/**
 * 协办 (policy version 7 on): a supporting unit asked to help the lead unit (主办), which still
 * answers for the report. The supporting unit replies to the lead under a clock of its own.
 */
export interface SupportRequest {
  readonly unitId: string;
  /** The lead unit when it was asked: the one the reply goes to. */
  readonly leadUnitId: string;
  readonly requestedAt: string;
  readonly by: string;
  readonly request: string;
  reply?: { readonly at: string; readonly by: string; readonly summary: string };
}

/**
 * 补充材料 asked for by a unit where the policy wants it approved (version 7 on): decided like an
 * extension, and until then the step's clock runs on.
 */
export interface PauseRequest {
  readonly clock: ClockName;
  readonly unitId: string | undefined;
  readonly requestedAt: string;
  readonly by: string;
  readonly waitingFor: 'reporter' | 'third_party';
  readonly reason: string;
  decision?: {
    readonly at: string;
    readonly by: string;
    readonly decision: 'approved' | 'refused';
    readonly reason: string;
    /** Approved when the step was already done or the clock no longer ran: nothing to pause. */
    readonly lapsed?: true;
  };
}

export interface Dispute {
  readonly unitId: string;
  readonly at: string;
  readonly reason: string;
  resolution?: {
    readonly at: string;
    readonly by: string;
    readonly decision: 'assignment_upheld' | 'reassigned';
  };
}

export interface Verification {
  readonly outcome: VerificationOutcome;
  readonly findings: string;
  readonly hazardsFound: number;
  readonly majorHazard: boolean;
  readonly illegalActivity?: boolean;
  readonly concealedAccident?: { readonly grade: AccidentGrade; readonly concealedDeaths: number };
  readonly evidence: readonly string[];
  readonly by: string;
  readonly unitId: string;
  readonly at: string;
}

export interface Rectification {
  readonly measures: readonly Measure[];
  readonly fineFen: number | undefined;
  readonly penaltyDecision?: { readonly number: string; readonly decidedOn: string };
  dueAt: string;
  readonly fivePoints: Readonly<Record<string, string>> | undefined;
  readonly orderedAt: string;
  readonly orderedBy: string;
  readonly reports: { readonly at: string; readonly by: string; readonly summary: string }[];
  readonly reviews: {
    readonly at: string;
    readonly by: string;
    readonly approved: boolean;
    readonly comment: string;
  }[];
  completedAt?: string;
  writtenOffAt?: string;
}

export interface RewardRecord {
  claimedAt?: string;
  /** The vault entry of how an anonymous claimant is paid (奖励领取方式), from the claim. */
  payoutRef?: string;
  proposal?: RewardProposal & { readonly by: string; readonly at: string; readonly overrideReason?: string };
  decision?: {
    readonly decision: 'approved' | 'adjusted' | 'rejected';
    readonly amountFen: number;
    readonly by: string;
    readonly at: string;
    readonly reason?: string;
  };
  payment?: {
    readonly paymentReference: string;
    readonly amountFen: number;
    readonly by: string;
    readonly at: string;
  };
}

/** One supervised clock: its fixed schedule plus what has happened to it. */
export interface ClockState {
  /** Fixed when the step starts; moved only by a pause (补充材料) under policy version 4 on. */
  schedule: ClockSchedule;
  /** Paused time already over, added to every instant of the schedule. */
  pausedMs: number;
  pausedSince?: string;
  /** A 补充材料 pause ends by itself then, if nobody resumed it (policy version 4 on). */
  pauseUntil?: string;
  /** 补充材料 pauses taken on this clock (policy version 4 on counts them against its maximum). */
  pauses?: number;
  /**
   * The unit that owes this clock's step when it is not the unit holding the report: a supporting
   * unit's reply to the lead (协办, version 7 on). Several such clocks of one name run at once.
   */
  unitId?: string;
  warned: boolean;
  overdue: boolean;
  rungsFired: number;
  stoppedAt?: string;
  /**
   * How it ended: `done` when its step was completed (it counts as on time or late); `stopped` when
   * the report ended another way (withdrawn, merged, cancelled, returned) and the step was never
   * done; `superseded` when a new deadline replaced it. Figures count only `done`. Clocks of
   * reports recorded before 0.3 have none and ended `done`.
   */
  endedHow?: ClockEnd;
}

export type ClockEnd = 'done' | 'stopped' | 'superseded';

export interface Escalation {
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly rung: Rung;
  readonly at: string;
  readonly unitId: string | undefined;
}

export interface TimelineEvent {
  readonly sequence: number;
  readonly type: TimelineEventType;
  readonly at: string;
  readonly actor?: Actor;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface DuplicateLink {
  readonly reportId: string;
  readonly reporter: ReporterRef;
  /** When the duplicate itself was accepted: it keeps this for the first-reporter rule. */
  readonly acceptedAt: string | undefined;
}

/** Everything the workflow knows about a report: the query returns it whole. */
export interface ReportState {
  readonly reportId: string;
  readonly intake: Omit<Intake, 'reporter'>;
  readonly reporter: ReporterRef;
  policy: PolicyRef;
  stage: Stage;
  classification?: Classification;
  acceptedAt?: string;
  unitId?: string;
  readonly assignments: Assignment[];
  readonly disputes: Dispute[];
  verification?: Verification;
  rectification?: Rectification;
  /** Answers to the reporter: an interim reply (阶段性答复) first where rectification runs long. */
  readonly feedback: {
    readonly at: string;
    readonly by: string;
    readonly summary: string;
    readonly interim?: true;
  }[];
  readonly satisfaction: {
    readonly at: string;
    readonly rating: Satisfaction;
    /** 解决/未解决, where the policy's 回访 asks it (version 4 on). */
    readonly resolved?: boolean;
    readonly comment?: string;
  }[];
  reopens: number;
  /**
   * 核查时限 runs from acceptance (policy version 4 on): the `verification` clock is the report's,
   * and a unit after an approved return or dispute runs a `unit_verification` clock of its own.
   */
  verificationFromAcceptance?: true;
  /**
   * 有举必查: the reporter withdrew after acceptance (policy version 4 on). Nobody contacts them any
   * more; the verification and rectification go on until done or closed by the dispatcher.
   */
  contactStopped?: { readonly at: string; readonly reason: string };
  /** 督办单 sent by hand and their answers (policy version 5 on). */
  supervisionNotices?: SupervisionNotice[];
  /** 挂牌督办 by a supervisor, and its lifting (摘牌) (policy version 5 on). */
  listing?: {
    readonly at: string;
    readonly by: string;
    readonly reason: string;
    lifted?: { readonly at: string; readonly by: string; readonly reason: string };
  };
  /** 约谈 the ladder or a supervisor called, and their records (policy version 5 on). */
  interviews?: Interview[];
  /** 延期申请 and their decisions (policy version 5 on). */
  extensions?: ExtensionRequest[];
  /** Pauses (补充材料) a unit asked for, where they need approval (policy version 7 on). */
  pauseRequests?: PauseRequest[];
  /** 协办: the supporting units and their replies to the lead (policy version 7 on). */
  supports?: SupportRequest[];
  /** 回访 calls that reached nobody (policy version 3 on). */
  callbackFailures?: number;
  readonly reward: RewardRecord;
  readonly duplicates: DuplicateLink[];
  readonly clocks: ClockState[];
  readonly escalations: Escalation[];
  readonly timeline: TimelineEvent[];
  closedAt?: string;
}
