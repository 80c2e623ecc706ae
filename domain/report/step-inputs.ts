import Type, { type Static, type TProperties } from 'typebox';
import { Closed, Instant as BoundedInstant, OneOf } from '../schema.js';
import { ACCIDENT_GRADES } from '../reward-rule.js';
import {
  CATEGORY_VALUES,
  CHANNEL_VALUES,
  DOMAIN_VALUES,
  MEASURE_VALUES,
  ROLE_VALUES,
  SATISFACTION_VALUES,
  SUPERVISION_ACTION_VALUES,
  URGENCY_VALUES,
  VERIFICATION_OUTCOME_VALUES,
} from '../vocabulary.js';

/**
 * The shape of every human step's input: one schema validates it in the workflow's Update
 * validator (so a malformed step never reaches history) and, later, in the API route.
 */
const Text = (max = 2000) => Type.String({ minLength: 1, maxLength: max });
const Instant = BoundedInstant();
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Refs = Type.Array(Text(500), { maxItems: 50 });

export const ActorSchema = Closed({ id: Id, role: OneOf(ROLE_VALUES), unitId: Type.Optional(Id) });

/** The reporter as the workflow knows them: never a name or phone, only a vault reference. */
export const ReporterRefSchema = Type.Union([
  Closed({ kind: Type.Literal('anonymous'), claimCodeHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
  Closed({ kind: Type.Literal('named'), vaultRef: Id }),
]);
export type ReporterRef = Static<typeof ReporterRefSchema>;

export const IntakeSchema = Closed({
  channel: OneOf(CHANNEL_VALUES),
  externalId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' }),
  receivedAt: Instant,
  description: Text(10_000),
  location: Closed({
    address: Text(500),
    district: Text(100),
    street: Type.Optional(Text(100)),
    grid: Type.Optional(Text(100)),
  }),
  urgencyHint: OneOf(URGENCY_VALUES),
  categoryHint: Type.Optional(OneOf(CATEGORY_VALUES)),
  domainHint: Type.Optional(OneOf(DOMAIN_VALUES)),
  attachments: Type.Optional(Refs),
  reporter: ReporterRefSchema,
  /** Policy to run under; the default policy when absent. */
  policyId: Type.Optional(Id),
});
export type Intake = Static<typeof IntakeSchema>;

const WithActor = <P extends TProperties>(p: P) => Closed({ actor: ActorSchema, ...p });

const AccidentGradeSchema = OneOf(Object.keys(ACCIDENT_GRADES) as (keyof typeof ACCIDENT_GRADES)[]);
export const ConcealedAccidentSchema = Closed({
  grade: AccidentGradeSchema,
  concealedDeaths: Type.Integer({ minimum: 1, maximum: 1000 }),
});
export const PenaltyDecisionSchema = Closed({
  number: Text(100),
  decidedOn: Type.String({ format: 'date', pattern: '^20[0-9]{2}-' }),
});

export const STEP_INPUTS = {
  acceptReport: WithActor({
    urgency: OneOf(URGENCY_VALUES),
    category: OneOf(CATEGORY_VALUES),
    domain: OneOf(DOMAIN_VALUES),
    note: Type.Optional(Text()),
  }),
  rejectReport: WithActor({ reason: Text() }),
  assignReport: WithActor({
    unitId: Id,
    routing: OneOf(['rule', 'manual'] as const),
    note: Type.Optional(Text()),
  }),
  /** 签收: the unit signs for the assignment (policy v6 on; acting on it signs for it too). */
  acknowledgeAssignment: WithActor({ note: Type.Optional(Text()) }),
  returnAssignment: WithActor({ reason: Text() }),
  /** 改派: the dispatcher takes the report from a unit that sits on it and gives it to another. */
  recallReport: WithActor({ unitId: Id, reason: Text() }),
  /** 退单审核: the dispatcher refuses a return and sends the report back, its clock running on. */
  refuseReturn: WithActor({ reason: Text() }),
  disputeAssignment: WithActor({ reason: Text(), suggestedUnitId: Type.Optional(Id) }),
  resolveDispute: WithActor({
    decision: OneOf(['assignment_upheld', 'reassigned'] as const),
    unitId: Type.Optional(Id),
    note: Type.Optional(Text()),
  }),
  startVerification: WithActor({ note: Type.Optional(Text()) }),
  submitVerification: WithActor({
    outcome: OneOf(VERIFICATION_OUTCOME_VALUES),
    findings: Text(),
    hazardsFound: Type.Integer({ minimum: 0, maximum: 10_000 }),
    majorHazard: Type.Boolean(),
    /** 安全生产非法违法行为 found (a basis of reward under 安监总财〔2018〕19号 第六条). */
    illegalActivity: Type.Optional(Type.Boolean()),
    /** A concealed or falsely reported accident (瞒报谎报事故), as finally established. */
    concealedAccident: Type.Optional(ConcealedAccidentSchema),
    evidence: Type.Optional(Refs),
  }),
  orderRectification: WithActor({
    measures: Type.Array(OneOf(MEASURE_VALUES), { minItems: 1, uniqueItems: true }),
    fineFen: Type.Optional(Type.Integer({ minimum: 0 })),
    /** 行政处罚决定书: the decision that sets the fine, its number and date. */
    penaltyDecision: Type.Optional(PenaltyDecisionSchema),
    dueAt: Instant,
    /** 五落实: required for major hazards. */
    fivePoints: Type.Optional(
      Closed({
        responsibility: Text(),
        measures: Text(),
        funding: Text(),
        timeLimit: Text(),
        contingencyPlan: Text(),
      }),
    ),
  }),
  reportRectification: WithActor({ summary: Text(), evidence: Type.Optional(Refs) }),
  reviewRectification: WithActor({
    approved: Type.Boolean(),
    comment: Text(),
    newDueAt: Type.Optional(Instant),
  }),
  giveInterimReply: WithActor({ summary: Text() }),
  giveFeedback: WithActor({ summary: Text() }),
  recordSatisfaction: WithActor({
    rating: OneOf(SATISFACTION_VALUES),
    /** 解决/未解决 in the reporter's own words at the 回访 (required from policy version 4 on). */
    resolved: Type.Optional(Type.Boolean()),
    comment: Type.Optional(Text()),
  }),
  recordCallbackUnreachable: WithActor({ note: Type.Optional(Text()) }),
  claimReward: WithActor({
    claimCodeHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** How to pay the claimant, sealed in the vault: only its reference travels (policy v4 on). */
    payoutRef: Type.Optional(Type.String({ pattern: '^payout:[0-9a-f]{32}$' })),
  }),
  proposeReward: WithActor({
    basis: Type.Union([
      Closed({ kind: Type.Literal('fine'), fineFen: Type.Integer({ minimum: 0 }) }),
      Closed({
        kind: Type.Literal('concealed-accident'),
        grade: OneOf(Object.keys(ACCIDENT_GRADES) as (keyof typeof ACCIDENT_GRADES)[]),
        concealedDeaths: Type.Integer({ minimum: 1 }),
      }),
    ]),
    override: Type.Optional(Closed({ amountFen: Type.Integer({ minimum: 0 }), reason: Text() })),
    /**
     * Whether the reporter is staff with safety-supervision duties, or a close relative of such
     * staff (required from policy version 4 on): either closes the report without reward.
     */
    declaration: Type.Optional(
      Closed({ safetyDutyStaff: Type.Boolean(), closeRelativeOfStaff: Type.Boolean() }),
    ),
  }),
  decideReward: WithActor({
    decision: OneOf(['approved', 'adjusted', 'rejected'] as const),
    amountFen: Type.Optional(Type.Integer({ minimum: 0 })),
    reason: Type.Optional(Text()),
  }),
  /** Finance's own voucher number (付款凭证号), kept in the ledger beside the payment reference. */
  payReward: WithActor({ voucher: Type.Optional(Text(64)) }),
  withdrawReport: WithActor({ reason: Text() }),
  /** 有举必查: a report withdrawn after acceptance is closed early only by the dispatcher, with a reason. */
  closeWithdrawnReport: WithActor({ reason: Text() }),
  mergeReport: WithActor({ intoReportId: Id }),
  cancelReport: WithActor({ reason: Text() }),
  /** 延期申请: the unit asks for a later deadline of its verification or rectification (policy v5 on). */
  requestExtension: WithActor({
    clock: OneOf(['verification', 'unit_verification', 'rectification'] as const),
    proposedDueAt: Instant,
    reason: Text(),
  }),
  /** 延期审批: approve, approve a shorter extension (`dueAt`), or refuse; always with a reason. */
  decideExtension: WithActor({
    decision: OneOf(['approved', 'shortened', 'refused'] as const),
    dueAt: Type.Optional(Instant),
    reason: Text(),
  }),
  /** 主办/协办: the dispatcher or the lead unit asks other units to support the lead. */
  requestSupport: WithActor({
    unitIds: Type.Array(Id, { minItems: 1, maxItems: 5 }),
    request: Text(),
  }),
  /** A supporting unit answers the lead unit. */
  replyToLead: WithActor({ summary: Text() }),
  /** 暂停审批: approve or refuse a unit's pause request (policy v7 on), always with a reason. */
  decidePause: WithActor({ decision: OneOf(['approved', 'refused'] as const), reason: Text() }),
  /** 督办 by people: urge, a formal notice with a reply deadline, circular, interview, listing, exposure. */
  superviseReport: WithActor({ action: OneOf(SUPERVISION_ACTION_VALUES), reason: Text() }),
  /** The unit answers a 督办单. */
  replyToSupervision: WithActor({ summary: Text() }),
  /** 摘牌: the supervisor lifts a listing, with a reason. */
  liftListing: WithActor({ reason: Text() }),
  /** 约谈 held: when, who, what was said, and the follow-up deadline agreed. */
  recordInterview: WithActor({
    heldAt: Instant,
    attendees: Type.Array(Text(100), { minItems: 1, maxItems: 30 }),
    notes: Text(),
    followUpDueAt: Type.Optional(Instant),
  }),
  /**
   * An admin's audited move of an open report to another policy version (issue 17): its running
   * deadlines are fixed again from their recorded starts. `changeId` names the adoption it is part of.
   */
  adoptPolicy: WithActor({
    policyId: Id,
    policyVersion: Type.Integer({ minimum: 1, maximum: 100_000 }),
    reason: Text(500),
    changeId: Id,
  }),
  /**
   * After a calendar import: running deadlines counted with provisional or fallback days are fixed
   * again with a calendar holding at least `calendarVersion` (e.g. `cn-2027.1`).
   */
  recomputeDeadlines: WithActor({
    calendarVersion: Type.String({ pattern: '^cn-[0-9]{4}\\.[0-9]{1,6}$' }),
    reason: Text(500),
    changeId: Id,
  }),
  pauseClock: WithActor({ waitingFor: OneOf(['reporter', 'third_party'] as const), reason: Text() }),
  resumeClock: WithActor({ note: Type.Optional(Text()) }),
} as const;

export type StepName = keyof typeof STEP_INPUTS;
export type StepInput<S extends StepName> = Static<(typeof STEP_INPUTS)[S]>;
export const STEP_NAMES = Object.keys(STEP_INPUTS) as StepName[];

/**
 * Steps Bihuan's own procedures send (an adoption, a calendar import), each to many reports under
 * one audited change: no report route of their own, so none bypasses the procedure's checks.
 */
export const SERVICE_STEPS = ['adoptPolicy', 'recomputeDeadlines'] as const satisfies readonly StepName[];
/** The steps people take on one report, each with its route. */
export const REPORT_STEPS = STEP_NAMES.filter((s) => !(SERVICE_STEPS as readonly StepName[]).includes(s));
