import type { WorkflowHandle } from '@temporalio/client';
import type { ReportView } from '../domain/report/report-view.js';
import type { Intake } from '../domain/report/step-inputs.js';
import type { Actor } from '../domain/vocabulary.js';
import type { reportWorkflow } from '../workflows/report-workflow.js';
import {
  acceptAndAssign,
  driveToConclusion,
  handleToConclusion,
  type StepDriver,
} from '../test/support/lifecycles.js';
import { people, NOT_EXCLUDED } from '../test/support/reports.js';

/**
 * The lifecycles whose histories the replay test replays: together they make the workflow take
 * every kind of command it has (local activities, activities, timers, Updates accepted and
 * completed, an external signal, a signal received), so a non-deterministic change to any path
 * shows up as a replay failure.
 */

type Handle = WorkflowHandle<typeof reportWorkflow>;

export interface ScenarioDriver extends StepDriver {
  /** Starts a report now (server time) with a fixed external id, so re-recording keeps the names. */
  start(externalId: string, overrides?: Partial<Intake>): Promise<Handle>;
  view(handle: Handle): Promise<ReportView>;
  /** Advances the server clock; timers due meanwhile fire. */
  skip(ms: number): Promise<void>;
  /** Polls until `check` holds (activities after a skip run in real time). */
  waitFor(what: string, check: () => Promise<boolean>): Promise<void>;
}

/** Each scenario returns the reports to record, by fixture name. */
export type Scenario = (d: ScenarioDriver) => Promise<Record<string, Handle>>;

const DAY = 86_400_000;
const laterBy = (v: ReportView, ms: number) => new Date(Date.parse(v.timeline.at(-1)!.at) + ms).toISOString();

/** 不予受理: rejected at acceptance, the reporter told. */
const rejected: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-REJECTED');
  await d.step(h, 'rejectReport', { actor: people.dispatcher, reason: '不属于安全生产举报受理范围' });
  return { rejected: h };
};

/** The main line, a reward of 15 % of the fine proposed, approved and paid. */
const rewardPaid: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-REWARD-PAID');
  await driveToConclusion(d, h, { fineFen: 5_000_000 });
  await d.step(h, 'proposeReward', {
    actor: people.proposer,
    basis: { kind: 'fine', fineFen: 5_000_000 },
    declaration: NOT_EXCLUDED,
  });
  await d.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
  await d.step(h, 'payReward', { actor: people.finance, voucher: '财付〔2026〕0001' });
  return { 'reward-paid': h };
};

/** 重大事故隐患: listed supervision, a review that sends the rectification back, then write-off. */
const majorHazardReview: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-MAJOR-HAZARD', { urgencyHint: 'emergency' });
  await acceptAndAssign(d, h, {
    urgency: 'emergency',
    category: 'production_safety',
    domain: 'hazardous_chemicals',
  });
  await d.step(h, 'startVerification', { actor: people.handlerA });
  let v = await d.step(h, 'submitVerification', {
    actor: people.handlerA,
    outcome: 'substantiated',
    findings: '危化品仓库超量储存，防爆设施失效',
    hazardsFound: 3,
    majorHazard: true,
  });
  v = await d.step(h, 'orderRectification', {
    actor: people.handlerA,
    measures: ['order_rectification', 'suspension', 'administrative_penalty'],
    fineFen: 20_000_000,
    penaltyDecision: { number: '浦应急罚〔2026〕101号', decidedOn: '2026-11-23' },
    dueAt: laterBy(v, 30 * DAY),
    fivePoints: {
      responsibility: '企业主要负责人',
      measures: '清理超量储存，更换防爆设施',
      funding: '企业自筹 50 万元',
      timeLimit: '30 日内',
      contingencyPlan: '停产期间专人值守，应急预案报备',
    },
  });
  await d.step(h, 'reportRectification', { actor: people.handlerA, summary: '已清理超量储存' });
  await d.step(h, 'reviewRectification', {
    actor: people.reviewer,
    approved: false,
    comment: '防爆设施尚未更换',
    newDueAt: laterBy(v, 20 * DAY),
  });
  await d.step(h, 'reportRectification', { actor: people.handlerA, summary: '防爆设施已更换并检测合格' });
  await d.step(h, 'reviewRectification', { actor: people.reviewer, approved: true, comment: '同意销号' });
  await d.step(h, 'giveFeedback', { actor: people.handlerA, summary: '重大隐患已整改销号' });
  await d.step(h, 'recordSatisfaction', { actor: people.intake, rating: 'satisfied', resolved: true });
  await d.step(h, 'proposeReward', {
    actor: people.proposer,
    basis: { kind: 'fine', fineFen: 20_000_000 },
    declaration: NOT_EXCLUDED,
  });
  await d.step(h, 'decideReward', {
    actor: people.approver,
    decision: 'adjusted',
    amountFen: 2_500_000,
    reason: '线索部分已由监管部门掌握',
  });
  await d.step(h, 'payReward', { actor: people.finance });
  return { 'major-hazard-review': h };
};

