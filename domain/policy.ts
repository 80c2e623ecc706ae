import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { RewardRuleSchema, validateRewardRule } from './reward-rule.js';
import { Closed, OneOf } from './schema.js';
import { RUNG_VALUES, VERIFICATION_OUTCOME_VALUES } from './vocabulary.js';

/**
 * A jurisdiction's handling policy as data: which clocks run, how long each step may take (calendar
 * or working days, or hours), when to warn, which 督办 rungs follow an overrun and after how long,
 * the dispute window, reopen limit and the reward rule. One district counts "3 days", another
 * "24 hours" or "7 working days": each is a policy file, never code.
 *
 * A report fixes each deadline from the policy version it runs under when the step starts, so a
 * later policy edit never changes a deadline already recorded in a workflow history.
 */

const Positive = Type.Integer({ minimum: 1 });

/** How long a step may take, from the instant it starts. */
export const DurationSchema = Type.Union([
  Closed({ hours: Positive }),
  Closed({ calendarDays: Positive }),
  Closed({ workingDays: Positive }),
  Closed({ sameDay: Type.Literal(true) }),
]);
export type DurationSpec = Static<typeof DurationSchema>;

/** A rung of the escalation ladder, fired `after` the deadline (measured from the deadline). */
const LadderStepSchema = Closed({
  rung: OneOf(RUNG_VALUES),
  after: Type.Union([Closed({ hours: Type.Integer({ minimum: 0 }) }), Closed({ workingDays: Positive })]),
});
export type LadderStep = Static<typeof LadderStepSchema>;

const Supervised = <D extends TSchema>(due: D) =>
  Closed({
    due,
    /** A warning (预警) this many hours before the deadline; half-way if the step is shorter. */
    warnBeforeHours: Type.Integer({ minimum: 0 }),
    ladder: Type.Array(LadderStepSchema, { maxItems: 8 }),
  });

/** Who hears of an escalation: levels at the unit that owes the step, the 安委办, the dispatch centre. */
const RecipientList = Type.Array(
  OneOf(['case_officer', 'section_chief', 'leader', 'supervisors', 'dispatch_centre'] as const),
  { minItems: 1, uniqueItems: true },
);

