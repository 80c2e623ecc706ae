import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { StepInput } from '../../../domain/report/step-inputs.js';
import { FIVE_POINTS } from '../../support/machine-fixtures.js';
import { plus, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign, driveToConclusion } from '../../support/lifecycles.js';
import { createReportEnv, DAY, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people, sha256, NOT_EXCLUDED } from '../../support/reports.js';

/**
 * 《安全生产领域举报奖励办法》(安监总财〔2018〕19号) under the default policy (district-default v4):
 * a reward only for what the rule rewards (第六条: a 重大事故隐患 or 安全生产非法违法行为, found true;
 * 第九条（二）: a concealed or falsely reported accident), its amount from the record — the fine of
 * the penalty decision, the accident grade and concealed deaths verification established.
 */
const { handlerA, reviewer, intake, proposer, approver, finance } = people;
const DECISION = { number: '浦应急罚〔2026〕27号', decidedOn: '2026-11-23' };

describe('reward law', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: { cause?: { type?: string; message?: string } }) => `${err.cause?.type}: ${err.cause?.message}`,
    );

  /** Verified, rectified (and reviewed for a major hazard), answered, rated: where the reward is decided. */
  async function handle(
    finding: {
      majorHazard?: boolean;
      illegalActivity?: boolean;
      concealedAccident?: { grade: 'larger'; concealedDeaths: number };
    },
    fineFen?: number,
  ): Promise<{ h: ReportHandle; v: ReportView }> {
    const h = await t.start();
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    const verified = await t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'substantiated',
      findings: '属实',
      hazardsFound: 1,
      majorHazard: finding.majorHazard ?? false,
      ...(finding.illegalActivity ? { illegalActivity: true } : {}),
      ...(finding.concealedAccident ? { concealedAccident: finding.concealedAccident } : {}),
    });
    await t.step(h, 'orderRectification', {
      actor: handlerA,
      measures: fineFen ? ['order_rectification', 'administrative_penalty'] : ['order_rectification'],
      ...(fineFen ? { fineFen, penaltyDecision: DECISION } : {}),
      ...(finding.majorHazard ? { fivePoints: FIVE_POINTS } : {}),
      dueAt: new Date(Date.parse(verified.timeline.at(-1)!.at) + 10 * DAY).toISOString(),
    });
    await t.step(h, 'reportRectification', { actor: handlerA, summary: '已整改' });
    if (finding.majorHazard)
      await t.step(h, 'reviewRectification', { actor: reviewer, approved: true, comment: '同意销号' });
    await t.step(h, 'giveFeedback', { actor: handlerA, summary: '已办结' });
    const v = await t.step(h, 'recordSatisfaction', { actor: intake, rating: 'satisfied', resolved: true });
    return { h, v };
  }
  const pay = async (h: ReportHandle, basis: StepInput<'proposeReward'>['basis']) => {
    await t.step(h, 'proposeReward', {
      actor: proposer,
      basis,
      declaration: NOT_EXCLUDED,
    });
    await t.step(h, 'decideReward', { actor: approver, decision: 'approved' });
    return t.step(h, 'payReward', { actor: finance });
  };
  const ledger = async (h: ReportHandle) =>
    (
      await t.sql<
        { amount_fen: string }[]
      >`select amount_fen from reward_ledger where report_id = ${h.workflowId}`
    ).map((r) => Number(r.amount_fen));

  it('an ordinary hazard, substantiated and rectified, closes without a reward', async () => {
    const { h, v } = await handle({});
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_ineligible' });
    expect(await ledger(h)).toEqual([]);
  });

  it('a major hazard is paid 15 % of the fine its penalty decision set', async () => {
    const { h, v } = await handle({ majorHazard: true }, 20_000_000); // ¥200,000
    expect(v.stage.name).toBe('reward_pending');
    const paid = await pay(h, { kind: 'fine', fineFen: 20_000_000 });
    expect(paid.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    expect(await ledger(h)).toEqual([3_000_000]); // ¥30,000
  });

  it('a concealed accident is paid per concealed death by its grade (较大: ¥40,000 each)', async () => {
    const { h, v } = await handle({ concealedAccident: { grade: 'larger', concealedDeaths: 3 } });
    expect(v.stage.name).toBe('reward_pending');
    await pay(h, { kind: 'concealed-accident', grade: 'larger', concealedDeaths: 3 });
    expect(await ledger(h)).toEqual([12_000_000]);
  });

  it('refuses a proposal whose basis contradicts the record', async () => {
    const { h } = await handle({ illegalActivity: true }, 5_000_000);
    expect(
      await refusal(
        t.step(h, 'proposeReward', {
          actor: proposer,
          basis: { kind: 'fine', fineFen: 9_000_000 },
          declaration: NOT_EXCLUDED,
        }),
      ),
    ).toMatch(/^not_eligible: the fine on the record is ¥50,000\.00 \(浦应急罚〔2026〕27号\)/);
    expect(
      await refusal(
        t.step(h, 'proposeReward', {
          actor: proposer,
          basis: { kind: 'concealed-accident', grade: 'larger', concealedDeaths: 1 },
          declaration: NOT_EXCLUDED,
        }),
      ),
    ).toMatch(/^not_eligible: no concealed accident is on the record/);
    const v = await t.step(h, 'proposeReward', {
      actor: proposer,
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(v.reward.proposal?.amountFen).toBe(750_000);
  });

  it('needs the penalty decision with a fine', async () => {
    const h = await t.start();
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    const verified = await t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'substantiated',
      findings: '无证经营',
      hazardsFound: 1,
      majorHazard: false,
      illegalActivity: true,
    });
    const order = {
      actor: handlerA,
      measures: ['administrative_penalty'] as ['administrative_penalty'],
      fineFen: 1_000_000,
      dueAt: new Date(Date.parse(verified.timeline.at(-1)!.at) + 5 * DAY).toISOString(),
    };
    expect(await refusal(t.step(h, 'orderRectification', order))).toMatch(
      /^invalid_input: a fine needs its penalty decision/,
    );
    const v = await t.step(h, 'orderRectification', { ...order, penaltyDecision: DECISION });
    expect(v.rectification?.penaltyDecision).toEqual(DECISION);
    await t.step(h, 'cancelReport', { actor: people.admin, reason: '测试结束' });
  });
});

