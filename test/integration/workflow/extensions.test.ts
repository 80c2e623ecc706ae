import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { climbLadder, expectFirings, firingsOf, plus, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, DAY, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * 延期申请 on the time-skipping server (district-default v7): an approved extension moves the
 * deadline and the old ladder stops; a refused one keeps it; a request nobody decides climbs its
 * own ladder.
 */
const { dispatcher, handlerA, admin } = people;
const running = (v: ReportView, clock: ClockName) =>
  v.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined)!;

describe('延期申请 decided, or not, in time', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  async function asking(): Promise<{ h: ReportHandle; v: ReportView; fixedDue: string; proposed: string }> {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    const verifying = await t.step(h, 'startVerification', { actor: handlerA });
    const fixedDue = running(verifying, 'verification').schedule.dueAt;
    const proposed = plus(fixedDue, 10 * DAY);
    const v = await t.step(h, 'requestExtension', {
      actor: handlerA,
      clock: 'verification',
      proposedDueAt: proposed,
      reason: '需燃气公司出具检测报告',
    });
    return { h, v, fixedDue, proposed };
  }

  it('approved: nothing fires at the old deadline; the new one warns and is missed at its own instants', async () => {
    const { h, fixedDue, proposed } = await asking();
    const v = await t.step(h, 'decideExtension', {
      actor: dispatcher,
      decision: 'approved',
      reason: '检测周期确需',
    });
    const extended = running(v, 'verification').schedule;
    expect(extended).toMatchObject({ occurrence: 2, dueAt: proposed });
    await skipTo(t, plus(fixedDue, 2 * DAY));
    expect(firingsOf(await settled(t, h), 'verification', 1)).toEqual([]);
    await skipTo(t, plus(proposed, HOUR));
    const after = await settled(t, h, (x) => running(x, 'verification').overdue);
    expectFirings(
      after,
      'verification',
      [
        ['deadline_warning', undefined, extended.warnAt],
        ['deadline_missed', undefined, extended.dueAt],
        ['escalated', 'urge', extended.rungs[0]!.at],
      ],
      2,
    );
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('refused: the deadline stands and is missed when it was', async () => {
    const { h, fixedDue } = await asking();
    const v = await t.step(h, 'decideExtension', {
      actor: dispatcher,
      decision: 'refused',
      reason: '时限充足',
    });
    const schedule = running(v, 'verification').schedule;
    expect(schedule).toMatchObject({ occurrence: 1, dueAt: fixedDue });
    await skipTo(t, plus(fixedDue, HOUR));
    const missed = await settled(t, h, (x) => running(x, 'verification').overdue);
    expect(firingsOf(missed, 'verification').map(([type]) => type)).toEqual(
      expect.arrayContaining(['deadline_warning', 'deadline_missed']),
    );
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('undecided: the request’s own clock warns, falls due and climbs its ladder', async () => {
    const { h, v } = await asking();
    await climbLadder(t, h, v, 'extension_decision', {
      policyId: 'district-default',
      policyVersion: 7,
      rule: '1 working days',
    });
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
