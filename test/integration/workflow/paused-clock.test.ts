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
import { workCalendar } from '../../../domain/work-calendar.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week, no holiday in sight.
const MONDAY_MORNING = '2026-11-23T01:30:00.000Z';
const { handlerA, admin } = people;
const ms = (instant: string) => Date.parse(instant);

const deadline = (v: ReportView, clock: ClockName) => v.deadlines.find((d) => d.clock === clock)!;
const eventOf = (v: ReportView, type: string, nth = 0) => v.timeline.filter((e) => e.type === type)[nth]!;

describe('补充材料: a paused step clock', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  /** A report received now, assigned to unit A and being verified. */
  async function verifying(): Promise<ReportHandle> {
    const h = await t.start({ receivedAt: (await t.now()).toISOString(), policyId: 'district-three-day' });
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    return h;
  }
  const pause = (h: ReportHandle) =>
    t.step(h, 'pauseClock', { actor: handlerA, waitingFor: 'reporter', reason: '请举报人补充现场照片' });

  it('moves the verification deadline, its warning and every rung by exactly the paused time, and fires nothing meanwhile', async () => {
    const h = await verifying();
    await t.skip(6 * HOUR);
    let v = await pause(h);
    const fixed = deadline(v, 'verification');
    const [urge, circular] = v.clocks.find((c) => c.schedule.clock === 'verification')!.schedule.rungs;
    expect(fixed.status).toBe('paused');
    expect(eventOf(v, 'clock_paused').data).toEqual({
      clock: 'verification',
      waitingFor: 'reporter',
      reason: '请举报人补充现场照片',
    });

    // Five days paused: the fixed warning, deadline, 催办 and 函告 all pass meanwhile.
    await t.skip(5 * DAY);
    expect((await t.now()).getTime()).toBeGreaterThan(ms(circular!.at));
    v = await settled(t, h);
    expect(firingsOf(v, 'verification')).toEqual([]);
    expect(deadline(v, 'verification')).toMatchObject({ status: 'paused', overdue: false, rungsFired: 0 });
    expect(await escalationRows(t, h, 'verification')).toEqual([]);
    expect(await clockOutbox(t, h, 'verification')).toEqual([]);

    v = await t.step(h, 'resumeClock', { actor: handlerA, note: '已收到补充材料' });
    const P = ms(eventOf(v, 'clock_resumed').at) - ms(eventOf(v, 'clock_paused').at);
    expect(P).toBeGreaterThanOrEqual(5 * DAY);
    expect(eventOf(v, 'clock_resumed').data).toEqual({
      clock: 'verification',
      pausedMs: P,
      note: '已收到补充材料',
    });
    const moved = deadline(v, 'verification');
    expect(moved).toMatchObject({ status: 'running', pausedMs: P, fixedDueAt: fixed.dueAt });
    expect(ms(moved.dueAt) - ms(moved.fixedDueAt)).toBe(P);
    expect(ms(moved.warnAt) - ms(fixed.warnAt)).toBe(P);
    expect(deadline(v, 'feedback').pausedMs).toBe(0); // the reporter's 7 days do not wait

    await skipTo(t, plus(moved.warnAt, -HOUR));
    expect(firingsOf(await settled(t, h), 'verification')).toEqual([]);
    await skipTo(t, plus(circular!.at, P + HOUR));
    v = await settled(t, h, (x) => deadline(x, 'verification').rungsFired === 2);
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, moved.warnAt],
      ['deadline_missed', undefined, moved.dueAt],
      ['escalated', 'urge', plus(urge!.at, P)],
      ['escalated', 'circular', plus(circular!.at, P)],
    ]);
    expect((await escalationRows(t, h, 'verification')).map((r) => [r.rung, r.due_at])).toEqual([
      ['urge', new Date(moved.dueAt)],
      ['circular', new Date(moved.dueAt)],
    ]);
    // Meanwhile the unpaused feedback clock kept its own instants: due 7 days after intake.
    expectFirings(v, 'feedback', [
      ['deadline_warning', undefined, '2026-11-29T01:30:00.000Z'],
      ['deadline_missed', undefined, '2026-11-30T01:30:00.000Z'],
      ['escalated', 'urge', '2026-11-30T01:30:00.000Z'],
      ['escalated', 'circular', '2026-12-01T15:59:59.999Z'],
    ]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('adds pauses up: verified after the fixed deadline but within the moved one is on time', async () => {
    const h = await verifying();
    await pause(h);
    await t.skip(DAY);
    await t.step(h, 'resumeClock', { actor: handlerA });
    await pause(h);
    await t.skip(2 * DAY);
    let v = await t.step(h, 'resumeClock', { actor: handlerA });
    const [first, second] = [0, 1].map(
      (i) => ms(eventOf(v, 'clock_resumed', i).at) - ms(eventOf(v, 'clock_paused', i).at),
    );
    expect([
      eventOf(v, 'clock_resumed', 0).data?.pausedMs,
      eventOf(v, 'clock_resumed', 1).data?.pausedMs,
    ]).toEqual([first, second]);
    const d = deadline(v, 'verification');
    expect(d.pausedMs).toBe(first! + second!);
    expect(ms(d.dueAt) - ms(d.fixedDueAt)).toBe(first! + second!);

    await skipTo(t, plus(d.fixedDueAt, HOUR));
    await t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'unsubstantiated',
      findings: '现场未发现举报所述情况',
      hazardsFound: 0,
      majorHazard: false,
    });
    v = await settled(t, h);
    expect(deadline(v, 'verification')).toMatchObject({ status: 'done', onTime: true, overdue: false });
    const stopped = v.timeline.filter((e) => e.type === 'clock_stopped').map((e) => e.data);
    expect(stopped).toContainEqual({ clock: 'verification', onTime: true });
    expect(firingsOf(v, 'verification')).toEqual([]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});