/** 重复件: a duplicate merged into the report it repeats (an external signal, and its receipt). */
const mergedDuplicate: Scenario = async (d) => {
  const survivor = await d.start('GD-FIXTURE-MERGE-SURVIVOR');
  const duplicate = await d.start('GD-FIXTURE-MERGE-DUPLICATE');
  for (const h of [survivor, duplicate]) {
    await d.step(h, 'acceptReport', {
      actor: people.dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
  }
  await d.step(duplicate, 'mergeReport', { actor: people.dispatcher, intoReportId: survivor.workflowId });
  await d.waitFor('the survivor records its duplicate', async () => {
    return (await d.view(survivor)).duplicates.length === 1;
  });
  // From 0.4 (有举必查): an accepted report withdrawn stops contact; the dispatcher closes it.
  await d.step(survivor, 'withdrawReport', { actor: people.intake, reason: '举报人撤回' });
  if ((await d.view(survivor)).stage.name !== 'withdrawn')
    await d.step(survivor, 'closeWithdrawnReport', { actor: people.dispatcher, reason: '现场核实已整改' });
  return { 'merged-duplicate': duplicate, 'merge-survivor': survivor };
};

/**
 * 督办: a unit that lets verification run over climbs the whole ladder (催办 → 函告 → 约谈 →
 * 挂牌督办) while the feedback clock runs over too; then it verifies (unsubstantiated) and closes.
 * Runs last: it moves the shared server clock eleven days on.
 */
const verificationEscalated: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-ESCALATED');
  await acceptAndAssign(d, h);
  // Past the deadline and every rung of the ladder, whichever policy version counts them.
  await d.skip(30 * DAY);
  await d.waitFor('verification reaches listed supervision', async () => {
    const v = await d.view(h);
    return v.escalations.some((e) => e.clock === 'verification' && e.rung === 'listed_supervision');
  });
  await handleToConclusion(d, h, { outcome: 'unsubstantiated' });
  return { 'verification-escalated': h };
};

/**
 * From 0.3.0: an interim reply during a long rectification, the final reply, a callback that
 * reaches nobody three times, and an anonymous reporter's claim window closing unclaimed.
 */
const interimReplyClaimLapsed: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-CLAIM-LAPSED', {
    reporter: { kind: 'anonymous', claimCodeHash: '0'.repeat(64) },
  });
  await acceptAndAssign(d, h);
  await d.step(h, 'startVerification', { actor: people.handlerA });
  const v = await d.step(h, 'submitVerification', {
    actor: people.handlerA,
    outcome: 'substantiated',
    findings: '无证储存烟花爆竹',
    hazardsFound: 1,
    majorHazard: false,
    illegalActivity: true,
  });
  await d.step(h, 'orderRectification', {
    actor: people.handlerA,
    measures: ['order_rectification'],
    dueAt: laterBy(v, 20 * DAY),
  });
  await d.step(h, 'giveInterimReply', { actor: people.handlerA, summary: '经核查属实，已责令限期整改' });
  await d.step(h, 'reportRectification', { actor: people.handlerA, summary: '已清运' });
  await d.step(h, 'giveFeedback', { actor: people.handlerA, summary: '已整改完毕' });
  for (let i = 0; i < 3; i += 1) await d.step(h, 'recordCallbackUnreachable', { actor: people.dispatcher });
  await d.skip(100 * DAY);
  await d.waitFor(
    'the claim window closes the report',
    async () => (await d.view(h)).stage.name === 'closed',
  );
  return { 'interim-reply-claim-lapsed': h };
};

/**
 * A unit pauses its step's clock (补充材料); from 0.7.0 (district-default v7) that is a request the
 * dispatcher approves, so the scenarios written before it pause the same way under every release.
 */
async function pause(
  d: ScenarioDriver,
  h: Handle,
  input: { actor: Actor; waitingFor: 'reporter' | 'third_party'; reason: string },
): Promise<ReportView> {
  const v = await d.step(h, 'pauseClock', input);
  if (!(v.pauseRequests ?? []).some((p) => p.decision === undefined)) return v;
  return d.step(h, 'decidePause', { actor: people.dispatcher, decision: 'approved', reason: '同意暂停' });
}

