import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { climbLadder, plus, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * 督办 by people on the time-skipping server (district-default v7): a 督办单 nobody answers and an
 * interview nobody holds each climb their own ladder; the verification ladder's 约谈 rung calls an
 * interview to hold, and its last rung is 曝光.
 */
const { dispatcher, supervisor, admin } = people;
const running = (v: ReportView, clock: ClockName) =>
  v.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined);

describe('督办 by people, unanswered', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  const assigned = async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    return h;
  };

  async function expectLadder(h: ReportHandle, v: ReportView, clock: ClockName, rule: string) {
    await climbLadder(t, h, v, clock, { policyVersion: 7, rule });
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  }

  it('a 督办单 the unit does not answer within 2 working days escalates', async () => {
    const h = await assigned();
    const v = await t.step(h, 'superviseReport', {
      actor: dispatcher,
      action: 'supervision_notice',
      reason: '请书面说明核查进度',
    });
    await expectLadder(h, v, 'supervision_reply', '2 working days');
  });

  it('an interview not held within 5 working days escalates', async () => {
    const h = await assigned();
    const v = await t.step(h, 'superviseReport', {
      actor: supervisor,
      action: 'interview',
      reason: '多次催办未果',
    });
    await expectLadder(h, v, 'interview', '5 working days');
  });

  it('a listing by hand not reviewed within 30 days escalates', async () => {
    const h = await assigned();
    const v = await t.step(h, 'superviseReport', {
      actor: supervisor,
      action: 'listed_supervision',
      reason: '群众反复举报',
    });
    await expectLadder(h, v, 'listing_review', '30 calendar days');
  });

  it('the ladder’s 约谈 rung calls an interview to hold; its last rung is 曝光', async () => {
    const h = await assigned();
    const v = await t.view(h);
    const { schedule } = running(v, 'verification')!;
    expect(schedule.rungs.map((r) => r.rung)).toEqual([
      'urge',
      'circular',
      'interview',
      'listed_supervision',
      'exposure',
    ]);
    const interviewRung = schedule.rungs.find((r) => r.rung === 'interview')!;
    await skipTo(t, plus(interviewRung.at, HOUR));
    const called = await settled(t, h, (x) => running(x, 'interview') !== undefined);
    expect(called.interviews).toMatchObject([{ calledBy: { clock: 'verification' }, unitId: 'unit-a' }]);
    expect(called.timeline.map((e) => e.type)).toContain('interview_called');
    await skipTo(t, plus(schedule.rungs.at(-1)!.at, HOUR));
    const exposed = await settled(t, h, (x) => running(x, 'verification')?.rungsFired === 5);
    expect(exposed.escalations.map((e) => e.rung)).toContain('exposure');
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