describe('补充材料 from district-default v4 on: limited, and on working time', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  const running = (v: ReportView, clock: ClockName) =>
    v.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined)!;

  it('a pause nobody ends runs again by itself at its limit, moved by the working days it held; the moved deadline fires', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    const before = running(await t.view(h), 'verification').schedule;
    await t.step(h, 'pauseClock', {
      actor: handlerA,
      waitingFor: 'reporter',
      reason: '请举报人补充现场照片',
    });
    // From v7 a unit's pause waits for the dispatcher's approval; it starts when approved.
    const paused = await t.step(h, 'decidePause', {
      actor: people.dispatcher,
      decision: 'approved',
      reason: '确需补充',
    });
    const until = running(paused, 'verification').pauseUntil!;
    expect(running(paused, 'feedback').pauseUntil).toBe(until); // the reporter's wait holds the answer too

    // Nobody resumes it: at the end of the tenth working day it runs again by itself.
    await skipTo(t, plus(until, HOUR));
    const v = await settled(t, h, (x) => x.timeline.some((e) => e.type === 'deadline_shifted'));
    const resumed = v.timeline.filter((e) => e.type === 'clock_resumed');
    expect(resumed.map((e) => [e.data?.clock, e.data?.automatic])).toEqual([
      ['feedback', true],
      ['verification', true],
    ]);
    expect(ms(resumed[0]!.at) - ms(until)).toBeGreaterThanOrEqual(0);
    const moved = running(v, 'verification').schedule;
    // Held ten working days (the pause day itself to the day before it ended): the deadline, still
    // the end of a working day, is ten working days later.
    expect(moved.dueAt).toBe(new Date(workCalendar.addWorkingDays(ms(before.dueAt), 10)).toISOString());
    expect(moved.provenance.pauses).toHaveLength(1);
    expect(
      v.timeline.find((e) => e.type === 'deadline_shifted' && e.data?.clock === 'verification')?.data,
    ).toMatchObject({
      clock: 'verification',
      from: before.dueAt,
      to: moved.dueAt,
    });

    // The moved deadline warns and is missed at its own instants, nothing at the old ones.
    await skipTo(t, plus(moved.dueAt, HOUR));
    const missed = await settled(t, h, (x) => running(x, 'verification').overdue);
    expectFirings(missed, 'verification', [
      ['deadline_warning', undefined, moved.warnAt],
      ['deadline_missed', undefined, moved.dueAt],
      ['escalated', 'urge', moved.rungs[0]!.at],
    ]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
