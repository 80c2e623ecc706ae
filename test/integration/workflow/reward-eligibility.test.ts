import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import { createReportEnv, type ReportEnv } from '../../support/report-env.js';
import { acceptAndAssign, driveToConclusion, handleToConclusion } from '../../support/lifecycles.js';
import { people, sha256, NOT_EXCLUDED } from '../../support/reports.js';
import { refusalOf } from '../../support/workflow-steps.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';
const MINUTE = 60_000;

let t: ReportEnv;
beforeAll(async () => {
  t = await createReportEnv({ startTime: MONDAY_MORNING });
});
afterAll(() => t?.close());

const fineBasis = { kind: 'fine', fineFen: 5_000_000 } as const;
const eventOf = (v: ReportView, type: string) => v.timeline.find((e) => e.type === type);

describe('奖励资格: only substantiated reports reach the reward', () => {
  it('closes a substantiated report with its reward pending the proposal, naming the recipient', async () => {
    const h = await t.start();
    const v = await driveToConclusion(t, h, { fineFen: 5_000_000 });
    expect(v.stage).toEqual({ name: 'reward_pending' });
    expect(eventOf(v, 'reward_pending')?.data).toEqual({ recipientReportId: h.workflowId });
    expect(v.deadlines.find((d) => d.clock === 'reward_proposal')?.status).toBe('running');
  });

  it('closes a partly substantiated report as reward_ineligible under the default policy', async () => {
    const h = await t.start();
    const v = await driveToConclusion(t, h, { outcome: 'partly', fineFen: 1_000_000 });
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_ineligible' });
    expect(eventOf(v, 'reward_pending')).toBeUndefined();
    expect(await h.result()).toEqual({ stage: { name: 'closed', outcome: 'reward_ineligible' } });
  });

  it('closes an unsubstantiated report as unsubstantiated, with no reward step', async () => {
    const h = await t.start();
    const v = await driveToConclusion(t, h, { outcome: 'unsubstantiated' });
    expect(v.stage).toEqual({ name: 'closed', outcome: 'unsubstantiated' });
    expect(eventOf(v, 'reward_pending')).toBeUndefined();
    const [row] = await t.sql`select stage from reports where report_id = ${h.workflowId}`;
    expect(row).toEqual({ stage: 'closed' });
  });
});

describe('匿名举报: an anonymous reporter claims the reward with the claim code given at intake', () => {
  it('refuses a proposal until claimed, refuses a wrong code, then accepts the right one', async () => {
    const code = 'BH-CLAIM-7Q4K-93XM';
    const h = await t.start({
      reporter: {
        kind: 'anonymous',
        claimCodeHash: sha256(code),
      },
    });
    let v = await driveToConclusion(t, h, { fineFen: 5_000_000 });
    expect(v.stage).toEqual({ name: 'reward_pending' });

    const early = t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: fineBasis,
      declaration: NOT_EXCLUDED,
    });
    expect(await refusalOf(early)).toBe('not_eligible');
    const wrong = t.step(h, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256('BH-CLAIM-GUESS'),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(await refusalOf(wrong)).toBe('not_eligible');
    expect((await t.view(h)).reward.claimedAt).toBeUndefined();

    v = await t.step(h, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256(code),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(v.reward.claimedAt).toBe(eventOf(v, 'reward_claimed')?.at);
    const again = t.step(h, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256(code),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(await refusalOf(again)).toBe('wrong_stage');

    v = await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: fineBasis,
      declaration: NOT_EXCLUDED,
    });
    expect(v.stage).toEqual({ name: 'reward_proposed', proposedBy: people.proposer.id });
  });
});

