import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import {
  escalationRows,
  expectFirings,
  firingsOf,
  plus,
  settled,
  skipTo,
} from '../../support/clock-events.js';
import { acceptAndAssign, driveToConclusion } from '../../support/lifecycles.js';
import { createReportEnv, DAY, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people, NOT_EXCLUDED } from '../../support/reports.js';

/**
 * The clocks the other files do not walk through — 交办, 整改, 审核销号 and the three reward steps —
 * are supervised the same way: a warning before the deadline, the miss at the deadline, 催办 at
 * once after it, each recorded on the timeline and in the escalations table.
 */
describe('supervision of the assignment, rectification, review and reward clocks', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  /** 受理, 交办 to unit A, 核查 finding one hazard: the report ends `verified`. */
  async function verifyWithHazard(
    h: ReportHandle,
    findings: string,
    majorHazard: boolean,
  ): Promise<ReportView> {
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: people.handlerA });
    return t.step(h, 'submitVerification', {
      actor: people.handlerA,
      outcome: 'substantiated',
      findings,
      hazardsFound: 1,
      majorHazard,
    });
  }

  /** Skips past the running `clock`'s deadline and checks warning, miss and 催办 at their instants. */
  async function expectSupervised(h: ReportHandle, clock: ClockName): Promise<ReportView> {
    const before = await t.view(h);
    const deadline = before.deadlines.find((d) => d.clock === clock && d.status === 'running');
    expect(deadline, `${clock} clock running`).toBeDefined();
    await skipTo(t, plus(deadline!.dueAt, 60_000));
    const v = await settled(t, h, (x) => firingsOf(x, clock, deadline!.occurrence).length >= 3);
    expectFirings(
      v,
      clock,
      [
        ['deadline_warning', undefined, deadline!.warnAt],
        ['deadline_missed', undefined, deadline!.dueAt],
        ['escalated', 'urge', deadline!.dueAt],
      ],
      deadline!.occurrence,
    );
    const rows = await escalationRows(t, h, clock);
    expect(rows.map((r) => [r.rung, r.due_at.toISOString()])).toEqual([['urge', deadline!.dueAt]]);
    return v;
  }

  it('escalates an accepted report the dispatcher has not assigned within one working day (交办)', async () => {
    const h = await t.start();
    await t.step(h, 'acceptReport', {
      actor: people.dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'gas',
    });
    const v = await expectSupervised(h, 'assignment');
    expect(v.deadlines.find((d) => d.clock === 'assignment')?.provenance.rule).toBe('1 working days');
    await t.step(h, 'cancelReport', { actor: people.admin, reason: 'end of specification' });
  });

  it('escalates a rectification not reported by the deadline the handler set (整改)', async () => {
    const h = await t.start();
    const verified = await verifyWithHazard(h, '消防通道堵塞属实', false);
    const dueAt = plus(verified.timeline.at(-1)!.at, 2 * DAY);
    await t.step(h, 'orderRectification', {
      actor: people.handlerA,
      measures: ['order_rectification'],
      dueAt,
    });
    const v = await expectSupervised(h, 'rectification');
    expect(v.deadlines.find((d) => d.clock === 'rectification')?.fixedDueAt).toBe(
      new Date(dueAt).toISOString(),
    );
    await t.step(h, 'cancelReport', { actor: people.admin, reason: 'end of specification' });
  });

  it('escalates a major-hazard review the competent department leaves undone (审核销号)', async () => {
    const h = await t.start();
    const verified = await verifyWithHazard(h, '液化气瓶违规存放', true);
    const text = '已落实';
    await t.step(h, 'orderRectification', {
      actor: people.handlerA,
      measures: ['order_rectification', 'suspension'],
      dueAt: plus(verified.timeline.at(-1)!.at, 5 * DAY),
      fivePoints: {
        responsibility: text,
        measures: text,
        funding: text,
        timeLimit: text,
        contingencyPlan: text,
      },
    });
    await t.step(h, 'reportRectification', { actor: people.handlerA, summary: '气瓶已清运' });
    await expectSupervised(h, 'review');
    await t.step(h, 'cancelReport', { actor: people.admin, reason: 'end of specification' });
  });

  it('escalates each reward step left undone: proposal, approval, payment (奖励)', async () => {
    const h = await t.start();
    await driveToConclusion(t, h, { fineFen: 2_000_000 });
    await expectSupervised(h, 'reward_proposal');
    await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen: 2_000_000 },
      declaration: NOT_EXCLUDED,
    });
    await expectSupervised(h, 'reward_approval');
    await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
    await expectSupervised(h, 'reward_payment');
    const paid = await t.step(h, 'payReward', { actor: people.finance });
    expect(paid.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    const late = paid.deadlines.filter((d) => d.clock.startsWith('reward_')).map((d) => [d.clock, d.onTime]);
    expect(late).toEqual([
      ['reward_proposal', false],
      ['reward_approval', false],
      ['reward_payment', false],
    ]);
  });
});