/**
 * From 0.4.0 (district-default v4): verification from acceptance; a return refused, a second one
 * approved by reassigning (the new unit's own clock); a pause for the reporter resumed by hand
 * (deadlines moved on working time) and another that ends by itself at its limit; 解决/未解决 at the
 * 回访; a proposal declaring the reporter a close relative of staff, closing without reward.
 */
const returnReviewedPaused: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-RETURN-REVIEWED');
  await acceptAndAssign(d, h);
  await d.step(h, 'returnAssignment', { actor: people.handlerA, reason: '非本单位辖区' });
  await d.step(h, 'refuseReturn', { actor: people.dispatcher, reason: '属本单位辖区，请继续办理' });
  await d.step(h, 'returnAssignment', { actor: people.handlerA, reason: '涉及燃气管道，属燃气主管部门' });
  await d.step(h, 'assignReport', { actor: people.dispatcher, unitId: 'unit-b', routing: 'manual' });
  await d.step(h, 'startVerification', { actor: people.handlerB });
  await pause(d, h, {
    actor: people.handlerB,
    waitingFor: 'reporter',
    reason: '请举报人补充具体楼层',
  });
  await d.skip(2 * DAY);
  await d.step(h, 'resumeClock', { actor: people.handlerB, note: '已补充' });
  await pause(d, h, {
    actor: people.handlerB,
    waitingFor: 'third_party',
    reason: '待燃气公司检测',
  });
  await d.skip(20 * DAY);
  await d.waitFor('the pause ends by itself at its limit', async () =>
    (await d.view(h)).timeline.some((e) => e.type === 'clock_resumed' && e.data?.automatic === true),
  );
  const v = await d.step(h, 'submitVerification', {
    actor: people.handlerB,
    outcome: 'substantiated',
    findings: '私接燃气管道',
    hazardsFound: 1,
    majorHazard: false,
    illegalActivity: true,
  });
  await d.step(h, 'orderRectification', {
    actor: people.handlerB,
    measures: ['order_rectification'],
    dueAt: laterBy(v, 5 * DAY),
  });
  await d.step(h, 'reportRectification', { actor: people.handlerB, summary: '已拆除私接管道' });
  await d.step(h, 'giveFeedback', { actor: people.handlerB, summary: '已整改' });
  await d.step(h, 'recordSatisfaction', {
    actor: people.intake,
    rating: 'basically_satisfied',
    resolved: true,
  });
  await d.step(h, 'proposeReward', {
    actor: people.proposer,
    basis: { kind: 'fine', fineFen: 0 },
    declaration: { safetyDutyStaff: false, closeRelativeOfStaff: true },
  });
  return { 'return-reviewed-paused': h };
};

/**
 * From 0.5.0 (district-default v5): 督办 by people — 催办, a 督办单 left unanswered until its ladder
 * fires and then answered, an interview called and recorded, a listing by hand lifted — an extension
 * approved, and a recall to another unit, which verifies and answers.
 */
const supervisedExtended: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-SUPERVISED');
  await acceptAndAssign(d, h);
  await d.step(h, 'superviseReport', { actor: people.dispatcher, action: 'urge', reason: '请加快核查' });
  await d.step(h, 'superviseReport', {
    actor: people.dispatcher,
    action: 'supervision_notice',
    reason: '请书面说明核查进度',
  });
  await d.skip(5 * DAY);
  await d.waitFor('the unanswered 督办单 escalates', async () =>
    (await d.view(h)).escalations.some((e) => e.clock === 'supervision_reply'),
  );
  await d.step(h, 'replyToSupervision', { actor: people.handlerA, summary: '已安排今日到场核查' });
  const before = await d.view(h);
  const due = before.clocks.find((c) => c.schedule.clock === 'verification' && c.stoppedAt === undefined)!;
  await d.step(h, 'requestExtension', {
    actor: people.handlerA,
    clock: 'verification',
    proposedDueAt: new Date(Date.parse(due.schedule.dueAt) + 5 * DAY).toISOString(),
    reason: '需燃气公司出具检测报告',
  });
  await d.step(h, 'decideExtension', {
    actor: people.dispatcher,
    decision: 'approved',
    reason: '检测周期确需',
  });
  const called = await d.step(h, 'superviseReport', {
    actor: people.supervisor,
    action: 'interview',
    reason: '多次催办后仍未到场',
  });
  await d.step(h, 'recordInterview', {
    actor: people.supervisor,
    heldAt: called.timeline.find((e) => e.type === 'interview_called')!.at,
    attendees: ['街道分管副主任', '安监所所长'],
    notes: '要求两日内完成核查',
  });
  await d.step(h, 'superviseReport', {
    actor: people.supervisor,
    action: 'listed_supervision',
    reason: '群众反复举报',
  });
  await d.step(h, 'liftListing', { actor: people.supervisor, reason: '已到场核查' });
  await d.step(h, 'recallReport', {
    actor: people.dispatcher,
    unitId: 'unit-b',
    reason: '承办单位逾期未核查',
  });
  await closeUnsubstantiated(d, h, { handler: people.handlerB, findings: '现场未见私接管道' });
  return { 'supervised-extended': h };
};

