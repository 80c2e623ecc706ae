import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
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
import { createReportEnv, DAY, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

// November 2026 has no public holiday: working days are Monday to Friday. Each test starts its
// own report at a fixed Beijing morning (time only moves forward on the file's test server).
// The end of a Beijing day, 23:59:59.999 +08:00, is 15:59:59.999Z.
const MONDAY_MORNING = '2026-11-02T01:30:00.000Z';
const { dispatcher, handlerA, admin } = people;

const deadline = (v: ReportView, clock: ClockName) => v.deadlines.find((d) => d.clock === clock)!;
const rungsOf = (v: ReportView, clock: ClockName) =>
  v.clocks.find((c) => c.schedule.clock === clock)!.schedule.rungs.map((r) => [r.rung, r.at]);

describe('supervision clocks: warning (预警), missed deadline and the escalation ladder (督办)', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  // The ladder's mechanics under the 当日受理、三日核查、七日反馈 policy (district-default before v3).
  const startAt = (receivedAt: string) => t.start({ receivedAt, policyId: 'district-three-day' });
  const cancel = (h: ReportHandle) => t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  const unsubstantiated = async (h: ReportHandle) => {
    await t.step(h, 'startVerification', { actor: handlerA });
    return t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'unsubstantiated',
      findings: '现场未发现举报所述情况',
      hazardsFound: 0,
      majorHazard: false,
    });
  };

  it('当日受理 not done: warns 2 h before the end of the day, misses it, urges at once and circulates a working day later', async () => {
    const h = await startAt(MONDAY_MORNING);
    let v = await t.view(h);
    const endOfMonday = '2026-11-02T15:59:59.999Z';
    expect(deadline(v, 'acceptance')).toMatchObject({
      warnAt: '2026-11-02T13:59:59.999Z',
      dueAt: endOfMonday,
    });
    expect(rungsOf(v, 'acceptance')).toEqual([
      ['urge', endOfMonday],
      ['circular', '2026-11-03T15:59:59.999Z'],
    ]);

    await skipTo(t, '2026-11-02T13:00:00.000Z');
    expect(firingsOf(await t.view(h), 'acceptance')).toEqual([]);
    await skipTo(t, '2026-11-04T00:00:00.000Z');
    v = await settled(t, h, (x) => deadline(x, 'acceptance').rungsFired === 2);
    expectFirings(v, 'acceptance', [
      ['deadline_warning', undefined, '2026-11-02T13:59:59.999Z'],
      ['deadline_missed', undefined, endOfMonday],
      ['escalated', 'urge', endOfMonday],
      ['escalated', 'circular', '2026-11-03T15:59:59.999Z'],
    ]);
    expect([v.overdue, deadline(v, 'acceptance').overdue]).toEqual([true, true]);
    const [row] = await t.sql`select overdue from reports where report_id = ${h.workflowId}`;
    expect(row).toEqual({ overdue: true });

    const [, , urgedAt, circulatedAt] = firingsOf(v, 'acceptance').map(([, , at]) => at);
    expect(v.escalations).toEqual([
      { clock: 'acceptance', occurrence: 1, rung: 'urge', at: urgedAt }, // no unit yet
      { clock: 'acceptance', occurrence: 1, rung: 'circular', at: circulatedAt },
    ]);
    expect(await escalationRows(t, h, 'acceptance')).toEqual([
      {
        rung: 'urge',
        occurrence: 1,
        due_at: new Date(endOfMonday),
        fired_at: new Date(urgedAt!),
        unit_id: null,
      },
      {
        rung: 'circular',
        occurrence: 1,
        due_at: new Date(endOfMonday),
        fired_at: new Date(circulatedAt!),
        unit_id: null,
      },
    ]);
    const outbox = await clockOutbox(t, h, 'acceptance');
    const key = `${h.workflowId}:acceptance:1`;
    expect(outbox.map((n) => [n.dedupe_key, n.kind, n.recipient, n.payload.rung])).toEqual([
      [`${key}:warning`, 'deadline_warning', { kind: 'dispatch_centre' }, undefined],
      // The dispatch centre's own step, past its deadline, is never reported to it alone.
      [`${key}:overdue`, 'deadline_missed', { kind: 'dispatch_centre' }, undefined],
      [`${key}:overdue:1`, 'deadline_missed', { kind: 'supervisors' }, undefined],
      [`${key}:rung:urge`, 'escalated', { kind: 'dispatch_centre' }, 'urge'],
      [`${key}:rung:urge:1`, 'escalated', { kind: 'supervisors' }, 'urge'],
      [`${key}:rung:circular`, 'escalated', { kind: 'dispatch_centre' }, 'circular'],
      [`${key}:rung:circular:1`, 'escalated', { kind: 'supervisors' }, 'circular'],
    ]);

    v = await t.step(h, 'acceptReport', {
      actor: dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    expect(v.timeline.find((e) => e.type === 'clock_stopped')?.data).toEqual({
      clock: 'acceptance',
      onTime: false,
    });
    await cancel(h);
  });

  it('an emergency report is verified within 24 h and an accident report within 2 h (warned half-way)', async () => {
    await skipTo(t, '2026-11-04T01:30:00.000Z');
    const emergency = await startAt('2026-11-04T01:30:00.000Z');
    const accident = await startAt('2026-11-04T01:30:00.000Z');
    const e = deadline(await acceptAndAssign(t, emergency, { urgency: 'emergency' }), 'verification');
    const a = deadline(await acceptAndAssign(t, accident, { urgency: 'accident' }), 'verification');
    expect([e.provenance.rule, Date.parse(e.dueAt) - Date.parse(e.startedAt)]).toEqual([
      '24 hours',
      24 * HOUR,
    ]);
    expect(Date.parse(e.dueAt) - Date.parse(e.warnAt)).toBe(12 * HOUR);
    expect([a.provenance.rule, Date.parse(a.dueAt) - Date.parse(a.startedAt)]).toEqual(['2 hours', 2 * HOUR]);
    expect(Date.parse(a.warnAt) - Date.parse(a.startedAt)).toBe(HOUR);

    await skipTo(t, plus(e.dueAt, HOUR)); // both past their deadline; no 函告 is due yet
    for (const [h, d] of [
      [emergency, e],
      [accident, a],
    ] as const) {
      const v = await settled(t, h, (x) => deadline(x, 'verification').rungsFired === 1);
      expectFirings(v, 'verification', [
        ['deadline_warning', undefined, d.warnAt],
        ['deadline_missed', undefined, d.dueAt],
        ['escalated', 'urge', d.dueAt],
      ]);
      await cancel(h);
    }
  });

  it('七日反馈: feedback is due 7 days after intake, whatever stage the report is at', async () => {
    const friday = '2026-11-06T01:30:00.000Z';
    await skipTo(t, friday);
    const h = await startAt(friday);
    await acceptAndAssign(t, h);
    let v = await unsubstantiated(h);
    expect(v.stage).toEqual({ name: 'awaiting_feedback', unitId: 'unit-a' });
    expect(deadline(v, 'feedback')).toMatchObject({
      startedAt: friday,
      warnAt: '2026-11-12T01:30:00.000Z',
      dueAt: '2026-11-13T01:30:00.000Z',
      provenance: { rule: '7 calendar days', startedAt: friday },
    });

    await skipTo(t, '2026-11-17T00:00:00.000Z');
    v = await settled(t, h, (x) => deadline(x, 'feedback').rungsFired === 2);
    expectFirings(v, 'feedback', [
      ['deadline_warning', undefined, '2026-11-12T01:30:00.000Z'],
      ['deadline_missed', undefined, '2026-11-13T01:30:00.000Z'],
      ['escalated', 'urge', '2026-11-13T01:30:00.000Z'],
      ['escalated', 'circular', '2026-11-16T15:59:59.999Z'], // Monday: the weekend does not count
    ]);
    expect((await escalationRows(t, h, 'feedback')).map((r) => [r.rung, r.unit_id])).toEqual([
      ['urge', 'unit-a'],
      ['circular', 'unit-a'],
    ]);
    v = await t.step(h, 'giveFeedback', { actor: handlerA, summary: '经核查不属实' });
    expect(deadline(v, 'feedback')).toMatchObject({ status: 'done', onTime: false, rungsFired: 2 });
    await cancel(h);
  });

  it('三日核查 missed: warns 12 h before, urges at the deadline, then 函告, 约谈, 挂牌督办 after 1, 3, 5 working days', async () => {
    const tuesday = '2026-11-17T01:30:00.000Z';
    await skipTo(t, tuesday);
    const h = await startAt(tuesday);
    let v = await acceptAndAssign(t, h);
    const d = deadline(v, 'verification');
    expect(Date.parse(d.dueAt) - Date.parse(d.startedAt)).toBe(3 * DAY);
    expect(Date.parse(d.dueAt) - Date.parse(d.warnAt)).toBe(12 * HOUR);
    expect(d.provenance).toMatchObject({
      policyId: 'district-three-day',
      policyVersion: 1,
      rule: '3 calendar days',
    });
    // Due Friday 11-20; working days after it: Mon 11-23, Tue, Wed 11-25, Thu, Fri 11-27.
    const ladder = [
      ['urge', d.dueAt],
      ['circular', '2026-11-23T15:59:59.999Z'],
      ['interview', '2026-11-25T15:59:59.999Z'],
      ['listed_supervision', '2026-11-27T15:59:59.999Z'],
    ] as const;
    expect(rungsOf(v, 'verification')).toEqual(ladder);

    await skipTo(t, '2026-11-28T00:00:00.000Z');
    v = await settled(t, h, (x) => deadline(x, 'verification').rungsFired === 4);
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, d.warnAt],
      ['deadline_missed', undefined, d.dueAt],
      ...ladder.map(([rung, at]) => ['escalated', rung, at] as const),
    ]);
    const firedAt = firingsOf(v, 'verification').map(([, , at]) => new Date(at));
    expect(await escalationRows(t, h, 'verification')).toEqual(
      ladder.map(([rung], i) => ({
        rung,
        occurrence: 1,
        due_at: new Date(d.dueAt),
        fired_at: firedAt[i + 2],
        unit_id: 'unit-a',
      })),
    );
    const outbox = await clockOutbox(t, h, 'verification');
    expect(new Set(outbox.map((n) => n.dedupe_key)).size).toBe(6);
    expect(outbox.map((n) => [n.kind, n.payload.rung, n.recipient])).toEqual([
      ['deadline_warning', undefined, { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['deadline_missed', undefined, { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['escalated', 'urge', { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['escalated', 'circular', { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
      ['escalated', 'interview', { kind: 'unit', unitId: 'unit-a', level: 'leader' }],
      ['escalated', 'listed_supervision', { kind: 'unit', unitId: 'unit-a', level: 'leader' }],
    ]);
    await cancel(h);
  });

  it('the ladder stops the moment the step is done: no 约谈 after verification is submitted', async () => {
    const monday = '2026-11-30T01:30:00.000Z';
    await skipTo(t, monday);
    const h = await startAt(monday);
    await acceptAndAssign(t, h);
    // Due Thursday 12-03: 函告 Friday 12-04, 约谈 Tuesday 12-08, 挂牌督办 Thursday 12-10.
    await skipTo(t, '2026-12-05T00:00:00.000Z');
    await settled(t, h, (x) => deadline(x, 'verification').rungsFired === 2);
    let v = await unsubstantiated(h);
    const stopped = v.timeline.filter((e) => e.type === 'clock_stopped').map((e) => e.data);
    expect(stopped).toContainEqual({ clock: 'verification', onTime: false });

    await skipTo(t, '2026-12-12T00:00:00.000Z');
    v = await settled(t, h, (x) => deadline(x, 'feedback').rungsFired === 2);
    expect(firingsOf(v, 'verification').map(([type, rung]) => rung ?? type)).toEqual([
      'deadline_warning',
      'deadline_missed',
      'urge',
      'circular',
    ]);
    expect(deadline(v, 'verification')).toMatchObject({ status: 'done', onTime: false, rungsFired: 2 });
    expect((await escalationRows(t, h, 'verification')).map((r) => r.rung)).toEqual(['urge', 'circular']);
    expect(await clockOutbox(t, h, 'verification')).toHaveLength(4);
    await cancel(h);
  });
});
