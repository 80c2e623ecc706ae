import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { climbLadder, plus } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, DAY, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * The clocks that make every stage supervised (district-default v7): a dispute waits for the
 * dispatcher, a verified hazard for its rectification order, a rectified one (after an interim
 * reply) for the final reply, an answered report for its callback. Each warns, misses its deadline
 * and climbs its ladder (催办 at the deadline, 函告 a working day later) at the instants it fixed.
 */
const { handlerA, admin } = people;

describe('a clock for every stage', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  const running = (v: ReportView, clock: ClockName) =>
    v.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined)!;

  /** Lets the clock run out and climb its whole ladder (催办 at the deadline, 函告 a working day later by default). */
  async function expectLadder(
    h: ReportHandle,
    v: ReportView,
    clock: ClockName,
    rule: string,
    rungs: readonly string[] = ['urge', 'circular'],
  ) {
    await climbLadder(t, h, v, clock, { policyId: 'district-default', policyVersion: 7, rule }, rungs);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  }
  const VERIFICATION_LADDER = ['urge', 'circular', 'interview', 'listed_supervision', 'exposure'];

  const verify = (h: ReportHandle, hazardsFound: number) =>
    t.step(h, 'startVerification', { actor: handlerA }).then(() =>
      t.step(h, 'submitVerification', {
        actor: handlerA,
        outcome: hazardsFound > 0 ? 'substantiated' : 'unsubstantiated',
        findings: hazardsFound > 0 ? '属实' : '不属实',
        hazardsFound,
        majorHazard: false,
      }),
    );
  const start = async () => t.start({ receivedAt: (await t.now()).toISOString() });

  it('派单异议: the dispatcher decides a dispute within a working day', async () => {
    const h = await start();
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    const v = await t.step(h, 'disputeAssignment', { actor: handlerA, reason: '属住建部门职责' });
    expect(v.stage.name).toBe('disputed');
    await expectLadder(h, v, 'dispute_decision', '1 working days');
  });

  it('核查属实: the unit orders rectification within 2 working days of verifying', async () => {
    const h = await start();
    await acceptAndAssign(t, h);
    const v = await verify(h, 1);
    expect(v.stage.name).toBe('verified');
    await expectLadder(h, v, 'rectification_order', '2 working days');
  });

  it('最终答复: after an interim reply, the final one within 2 working days of the rectification', async () => {
    const h = await start();
    await acceptAndAssign(t, h);
    const verified = await verify(h, 1);
    await t.step(h, 'orderRectification', {
      actor: handlerA,
      measures: ['order_rectification'],
      dueAt: plus(verified.timeline.at(-1)!.at, 20 * DAY),
    });
    await t.step(h, 'giveInterimReply', { actor: handlerA, summary: '已责令限期整改' });
    const v = await t.step(h, 'reportRectification', { actor: handlerA, summary: '已整改' });
    expect(v.stage.name).toBe('awaiting_feedback');
    await expectLadder(h, v, 'final_reply', '2 working days');
  });

  it('核查: from acceptance, running on through a return the dispatcher refuses, to the end of its ladder', async () => {
    const h = await start();
    const accepted = await t.step(h, 'acceptReport', {
      actor: people.dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    const clock = running(accepted, 'verification');
    expect(clock.schedule.startedAt).toBe(accepted.acceptedAt);
    await t.step(h, 'assignReport', { actor: people.dispatcher, unitId: 'unit-a', routing: 'rule' });
    await t.step(h, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' });
    const back = await t.step(h, 'refuseReturn', { actor: people.dispatcher, reason: '属本单位辖区' });
    expect(back.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(running(back, 'verification').schedule).toEqual(clock.schedule);
    await expectLadder(h, back, 'verification', '7 working days', VERIFICATION_LADDER);
  });

  it('承办单位核查: after an approved return, the new unit’s own clock warns, falls due and climbs the ladder', async () => {
    const h = await start();
    await acceptAndAssign(t, h);
    await t.step(h, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' });
    const v = await t.step(h, 'assignReport', {
      actor: people.dispatcher,
      unitId: 'unit-b',
      routing: 'manual',
    });
    expect(running(v, 'unit_verification').schedule.startedAt).toBe(v.assignments.at(-1)!.at);
    await expectLadder(h, v, 'unit_verification', '7 working days', VERIFICATION_LADDER);
  });

  it('回访: the reporter is called back within 3 working days of the answer', async () => {
    const h = await start();
    await acceptAndAssign(t, h);
    await verify(h, 0);
    const v = await t.step(h, 'giveFeedback', { actor: handlerA, summary: '经核查不属实' });
    expect(v.stage.name).toBe('feedback_given');
    await expectLadder(h, v, 'callback', '3 working days');
  });
});