/**
 * The holding unit (unit A unless named) verifies and finds nothing; the reporter is told and
 * satisfied: the report closes.
 */
async function closeUnsubstantiated(
  d: ScenarioDriver,
  h: Handle,
  { handler = people.handlerA, findings = '现场未见隐患' }: { handler?: Actor; findings?: string } = {},
): Promise<void> {
  await d.step(h, 'startVerification', { actor: handler });
  await d.step(h, 'submitVerification', {
    actor: handler,
    outcome: 'unsubstantiated',
    findings,
    hazardsFound: 0,
    majorHazard: false,
  });
  await d.step(h, 'giveFeedback', { actor: handler, summary: '经核查不属实' });
  await d.step(h, 'recordSatisfaction', { actor: people.intake, rating: 'satisfied', resolved: true });
}

/**
 * From 0.7.0 (district-default v7): 主办/协办 — the lead asks two units to support it; one answers
 * in time, the other only after its reply clock escalated to it and to the lead — and pauses through
 * approval: one refused, one approved and resumed by hand.
 */
const jointHandled: Scenario = async (d) => {
  const handlerC = { id: 'handler-c', role: 'handler', unitId: 'unit-c' } as const;
  const h = await d.start('GD-FIXTURE-JOINT');
  await acceptAndAssign(d, h);
  await d.step(h, 'requestSupport', {
    actor: people.handlerA,
    unitIds: ['unit-b', 'unit-c'],
    request: '请协助核查燃气管道与消防设施',
  });
  await d.step(h, 'replyToLead', { actor: people.handlerB, summary: '燃气管道检测合格' });
  await d.skip(6 * DAY);
  await d.waitFor('the late supporting unit escalates', async () =>
    (await d.view(h)).escalations.some((e) => e.clock === 'support_reply'),
  );
  await d.step(h, 'replyToLead', { actor: handlerC, summary: '消防设施已检查，存在堵塞通道' });
  await d.step(h, 'pauseClock', { actor: people.handlerA, waitingFor: 'third_party', reason: '待检测' });
  await d.step(h, 'decidePause', { actor: people.dispatcher, decision: 'refused', reason: '时限充足' });
  await pause(d, h, { actor: people.handlerA, waitingFor: 'reporter', reason: '请举报人补充具体位置' });
  await d.skip(DAY);
  await d.step(h, 'resumeClock', { actor: people.handlerA, note: '已补充' });
  await closeUnsubstantiated(d, h);
  return { 'joint-handled': h };
};

/**
 * From 0.9.0: policy and calendar over time — an open report adopts another policy version (here
 * the district's rollback from v7 to v6: the shipped files hold no newer one), recomputes after a
 * calendar import, then lets its verification deadline run out under the adopted version.
 */
const policyAdopted: Scenario = async (d) => {
  const h = await d.start('GD-FIXTURE-ADOPTED');
  await acceptAndAssign(d, h);
  await d.step(h, 'adoptPolicy', {
    actor: people.admin,
    policyId: 'district-default',
    policyVersion: 6,
    reason: '区里撤回第7版的暂停审批规定',
    changeId: 'fixture-adoption',
  });
  await d.step(h, 'recomputeDeadlines', {
    actor: people.admin,
    calendarVersion: 'cn-2026.1',
    reason: '重新导入2026年节假日安排',
    changeId: 'fixture-calendar',
  });
  // v6 verification: 7 working days from acceptance, the end of Wednesday 2 December.
  await d.skip(12 * DAY);
  await d.waitFor('the verification deadline escalates', async () =>
    (await d.view(h)).escalations.some((e) => e.clock === 'verification'),
  );
  await closeUnsubstantiated(d, h);
  return { 'policy-adopted': h };
};

export const SCENARIOS: readonly Scenario[] = [
  rejected,
  rewardPaid,
  majorHazardReview,
  mergedDuplicate,
  verificationEscalated,
  interimReplyClaimLapsed,
  returnReviewedPaused,
  supervisedExtended,
  jointHandled,
  policyAdopted,
];
