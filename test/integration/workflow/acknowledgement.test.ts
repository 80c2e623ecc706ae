import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { clockOutbox, expectFirings, plus, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, HOUR, type ReportEnv } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * 签收 and who hears of a slip, on the time-skipping server (district-default v7): an assignment
 * nobody signs for climbs its ladder, each rung to the people the policy names; the dispatch
 * centre's own missed deadline reaches the 安委办 too.
 */
const { dispatcher, handlerA, admin } = people;
const running = (v: ReportView, clock: ClockName) =>
  v.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined);

describe('签收, and escalations that reach the people who act', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  it('signing for the assignment stops its clock; acting on it does too', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    const assigned = await acceptAndAssign(t, h);
    expect(running(assigned, 'acknowledgement')?.schedule.provenance).toMatchObject({
      policyVersion: 7,
      rule: '4 hours',
    });
    const v = await t.step(h, 'acknowledgeAssignment', { actor: handlerA, note: '已签收，安排核查' });
    expect(running(v, 'acknowledgement')).toBeUndefined();
    expect(v.timeline.map((e) => e.type)).toContain('acknowledged');
    const h2 = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h2);
    const started = await t.step(h2, 'startVerification', { actor: handlerA });
    expect(started.deadlines.find((d) => d.clock === 'acknowledgement')).toMatchObject({
      status: 'done',
      onTime: true,
    });
    for (const r of [h, h2]) await t.step(r, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('an assignment nobody signs for escalates: 催办 to the case officer, 函告 to the section chief and the 安委办', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    const v = await acceptAndAssign(t, h);
    const { schedule } = running(v, 'acknowledgement')!;
    await skipTo(t, plus(schedule.rungs.at(-1)!.at, HOUR));
    const after = await settled(t, h, (x) => running(x, 'acknowledgement')?.rungsFired === 2);
    expectFirings(after, 'acknowledgement', [
      ['deadline_warning', undefined, schedule.warnAt],
      ['deadline_missed', undefined, schedule.dueAt],
      ['escalated', 'urge', schedule.rungs[0]!.at],
      ['escalated', 'circular', schedule.rungs[1]!.at],
    ]);
    const sent = (await clockOutbox(t, h, 'acknowledgement')).map((n) => [
      n.kind,
      n.payload.rung ?? null,
      n.recipient,
    ]);
    expect(sent).toEqual([
      ['deadline_warning', null, { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['deadline_missed', null, { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['escalated', 'urge', { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['escalated', 'circular', { kind: 'unit', unitId: 'unit-a', level: 'section_chief' }],
      ['escalated', 'circular', { kind: 'supervisors' }],
    ]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('the dispatch centre’s missed assignment deadline reaches the 安委办, not the centre alone', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    const v = await t.step(h, 'acceptReport', {
      actor: dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    const { schedule } = running(v, 'assignment')!;
    await skipTo(t, plus(schedule.dueAt, HOUR));
    await settled(t, h, (x) => running(x, 'assignment')?.overdue === true);
    const missed = (await clockOutbox(t, h, 'assignment')).filter((n) => n.kind === 'deadline_missed');
    expect(missed.map((n) => n.recipient)).toEqual([{ kind: 'dispatch_centre' }, { kind: 'supervisors' }]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
