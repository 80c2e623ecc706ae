import type { StageName } from '../../domain/report/report-state.js';
import type { StepName } from '../../domain/report/step-inputs.js';
import type { Actor, Role } from '../../domain/vocabulary.js';
import { sha256 } from './reports.js';

/**
 * The rule of each human step, written out as the specification the state machine must meet: the
 * roles that may take it, a valid input (without the actor), and a stage of the main line (or a
 * terminal stage) where it does not apply. Unit and workflow tests both check the machine against it.
 */
export interface StepRule {
  readonly roles: readonly Role[];
  readonly input: Readonly<Record<string, unknown>>;
  readonly wrongAt: StageName;
}

export const CLAIM_CODE = 'claim-code-1';

export const STEP_RULES: { readonly [S in StepName]: StepRule } = {
  acceptReport: {
    roles: ['dispatcher'],
    input: { urgency: 'general', category: 'fire', domain: 'gas' },
    wrongAt: 'accepted',
  },
  rejectReport: { roles: ['dispatcher'], input: { reason: '不属于安全生产举报' }, wrongAt: 'accepted' },
  assignReport: {
    roles: ['dispatcher'],
    input: { unitId: 'unit-a', routing: 'manual' },
    wrongAt: 'received',
  },
  acknowledgeAssignment: { roles: ['handler'], input: { note: '已签收' }, wrongAt: 'verifying' },
  returnAssignment: { roles: ['handler'], input: { reason: '非本单位辖区' }, wrongAt: 'verifying' },
  recallReport: {
    roles: ['dispatcher'],
    input: { unitId: 'unit-b', reason: '承办单位逾期未核查' },
    wrongAt: 'verified',
  },
  refuseReturn: { roles: ['dispatcher'], input: { reason: '属本单位辖区' }, wrongAt: 'assigned' },
  disputeAssignment: { roles: ['handler'], input: { reason: '应由区消防支队办理' }, wrongAt: 'verified' },
  resolveDispute: { roles: ['dispatcher'], input: { decision: 'assignment_upheld' }, wrongAt: 'verifying' },
  startVerification: { roles: ['handler'], input: {}, wrongAt: 'verifying' },
  submitVerification: {
    roles: ['handler'],
    input: { outcome: 'partly', findings: '部分属实', hazardsFound: 1, majorHazard: false },
    wrongAt: 'assigned',
  },
  orderRectification: {
    roles: ['handler'],
    input: { measures: ['order_rectification'], dueAt: '2026-12-03T01:30:00.000Z' },
    wrongAt: 'verifying',
  },
  reportRectification: { roles: ['handler'], input: { summary: '已整改' }, wrongAt: 'verified' },
  reviewRectification: {
    roles: ['reviewer'],
    input: { approved: true, comment: '同意' },
    wrongAt: 'rectifying',
  },
  giveInterimReply: {
    roles: ['handler', 'dispatcher'],
    input: { summary: '经核查属实，已责令限期整改' },
    wrongAt: 'awaiting_feedback',
  },
  giveFeedback: { roles: ['handler', 'dispatcher'], input: { summary: '已办结' }, wrongAt: 'rectifying' },
  recordSatisfaction: {
    roles: ['intake', 'dispatcher'],
    input: { rating: 'satisfied', resolved: true },
    wrongAt: 'awaiting_feedback',
  },
  recordCallbackUnreachable: {
    roles: ['intake', 'dispatcher'],
    input: { note: '电话无人接听' },
    wrongAt: 'awaiting_feedback',
  },
  claimReward: {
    roles: ['intake'],
    input: { claimCodeHash: sha256(CLAIM_CODE), payoutRef: 'payout:00000000000000000000000000000001' },
    wrongAt: 'feedback_given',
  },
  proposeReward: {
    roles: ['reward_proposer'],
    input: { basis: { kind: 'fine', fineFen: 1_000_000 } },
    wrongAt: 'reward_proposed',
  },
  decideReward: { roles: ['reward_approver'], input: { decision: 'approved' }, wrongAt: 'reward_pending' },
  payReward: { roles: ['finance'], input: {}, wrongAt: 'reward_proposed' },
  withdrawReport: { roles: ['intake'], input: { reason: '已自行解决' }, wrongAt: 'feedback_given' },
  closeWithdrawnReport: {
    roles: ['dispatcher'],
    input: { reason: '举报人撤回，核查未见隐患' },
    wrongAt: 'verifying',
  },
  mergeReport: { roles: ['dispatcher'], input: { intoReportId: 'hotline_12345:GD-1' }, wrongAt: 'verifying' },
  cancelReport: { roles: ['admin'], input: { reason: '重复录入' }, wrongAt: 'cancelled' },
  requestExtension: {
    roles: ['handler'],
    input: { clock: 'verification', proposedDueAt: '2026-12-20T09:00:00.000Z', reason: '需第三方检测' },
    wrongAt: 'verified',
  },
  decideExtension: {
    roles: ['dispatcher', 'supervisor'],
    input: { decision: 'refused', reason: '时限充足' },
    wrongAt: 'verified',
  },
  decidePause: {
    roles: ['dispatcher', 'supervisor'],
    input: { decision: 'approved', reason: '确需等待检测报告' },
    wrongAt: 'cancelled',
  },
  requestSupport: {
    roles: ['dispatcher', 'handler'],
    input: { unitIds: ['unit-b'], request: '请协助核查该企业的消防设施' },
    wrongAt: 'awaiting_feedback',
  },
  replyToLead: {
    roles: ['handler'],
    input: { summary: '已到场协助核查，消防设施正常' },
    wrongAt: 'cancelled',
  },
  superviseReport: {
    roles: ['supervisor', 'dispatcher'],
    input: { action: 'urge', reason: '核查进度滞后' },
    wrongAt: 'cancelled',
  },
  replyToSupervision: {
    roles: ['handler', 'dispatcher'],
    input: { summary: '已安排人员今日到场核查' },
    wrongAt: 'cancelled',
  },
  liftListing: { roles: ['supervisor'], input: { reason: '隐患已消除' }, wrongAt: 'cancelled' },
  recordInterview: {
    roles: ['supervisor'],
    input: { heldAt: '2026-11-23T06:00:00.000Z', attendees: ['街道分管领导'], notes: '要求三日内完成核查' },
    wrongAt: 'cancelled',
  },
  pauseClock: {
    roles: ['handler', 'dispatcher'],
    input: { waitingFor: 'third_party', reason: '待检测报告' },
    wrongAt: 'accepted',
  },
  resumeClock: { roles: ['handler', 'dispatcher'], input: {}, wrongAt: 'accepted' },
  adoptPolicy: {
    roles: ['admin'],
    input: {
      policyId: 'district-default',
      policyVersion: 2,
      reason: '区里缩短核查时限',
      changeId: 'change-1',
    },
    wrongAt: 'cancelled',
  },
  recomputeDeadlines: {
    roles: ['admin'],
    input: { calendarVersion: 'cn-2027.1', reason: '导入2027年节假日通知', changeId: 'change-2' },
    wrongAt: 'cancelled',
  },
};

/** Someone in `role`; a handler acts for `unitId`. */
export const actorOf = (role: Role, unitId = 'unit-a'): Actor => ({
  id: `${role}-x`,
  role,
  ...(role === 'handler' ? { unitId } : {}),
});

/** A valid input of `step`, taken by the first role the step is for. */
export const validInput = (step: StepName, actor = actorOf(STEP_RULES[step].roles[0]!)) => ({
  actor,
  ...STEP_RULES[step].input,
});