describe('the claim window of an anonymous reporter', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());
  const CODE_HASH = sha256('claim-code-7');
  const pending = async () => {
    const h = await t.start({
      reporter: {
        kind: 'anonymous',
        claimCodeHash: CODE_HASH,
      },
    });
    const v = await driveToConclusion(t, h);
    expect(v.stage.name).toBe('reward_pending');
    return { h, v };
  };
  const running = (v: ReportView, clock: string) =>
    v.clocks.filter((c) => c.schedule.clock === clock && c.stoppedAt === undefined);

  it('runs before the proposal: a claim within it starts the proposal’s clock', async () => {
    const { h, v } = await pending();
    expect(running(v, 'reward_claim')).toHaveLength(1);
    expect(running(v, 'reward_proposal')).toHaveLength(0);
    const claimed = await t.step(h, 'claimReward', {
      actor: people.intake,
      claimCodeHash: CODE_HASH,
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(claimed.deadlines.find((d) => d.clock === 'reward_claim')).toMatchObject({
      endedHow: 'done',
      onTime: true,
    });
    expect(running(claimed, 'reward_proposal')).toHaveLength(1);
    await t.step(h, 'cancelReport', { actor: people.admin, reason: '测试结束' });
  });

  it('closes an unclaimed reward as reward_unclaimed when the window (90 days) runs out', async () => {
    const { h, v } = await pending();
    const window = running(v, 'reward_claim')[0]!.schedule;
    expect(window.provenance.rule).toBe('90 calendar days');
    await skipTo(t, plus(window.dueAt, HOUR));
    const closed = await settled(t, h, (x) => x.stage.name === 'closed');
    expect(closed.stage).toEqual({ name: 'closed', outcome: 'reward_unclaimed' });
    expect(closed.timeline.map((e) => e.type)).toContain('reward_unclaimed');
    expect(await h.result()).toEqual({ stage: { name: 'closed', outcome: 'reward_unclaimed' } });
  });
});