export const PolicySchema = Closed({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  version: Positive,
  name: Type.String({ minLength: 1 }),
  source: Type.String({ minLength: 1 }),
  clocks: Closed({
    acceptance: Supervised(DurationSchema),
    assignment: Supervised(DurationSchema),
    verification: Supervised(
      Closed({ general: DurationSchema, emergency: DurationSchema, accident: DurationSchema }),
    ),
    /** The handler sets the rectification deadline; the policy caps it. */
    rectification: Supervised(Closed({ setByHandler: Type.Literal(true), maxCalendarDays: Positive })),
    review: Supervised(DurationSchema),
    /**
     * 反馈, counted from intake: one duration for every report (version 1–2), or one per urgency,
     * as the district notice sets them (紧急类 24 小时、一般类 7 个工作日).
     */
    feedback: Supervised(
      Closed({
        from: Type.Union([Type.Literal('intake')]),
        within: Type.Union([
          DurationSchema,
          Closed({ general: DurationSchema, emergency: DurationSchema, accident: DurationSchema }),
        ]),
      }),
    ),
    reward_proposal: Supervised(DurationSchema),
    reward_approval: Supervised(DurationSchema),
    reward_payment: Supervised(DurationSchema),
    // No stage waits without a clock (version 3 on; a policy without them runs none):
    /** 派单异议: the dispatcher decides a unit's dispute. */
    dispute_decision: Type.Optional(Supervised(DurationSchema)),
    /** 核查属实: the unit orders rectification of the hazards it found. */
    rectification_order: Type.Optional(Supervised(DurationSchema)),
    /** 最终答复: after an interim reply, the final one once the hazard is rectified. */
    final_reply: Type.Optional(Supervised(DurationSchema)),
    /** 回访: the reporter is called back about the answer. */
    callback: Type.Optional(Supervised(DurationSchema)),
    /**
     * 奖励认领: the window an anonymous reporter has to claim a reward with the claim code; when it
     * closes unclaimed, the report closes as `reward_unclaimed`.
     */
    reward_claim: Type.Optional(Supervised(DurationSchema)),
    /** 延期审批 (version 5 on): the dispatcher or supervisor decides a unit's extension request. */
    extension_decision: Type.Optional(Supervised(DurationSchema)),
    /** 督办单 (version 5 on): the unit answers a formal supervision notice. */
    supervision_reply: Type.Optional(Supervised(DurationSchema)),
    /** 挂牌督办 by hand (version 5 on): the supervisor reviews the listing (摘牌 or not) within it. */
    listing_review: Type.Optional(Supervised(DurationSchema)),
    /** 约谈 (version 5 on): an interview the ladder or a supervisor called is held within it. */
    interview: Type.Optional(Supervised(DurationSchema)),
    /** 签收 (version 6 on): the unit signs for an assignment (or acts on it) within it. */
    acknowledgement: Type.Optional(Supervised(DurationSchema)),
    /** 协办 (version 7 on): each supporting unit answers the lead unit (主办) within it. */
    support_reply: Type.Optional(Supervised(DurationSchema)),
  }),
  /**
   * Who hears of a missed deadline and of each 督办 rung (version 6 on), by level at the unit that
   * owes the step (from the directory's contact sheet), the 安委办 (`supervisors`) or the dispatch
   * centre. Without it: the unit's case officer, its leader from 约谈 on. Whoever it names, a clock
   * the dispatch centre owes is never reported to the dispatch centre alone.
   */
  escalationRecipients: Type.Optional(
    Closed({
      overdue: Type.Optional(RecipientList),
      urge: Type.Optional(RecipientList),
      circular: Type.Optional(RecipientList),
      interview: Type.Optional(RecipientList),
      listed_supervision: Type.Optional(RecipientList),
      exposure: Type.Optional(RecipientList),
    }),
  ),
  /**
   * 延期申请 (version 5 on): a unit may ask to extend its verification or rectification deadline,
   * at most `maxPerClock` times per step and by at most `maxCalendarDays` each time. Without it, no
   * extension is granted.
   */
  extensions: Type.Optional(
    Closed({
      maxPerClock: Type.Integer({ minimum: 1, maximum: 5 }),
      maxCalendarDays: Type.Integer({ minimum: 1, maximum: 180 }),
    }),
  ),
  /** 回访: how many unanswered calls close the callback as unreachable (default 3). */
  callbackMaxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  /**
   * 核查时限 counted from acceptance of the report (version 4 on), not from each assignment: a return
   * does not restart it. A unit that receives the report after an approved return or an upheld
   * dispute gets a step clock of its own (`unit_verification`, the same limit) beside it.
   */
  verificationFrom: Type.Optional(Type.Literal('acceptance')),
  /**
   * 回访 asks whether the problem was solved (解决/未解决) as well as how satisfied the reporter is
   * (version 4 on): 解决率 comes from these answers, not from the stage a report reached.
   */
  callbackAsksResolved: Type.Optional(Type.Boolean()),
  /**
   * 有举必查 (version 4 on): after acceptance a reporter may still withdraw, but that only stops
   * contact with them; the suspected hazard is verified all the same, and only the dispatcher closes
   * it early, with a recorded reason.
   */
  withdrawalAfterAcceptance: Type.Optional(Type.Literal('contact_stops')),
  /**
   * 补充材料 (version 4 on): how often a step's clock may be paused, and for how long each time (in
   * working days, after which it runs again by itself). A pause moves the deadline by the working
   * days it took, so a deadline at the end of a working day stays at the end of one; a wait for the
   * reporter also holds the feedback clock.
   */
  pause: Type.Optional(
    Closed({
      maxPauses: Type.Integer({ minimum: 1, maximum: 10 }),
      maxWorkingDays: Type.Integer({ minimum: 1, maximum: 60 }),
      /**
       * A unit's pause is a request the dispatcher (an ordinary hazard) or the supervisor (a major
       * one) decides, as an extension is, under the same decision clock (version 7 on). Until it is
       * approved the step's clock runs on.
       */
      approval: Type.Optional(Type.Literal('required')),
    }),
  ),
  /**
   * 退单 (version 5 on): a unit may return an assignment only within `windowHours` of receiving it,
   * and a report may be returned at most `maxPerReport` times; later, the dispatcher recalls it.
   */
  returns: Type.Optional(
    Closed({
      windowHours: Type.Integer({ minimum: 1, maximum: 720 }),
      maxPerReport: Type.Integer({ minimum: 1, maximum: 10 }),
    }),
  ),
  /** A unit may dispute an assignment (派单异议) within this many hours of receiving it. */
  disputeWindowHours: Positive,
  /** How often an unsatisfied reporter can have the report reopened (重办). */
  maxReopens: Type.Integer({ minimum: 0, maximum: 3 }),
  reward: Closed({
    eligibleOutcomes: Type.Array(OneOf(VERIFICATION_OUTCOME_VALUES), { minItems: 1 }),
    rule: RewardRuleSchema,
    /**
     * What a verified finding must be to earn a reward (安监总财〔2018〕19号 第六条, 第九条（二）):
     * a 重大事故隐患, a 安全生产非法违法行为, or a concealed or falsely reported accident. A local
     * rule may add ordinary hazards (`ordinaryHazard`). From version 3 on; with it, a proposal's
     * basis must also be the one on the record (the fine with its penalty decision, the accident).
     */
    eligibility: Type.Optional(
      Closed({
        majorHazard: Type.Boolean(),
        illegalActivity: Type.Boolean(),
        concealedAccident: Type.Boolean(),
        ordinaryHazard: Type.Boolean(),
      }),
    ),
    /**
     * Staff with safety-supervision duties and their close relatives are not rewarded for reports
     * in their own field (安监总财〔2018〕19号 and the provincial rules after it). From version 4 on, each proposal declares
     * whether the reporter is one; one who is closes the report without reward.
     */
    exclusionDeclaration: Type.Optional(Type.Literal('required')),
    /**
     * An anonymous reporter's claim says how to be paid (account, sealed in the vault by the API;
     * the workflow holds only its reference). From version 4 on.
     */
    claimPayout: Type.Optional(Type.Literal('required')),
  }),
  /** What intake accepts (from version 2 on; older versions get {@link DEFAULT_INTAKE_BOUNDS}). */
  intake: Type.Optional(
    Closed({
      /**
       * How far `receivedAt` may lie from the server's clock: a ticket transferred late is still a
       * report, one dated in another decade is a mistake that would start every ladder at once.
       */
      receivedAt: Closed({
        maxPastDays: Type.Integer({ minimum: 1, maximum: 366 }),
        maxFutureMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
      }),
    }),
  ),
});
export type Policy = Static<typeof PolicySchema>;

