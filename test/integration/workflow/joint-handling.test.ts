import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import {
  clockOutbox,
  escalationRows,
  expectFirings,
  firingsOf,
  plus,
  settled,
  skipTo,
} from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, HOUR, type ReportEnv } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * 主办/协办 and pauses through approval, on the time-skipping server (district-default v7): a
 * supporting unit late to the lead climbs its own ladder, heard by itself and by the lead; one that
 * answers in time stops only its own clock. A unit's pause holds nothing until it is approved.
 */
const { dispatcher, handlerA, handlerB, admin } = people;
const supportClock = (v: ReportView, unitId: string) =>
  v.clocks.find((c) => c.schedule.clock === 'support_reply' && c.unitId === unitId)!;

describe('主办/协办 on the time-skipping server', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  it('a supporting unit late to the lead escalates, to itself and to the lead; one that replies in time does not', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    const asked = await t.step(h, 'requestSupport', {
      actor: handlerA,
      unitIds: ['unit-b', 'unit-c'],
      request: '请协助核查该企业燃气管道的检测情况',
    });
    const late = supportClock(asked, 'unit-c');
    expect(late.schedule.provenance).toMatchObject({ policyVersion: 7, rule: '3 working days' });
    expect(late.schedule.rungs.map((r) => r.rung)).toEqual(['urge', 'circular']);

    await t.skip(2 * HOUR);
    const replied = await t.step(h, 'replyToLead', { actor: handlerB, summary: '管道检测报告已送主办单位' });
    expect(replied.deadlines.find((d) => d.clock === 'support_reply' && d.status === 'done')).toMatchObject({
      onTime: true,
    });

    await skipTo(t, plus(late.schedule.rungs.at(-1)!.at, HOUR));
    const after = await settled(t, h, (x) => supportClock(x, 'unit-c').rungsFired === 2);
    const occurrence = late.schedule.occurrence;
    expectFirings(
      after,
      'support_reply',
      [
        ['deadline_warning', undefined, late.schedule.warnAt],
        ['deadline_missed', undefined, late.schedule.dueAt],
        ['escalated', 'urge', late.schedule.rungs[0]!.at],
        ['escalated', 'circular', late.schedule.rungs[1]!.at],
      ],
      occurrence,
    );
    // Unit B answered in time: its clock fired nothing.
    expect(firingsOf(after, 'support_reply', supportClock(after, 'unit-b').schedule.occurrence)).toEqual([]);

    const sent = (await clockOutbox(t, h, 'support_reply')).map((n) => [
      n.kind,
      n.payload.rung ?? null,
      n.recipient,
    ]);
    const lead = { kind: 'unit', unitId: 'unit-a', level: 'case_officer' };
    const unitC = (level: string) => ({ kind: 'unit', unitId: 'unit-c', level });
    expect(sent).toEqual([
      ['deadline_warning', null, unitC('case_officer')],
      ['deadline_missed', null, unitC('case_officer')],
      ['deadline_missed', null, lead],
      ['escalated', 'urge', unitC('case_officer')],
      ['escalated', 'urge', lead],
      ['escalated', 'circular', unitC('section_chief')],
      ['escalated', 'circular', { kind: 'supervisors' }],
      ['escalated', 'circular', lead],
    ]);
    // The escalations count against the supporting unit, not the lead.
    const rows = await escalationRows(t, h, 'support_reply');
    expect(rows.map((r) => [r.rung, r.unit_id])).toEqual([
      ['urge', 'unit-c'],
      ['circular', 'unit-c'],
    ]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('a unit’s pause holds the clock only once approved; a refused one leaves the deadline to fall', async () => {
    const pause = { actor: handlerA, waitingFor: 'third_party' as const, reason: '待第三方检测报告' };
    const approvedReport = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, approvedReport);
    const asked = await t.step(approvedReport, 'pauseClock', pause);
    expect(asked.deadlines.find((d) => d.clock === 'verification')?.status).toBe('running');
    expect(asked.deadlines.find((d) => d.clock === 'extension_decision')?.status).toBe('running');
    await t.skip(HOUR);
    const approved = await t.step(approvedReport, 'decidePause', {
      actor: dispatcher,
      decision: 'approved',
      reason: '检测周期确需',
    });
    expect(approved.deadlines.find((d) => d.clock === 'verification')?.status).toBe('paused');
    expect(approved.timeline.map((e) => e.type).slice(-3)).toEqual([
      'clock_stopped',
      'pause_decided',
      'clock_paused',
    ]);

    const refusedReport = await t.start({ receivedAt: (await t.now()).toISOString() });
    const assigned = await acceptAndAssign(t, refusedReport);
    const { schedule } = assigned.clocks.find((c) => c.schedule.clock === 'verification')!;
    await t.step(refusedReport, 'pauseClock', pause);
    await t.step(refusedReport, 'decidePause', {
      actor: dispatcher,
      decision: 'refused',
      reason: '时限充足',
    });
    await skipTo(t, plus(schedule.dueAt, HOUR));
    const missed = await settled(t, refusedReport, (x) =>
      x.clocks.some((c) => c.schedule.clock === 'verification' && c.overdue),
    );
    expect(firingsOf(missed, 'verification').map(([type]) => type)).toContain('deadline_missed');
    // The approved one, paused all along, fired nothing past its warning meanwhile.
    const held = await settled(t, approvedReport);
    expect(firingsOf(held, 'verification').map(([type]) => type)).not.toContain('deadline_missed');
    for (const r of [approvedReport, refusedReport])
      await t.step(r, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
