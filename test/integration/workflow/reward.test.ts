import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportEnv, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { driveToConclusion, type Handling } from '../../support/lifecycles.js';
import { refusalOf as refusal } from '../../support/workflow-steps.js';
import { people, NOT_EXCLUDED } from '../../support/reports.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';

let t: ReportEnv;
beforeAll(async () => {
  t = await createReportEnv({ startTime: MONDAY_MORNING });
});
afterAll(() => t?.close());

const ledgerOf = (h: ReportHandle) =>
  t.sql<{ amount_fen: string; payment_reference: string; proposed_by: string; approved_by: string }[]>`
    select amount_fen, payment_reference, proposed_by, approved_by from reward_ledger where report_id = ${h.workflowId}`;

async function rewardPending(
  fineFen: number | undefined = 5_000_000,
  handling: Handling = {},
): Promise<ReportHandle> {
  const h = await t.start();
  const v = await driveToConclusion(t, h, { ...(fineFen ? { fineFen } : {}), ...handling });
  expect(v.stage).toEqual({ name: 'reward_pending' });
  return h;
}

describe('奖励: the amount follows the national rule, fixed by the proposal and paid as approved', () => {
  it.each([
    { rule: '15 % of the fine', fineFen: 5_000_000, amountFen: 750_000 },
    { rule: 'at least ¥3,000 when 15 % is less', fineFen: 1_000_000, amountFen: 300_000 },
    { rule: 'at most ¥300,000 when 15 % is more', fineFen: 300_000_000, amountFen: 30_000_000 },
  ])('pays $rule: propose → approve → pay, one ledger row', async ({ fineFen, amountFen }) => {
    const h = await rewardPending(fineFen);
    let v = await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen },
      declaration: NOT_EXCLUDED,
    });
    expect(v.stage).toEqual({ name: 'reward_proposed', proposedBy: people.proposer.id });
    expect(v.reward.proposal).toMatchObject({ amountFen, basis: { kind: 'fine', fineFen } });
    expect(v.reward.proposal?.ruleId).toBe('national-2018');
    await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
    v = await t.step(h, 'payReward', { actor: people.finance });

    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    expect(v.reward.payment).toMatchObject({ amountFen, by: people.finance.id });
    expect(await ledgerOf(h)).toEqual([
      {
        amount_fen: String(amountFen),
        payment_reference: v.reward.payment!.paymentReference,
        proposed_by: people.proposer.id,
        approved_by: people.approver.id,
      },
    ]);
    const paid = (await t.outbox(h.workflowId)).filter((n) => n.kind === 'reward_paid');
    expect(paid.map((n) => n.payload)).toEqual([{ amountFen }]);
  });

  it('rewards a concealed accident per concealed death by accident grade (较大事故: ¥40,000 each)', async () => {
    const h = await rewardPending(undefined, { concealedAccident: { grade: 'larger', concealedDeaths: 2 } });
    const v = await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'concealed-accident', grade: 'larger', concealedDeaths: 2 },
      declaration: NOT_EXCLUDED,
    });
    expect(v.reward.proposal?.amountFen).toBe(8_000_000);
    expect(v.timeline.find((e) => e.type === 'reward_proposed')?.data).toMatchObject({
      amountFen: 8_000_000,
      explanation: expect.stringContaining('较大事故瞒报谎报死亡 2 人') as unknown,
    });
  });

  it('lets the proposer override the computed amount only with a stated reason, keeping both', async () => {
    const h = await rewardPending(5_000_000);
    const basis = { kind: 'fine', fineFen: 5_000_000 } as const;
    const withoutReason = t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis,
      declaration: NOT_EXCLUDED,
      override: { amountFen: 1_000_000, reason: '' },
    });
    expect(await refusal(withoutReason)).toBe('invalid_input');

    const reason = '举报人冒险取证，线索关键，提高奖励';
    let v = await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis,
      declaration: NOT_EXCLUDED,
      override: { amountFen: 1_000_000, reason },
    });
    expect(v.reward.proposal).toMatchObject({
      amountFen: 1_000_000,
      override: { computedAmountFen: 750_000, amountFen: 1_000_000, reason },
      overrideReason: reason,
    });
    await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
    v = await t.step(h, 'payReward', { actor: people.finance });
    expect(v.reward.payment?.amountFen).toBe(1_000_000);
    expect((await ledgerOf(h)).map((r) => r.amount_fen)).toEqual(['1000000']);
  });
});

describe('奖励审批: the department head approves, adjusts or rejects', () => {
  it('pays the adjusted amount when the approver adjusts it with a reason', async () => {
    const h = await rewardPending(5_000_000);
    await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    const unexplained = t.step(h, 'decideReward', {
      actor: people.approver,
      decision: 'adjusted',
      amountFen: 500_000,
    });
    expect(await refusal(unexplained)).toBe('invalid_input');

    let v = await t.step(h, 'decideReward', {
      actor: people.approver,
      decision: 'adjusted',
      amountFen: 500_000,
      reason: '部分线索已由监管部门先行掌握',
    });
    expect(v.stage).toEqual({ name: 'reward_approved', approvedBy: people.approver.id, amountFen: 500_000 });
    expect(v.reward.decision).toMatchObject({ decision: 'adjusted', amountFen: 500_000 });
    expect(v.timeline.find((e) => e.type === 'reward_adjusted')?.data).toMatchObject({ amountFen: 500_000 });
    v = await t.step(h, 'payReward', { actor: people.finance });
    expect(v.reward.payment?.amountFen).toBe(500_000);
    expect((await ledgerOf(h)).map((r) => r.amount_fen)).toEqual(['500000']);
  });

  it('closes as reward_rejected when the approver rejects with a reason, paying nothing', async () => {
    const h = await rewardPending();
    await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(await refusal(t.step(h, 'decideReward', { actor: people.approver, decision: 'rejected' }))).toBe(
      'invalid_input',
    );
    const v = await t.step(h, 'decideReward', {
      actor: people.approver,
      decision: 'rejected',
      reason: '举报人系该企业安全管理人员，不予奖励',
    });
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_rejected' });
    expect(await h.result()).toEqual({ stage: { name: 'closed', outcome: 'reward_rejected' } });
    expect(await ledgerOf(h)).toEqual([]);
    expect((await t.outbox(h.workflowId)).map((n) => n.kind)).not.toContain('reward_paid');
  });

  it('keeps three people apart: the proposer cannot approve, the payer cannot have proposed or approved', async () => {
    const h = await rewardPending();
    await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    const selfApproval = t.step(h, 'decideReward', {
      actor: { id: people.proposer.id, role: 'reward_approver' },
      decision: 'approved',
    });
    expect(await refusal(selfApproval)).toBe('same_person');
    await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });

    for (const id of [people.proposer.id, people.approver.id]) {
      expect(await refusal(t.step(h, 'payReward', { actor: { id, role: 'finance' } }))).toBe('same_person');
    }
    expect((await t.view(h)).stage.name).toBe('reward_approved');
    expect(await ledgerOf(h)).toEqual([]);
    const v = await t.step(h, 'payReward', { actor: people.finance });
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
  });
});