describe('重复件: where several reported the same hazard, the first real-name reporter is rewarded', () => {
  it('rewards the first accepted real-name reporter among the survivor and its merged duplicates', async () => {
    const named = (vaultRef: string) => ({ reporter: { kind: 'named', vaultRef } as const });
    const anonymousFirst = await t.start({
      reporter: {
        kind: 'anonymous',
        claimCodeHash: sha256('x'),
      },
    });
    const earliestNamed = await t.start(named('vault:reporter:earliest'));
    const survivor = await t.start(named('vault:reporter:survivor'));
    const laterNamed = await t.start(named('vault:reporter:later'));

    // Accepted in this order, a minute apart: anonymous, earliest named, survivor, later named.
    for (const h of [anonymousFirst, earliestNamed, survivor, laterNamed]) {
      await t.step(h, 'acceptReport', {
        actor: people.dispatcher,
        urgency: 'general',
        category: 'fire',
        domain: 'e_bikes',
      });
      await t.skip(MINUTE);
    }
    for (const h of [anonymousFirst, earliestNamed, laterNamed]) {
      const v = await t.step(h, 'mergeReport', {
        actor: people.dispatcher,
        intoReportId: survivor.workflowId,
      });
      expect(v.stage).toEqual({ name: 'merged', intoReportId: survivor.workflowId });
    }
    await expect.poll(async () => (await t.view(survivor)).duplicates.length, { timeout: 20_000 }).toBe(3);

    await t.step(survivor, 'assignReport', { actor: people.dispatcher, unitId: 'unit-a', routing: 'rule' });
    let v = await handleToConclusion(t, survivor, { fineFen: 5_000_000 });
    expect(eventOf(v, 'reward_pending')?.data).toEqual({ recipientReportId: earliestNamed.workflowId });

    // A real-name recipient needs no claim code.
    const claim = t.step(survivor, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256('x'),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(await refusalOf(claim)).toBe('not_eligible');
    v = await t.step(survivor, 'proposeReward', {
      actor: people.proposer,
      basis: fineBasis,
      declaration: NOT_EXCLUDED,
    });
    expect(v.stage.name).toBe('reward_proposed');

    // Paid to, and told of it, the reporter rewarded — the merged duplicate's, not the survivor's.
    await t.step(survivor, 'decideReward', { actor: people.approver, decision: 'approved' });
    v = await t.step(survivor, 'payReward', { actor: people.finance, voucher: '财付〔2026〕0042' });
    expect(eventOf(v, 'reward_paid')?.data).toMatchObject({ recipientReportId: earliestNamed.workflowId });
    const notice = (await t.outbox(survivor.workflowId)).filter((n) => n.kind === 'reward_paid');
    expect(notice.map((n) => n.recipient)).toEqual([
      { kind: 'reporter', via: 'channel', reportId: earliestNamed.workflowId },
    ]);
    const [row] = await t.sql<{ payee_ref: string; voucher: string }[]>`
      select payee_ref, voucher from reward_ledger where report_id = ${survivor.workflowId}`;
    expect(row).toEqual({ payee_ref: 'vault:vault:reporter:earliest', voucher: '财付〔2026〕0042' });
  });

  it('rewards the survivor’s anonymous reporter, by claim code, when no duplicate was named', async () => {
    const code = 'BH-CLAIM-ANON-SURVIVOR';
    const survivor = await t.start({
      reporter: {
        kind: 'anonymous',
        claimCodeHash: sha256(code),
      },
    });
    const duplicate = await t.start({
      reporter: {
        kind: 'anonymous',
        claimCodeHash: sha256('other'),
      },
    });
    await acceptAndAssign(t, survivor);
    await t.step(duplicate, 'mergeReport', { actor: people.dispatcher, intoReportId: survivor.workflowId });
    await expect.poll(async () => (await t.view(survivor)).duplicates.length, { timeout: 20_000 }).toBe(1);

    const v = await handleToConclusion(t, survivor, { fineFen: 5_000_000 });
    expect(eventOf(v, 'reward_pending')?.data).toEqual({ recipientReportId: survivor.workflowId });
    const duplicateCode = t.step(survivor, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256('other'),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
    expect(await refusalOf(duplicateCode)).toBe('not_eligible');
    await t.step(survivor, 'claimReward', {
      actor: people.intake,
      claimCodeHash: sha256(code),
      payoutRef: 'payout:00000000000000000000000000000001',
    });
  });
});