/** The clocks a policy may leave out: a report under it runs none of them. */
export const OPTIONAL_CLOCKS = [
  'dispute_decision',
  'rectification_order',
  'final_reply',
  'callback',
  'reward_claim',
  'extension_decision',
  'supervision_reply',
  'listing_review',
  'interview',
  'acknowledgement',
  'support_reply',
] as const;
export type OptionalClock = (typeof OPTIONAL_CLOCKS)[number];

/** Unanswered callbacks that close the 回访 as unreachable. */
export const callbackMaxAttempts = (policy: Policy): number => policy.callbackMaxAttempts ?? 3;

/** Whether the policy's feedback time limit depends on the report's urgency. */
export const feedbackByUrgency = (policy: Policy): boolean => 'general' in policy.clocks.feedback.due.within;
export type IntakeBounds = NonNullable<Policy['intake']>;

/** What intake accepted before policies said so (version 1 files). */
export const DEFAULT_INTAKE_BOUNDS: IntakeBounds = Object.freeze({
  receivedAt: Object.freeze({ maxPastDays: 30, maxFutureMinutes: 5 }),
});
export const intakeBounds = (policy: Policy): IntakeBounds => policy.intake ?? DEFAULT_INTAKE_BOUNDS;
export type PolicyRef = { readonly id: string; readonly version: number };

/** A policy file that does not hold together; `message` names the file, field and problem. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Validates policy data (e.g. a parsed JSON file); throws {@link PolicyError} naming the first bad field. */
export function validatePolicy(data: unknown, source = 'policy'): Policy {
  if (!Value.Check(PolicySchema, data)) {
    const [first] = [...Value.Errors(PolicySchema, data)];
    const where = first?.instancePath || '/';
    throw new PolicyError(`${source}: ${where} ${first?.message ?? 'is invalid'}`);
  }
  const policy = data;
  try {
    validateRewardRule(policy.reward.rule);
  } catch (err) {
    throw new PolicyError(`${source}: /reward/rule ${(err as Error).message}`);
  }
  for (const [clock, spec] of Object.entries(policy.clocks)) {
    const hours = spec.ladder.map((s) => ('hours' in s.after ? s.after.hours : s.after.workingDays * 24));
    if (hours.some((h, i) => i > 0 && h < hours[i - 1]!)) {
      throw new PolicyError(`${source}: /clocks/${clock}/ladder rungs must be in order of their delay`);
    }
  }
  return policy;
}
