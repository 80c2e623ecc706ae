import { describe, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import type { ReportState, StageName } from '../../domain/report/report-state.js';
import { STEP_NAMES, type StepName } from '../../domain/report/step-inputs.js';
import { ROLE_VALUES, type Actor } from '../../domain/vocabulary.js';
import {
  after,
  at,
  drive,
  FIVE_POINTS,
  loadPolicy,
  policy,
  receivedReport,
  RECTIFY_BY,
  reportAt,
  T0,
  verdict,
} from '../support/machine-fixtures.js';
import { people, sha256 } from '../support/reports.js';
import { actorOf, CLAIM_CODE, STEP_RULES } from '../support/step-rules.js';

const { dispatcher, handlerA, handlerB, intake, admin } = people;

const anonymous = { reporter: { kind: 'anonymous' as const, claimCodeHash: sha256(CLAIM_CODE) } };
const disputed = () => {
  const { s, now } = at('verifying');
  drive(s, 'disputeAssignment', { actor: handlerA, reason: '不属本单位职责' }, now);
  return { s, now: after(1, now) };
};
const paused = () => {
  const { s, now } = at('verifying');
  drive(s, 'pauseClock', { actor: handlerA, waitingFor: 'reporter', reason: '待补充材料' }, now);
  return { s, now: after(1, now) };
};

const returned = () => {
  const { s, now } = at('assigned');
  drive(s, 'returnAssignment', { actor: handlerA, reason: '不属本单位职责' }, now);
  return { s, now: after(1, now) };
};
/** 有举必查 (district-default v4): withdrawn after acceptance, still being verified. */
const withdrawnWhileVerifying = () => {
  const v4 = loadPolicy('district-default.v4.json');
  const { s, now } = reportAt('verifying', { policy: v4 });
  drive(s, 'withdrawReport', { actor: intake, reason: '不想再跟进' }, now, v4);
  return { s, now: after(1, now) };
};

/** 延期 (district-default v5): a report being verified, with an extension request waiting. */
const v5 = loadPolicy('district-default.v5.json');
const verifyingUnderV5 = () => {
  const { s, now } = reportAt('verifying', { policy: v5 });
  return { s, now: after(1, now), policy: v5 };
};
const extensionAsked = () => {
  const { s, now } = verifyingUnderV5();
  drive(
    s,
    'requestExtension',
    { actor: handlerA, clock: 'verification', proposedDueAt: after(24 * 14, now), reason: '需第三方检测' },
    now,
    v5,
  );
  return { s, now: after(1, now), policy: v5 };
};

/** 督办 by hand (district-default v5): a report being verified, supervised one way or another. */
const supervisedWith = (action: 'supervision_notice' | 'listed_supervision' | 'interview') => () => {
  const { s, now } = verifyingUnderV5();
  drive(s, 'superviseReport', { actor: people.supervisor, action, reason: '进度滞后' }, now, v5);
  return { s, now: after(1, now), policy: v5 };
};

/** 主办/协办 and pauses approved (district-default v7). */
const v7 = loadPolicy('district-default.v7.json');
const verifyingUnderV7 = () => {
  const { s, now } = reportAt('verifying', { policy: v7 });
  return { s, now: after(1, now), policy: v7 };
};
const supportAsked = () => {
  const { s, now } = verifyingUnderV7();
  drive(s, 'requestSupport', { actor: dispatcher, unitIds: ['unit-b'], request: '请协助核查' }, now, v7);
  return { s, now: after(1, now), policy: v7, actor: handlerB };
};
const pauseAsked = () => {
  const { s, now } = verifyingUnderV7();
  drive(s, 'pauseClock', { actor: handlerA, waitingFor: 'third_party', reason: '待检测报告' }, now, v7);
  return { s, now: after(1, now), policy: v7 };
};

/** For each step, a report (and an instant) where it applies, and the policy it runs under. */
const WHERE: {
  [S in StepName]: () => { s: ReportState; now: string; policy?: Policy; actor?: Actor };
} = {
  acceptReport: () => at('received'),
  rejectReport: () => at('received'),
  assignReport: () => at('accepted'),
  acknowledgeAssignment: () => {
    const v6 = loadPolicy('district-default.v6.json');
    const { s, now } = reportAt('assigned', { policy: v6 });
    return { s, now: after(1, now), policy: v6 };
  },
  returnAssignment: () => at('assigned'),
  refuseReturn: returned,
  recallReport: () => at('verifying'),
  disputeAssignment: () => at('verifying'),
  resolveDispute: disputed,
  startVerification: () => at('assigned'),
  submitVerification: () => at('verifying'),
  orderRectification: () => at('verified'),
  reportRectification: () => at('rectifying'),
  reviewRectification: () => at('rectification_reported', { majorHazard: true }),
  giveInterimReply: () => at('rectifying'),
  giveFeedback: () => at('awaiting_feedback'),
  recordSatisfaction: () => at('feedback_given'),
  recordCallbackUnreachable: () => at('feedback_given'),
  claimReward: () => at('reward_pending', { intake: anonymous }),
  proposeReward: () => at('reward_pending'),
  decideReward: () => at('reward_proposed'),
  payReward: () => at('reward_approved'),
  withdrawReport: () => at('verifying'),
  closeWithdrawnReport: withdrawnWhileVerifying,
  mergeReport: () => at('assigned'),
  cancelReport: () => at('rectifying'),
  requestExtension: verifyingUnderV5,
  superviseReport: verifyingUnderV5,
  replyToSupervision: supervisedWith('supervision_notice'),
  liftListing: supervisedWith('listed_supervision'),
  recordInterview: supervisedWith('interview'),
  decideExtension: extensionAsked,
  requestSupport: verifyingUnderV7,
  replyToLead: supportAsked,
  decidePause: pauseAsked,
  pauseClock: () => at('verifying'),
  resumeClock: paused,
  adoptPolicy: () => at('rectifying'),
  recomputeDeadlines: () => at('rectifying'),
};

const stageAt = (stage: StageName): ReportState =>
  stage === 'cancelled'
    ? (() => {
        const { s, now } = at('rectifying');
        drive(s, 'cancelReport', { actor: admin, reason: '误录' }, now);
        return s;
      })()
    : reportAt(stage).s;

describe('the step table', () => {
  it('states a rule for every step', () => {
    expect(Object.keys(STEP_RULES).sort()).toEqual([...STEP_NAMES].sort());
    expect(Object.keys(WHERE).sort()).toEqual([...STEP_NAMES].sort());
  });

  describe.each(STEP_NAMES)('%s', (step) => {
    const rule = STEP_RULES[step];
    it(`is taken only by its roles`, () => {
      for (const role of ROLE_VALUES) {
        const { s, now, policy: p, actor: handler } = WHERE[step]();
        const expected = rule.roles.includes(role) ? 'accepted' : 'not_allowed';
        const actor = role === 'handler' && handler ? handler : actorOf(role);
        expect([role, verdict(step, s, { actor, ...rule.input }, now, p)]).toEqual([role, expected]);
      }
    });
    it(`is refused as wrong_stage at ${rule.wrongAt}`, () => {
      const actor = actorOf(rule.roles[0]!);
      expect(verdict(step, stageAt(rule.wrongAt), { actor, ...rule.input }, T0)).toBe('wrong_stage');
    });
    if (rule.roles.includes('handler')) {
      it('is refused to a handler of another unit', () => {
        const { s, now, policy: p, actor: handler } = WHERE[step]();
        // Another unit than the one the step is for (unit-b where it is unit-a's, else unit-c).
        const other = handler ? actorOf('handler', 'unit-c') : handlerB;
        expect(verdict(step, s, { actor: other, ...rule.input }, now, p)).toBe('not_allowed');
      });
    }
  });
});

describe('malformed input is refused as invalid_input before anything else', () => {
  const accept = { actor: dispatcher, urgency: 'general', category: 'fire', domain: 'gas' };
  const s = receivedReport();
  it.each([
    ['a missing field', (({ category: _, ...rest }) => rest)(accept)],
    ['an unknown field', { ...accept, priority: 'high' }],
    ['a value outside its enumeration', { ...accept, urgency: 'urgent' }],
    ['no actor', { urgency: 'general', category: 'fire', domain: 'gas' }],
    ['an actor of an unknown role', { ...accept, actor: { id: 'x', role: 'mayor' } }],
  ])('%s', (_what, input) => {
    expect(verdict('acceptReport', s, input, T0)).toBe('invalid_input');
    expect(s.stage).toEqual({ name: 'received' });
  });
  it('checks the input even when the role and stage are wrong too', () => {
    expect(verdict('payReward', s, { actor: intake, amount: 1 }, T0)).toBe('invalid_input');
  });
});

describe('domain rules on top of the schema', () => {
  it('an unsubstantiated verification cannot report hazards', () => {
    const { s, now } = at('verifying');
    const input = { actor: handlerA, outcome: 'unsubstantiated', findings: '不属实', hazardsFound: 1 };
    expect(verdict('submitVerification', s, { ...input, majorHazard: false }, now)).toBe('invalid_input');
  });
  it('a major hazard needs the five fixed points (五落实) before rectification is ordered', () => {
    const { s, now } = at('verified', { majorHazard: true });
    const order = { actor: handlerA, measures: ['suspension'], dueAt: RECTIFY_BY };
    expect(verdict('orderRectification', s, order, now)).toBe('invalid_input');
    expect(verdict('orderRectification', s, { ...order, fivePoints: FIVE_POINTS }, now)).toBe('accepted');
  });
  it('a rectification deadline lies in the future and within the policy cap of 180 days', () => {
    const { s, now } = at('verified');
    const order = (dueAt: string) => ({ actor: handlerA, measures: ['order_rectification'], dueAt });
    expect(verdict('orderRectification', s, order(now), now)).toBe('invalid_input');
    expect(verdict('orderRectification', s, order(after(181 * 24, now)), now)).toBe('invalid_input');
  });
  it('a report cannot be merged into itself', () => {
    const { s, now } = at('accepted');
    const input = { actor: dispatcher, intoReportId: s.reportId };
    expect(verdict('mergeReport', s, input, now)).toBe('invalid_input');
  });
  it('one person cannot both propose and approve a reward', () => {
    const { s, now } = at('reward_proposed');
    const proposer = { ...people.approver, id: people.proposer.id };
    expect(verdict('decideReward', s, { actor: proposer, decision: 'approved' }, now)).toBe('same_person');
  });
  it('a dispute comes within disputeWindowHours of the assignment', () => {
    const { s } = reportAt('assigned');
    const assignedAt = s.assignments[0]!.at;
    const dispute = { actor: handlerA, reason: '非本单位职责' };
    const window = policy.disputeWindowHours;
    expect(verdict('disputeAssignment', s, dispute, after(window, assignedAt))).toBe('accepted');
    expect(verdict('disputeAssignment', s, dispute, after(window + 1, assignedAt))).toBe('out_of_window');
  });
});
