import { describe, expect, it } from 'vitest';
import { pausedWorkingDays, scheduleClock, shiftSchedule } from '../../domain/deadline-schedule.js';
import { nextClockEvent, runningClock } from '../../domain/report/clocks.js';
import { workCalendar } from '../../domain/work-calendar.js';
import { summariseReport } from '../../domain/report/report-summary.js';
import type { ReportState } from '../../domain/report/report-state.js';
import { after, drive, loadPolicy, receivedReport, reportAt, verdict } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * The handling rules district-default v4 adds: verification timed from acceptance (a return does
 * not restart it; a later unit has its own step clock), returns reviewed by the dispatcher (only an
 * approved one is misrouting), 有举必查 after a withdrawal, the exclusion declaration at proposal,
 * and 解决/未解决 asked at the 回访.
 */
const v4 = loadPolicy('district-default.v4.json');
const { dispatcher, handlerA, handlerB, intake, proposer } = people;

const clocksNamed = (s: ReportState, name: string) => s.clocks.filter((c) => c.schedule.clock === name);
const summaryClock = (s: ReportState, name: string) =>
  summariseReport(s).clocks.filter((c) => c.clock === name);

describe('核查时限 runs from acceptance of the report', () => {
  it('starts at acceptance; the first assignment adds no clock of its own', () => {
    const { s, now } = reportAt('accepted', { policy: v4 });
    const verification = runningClock(s, 'verification')!;
    expect(verification.schedule.startedAt).toBe(s.acceptedAt);
    expect(verification.schedule.provenance).toMatchObject({ policyVersion: 4, rule: '7 working days' });
    drive(s, 'assignReport', { actor: dispatcher, unitId: 'unit-a', routing: 'rule' }, after(1, now), v4);
    expect(clocksNamed(s, 'verification')).toHaveLength(1);
    expect(clocksNamed(s, 'unit_verification')).toHaveLength(0);
  });

  it('a return does not restart it, and a refused return sends the report back under the same clock', () => {
    const { s, now } = reportAt('assigned', { policy: v4 });
    const clock = runningClock(s, 'verification')!;
    drive(s, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' }, after(1, now), v4);
    expect(runningClock(s, 'verification')).toBe(clock);
    drive(s, 'refuseReturn', { actor: dispatcher, reason: '属本单位辖区' }, after(2, now), v4);
    expect(s.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(s.unitId).toBe('unit-a');
    expect(runningClock(s, 'verification')).toBe(clock);
    expect(clocksNamed(s, 'verification')).toHaveLength(1);
    expect(s.assignments).toHaveLength(1);
    expect(s.assignments[0]!.ended).toBeUndefined();
    expect(s.assignments[0]!.refusedReturns).toEqual([
      { at: after(2, now), by: dispatcher.id, reason: '属本单位辖区', returnedAt: after(1, now) },
    ]);
    expect(s.timeline.map((e) => e.type).slice(-2)).toEqual(['clock_stopped', 'return_refused']);
  });

  it('after an approved return the new unit runs its own step clock while the report’s keeps running', () => {
    const { s, now } = reportAt('assigned', { policy: v4 });
    const reportClock = runningClock(s, 'verification')!;
    drive(s, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' }, after(1, now), v4);
    drive(s, 'assignReport', { actor: dispatcher, unitId: 'unit-b', routing: 'manual' }, after(2, now), v4);
    expect(runningClock(s, 'verification')).toBe(reportClock);
    const own = runningClock(s, 'unit_verification')!;
    expect(own.schedule.startedAt).toBe(after(2, now));
    expect(own.schedule.provenance.rule).toBe('7 working days');
    drive(s, 'startVerification', { actor: handlerB }, after(3, now), v4);
    drive(
      s,
      'submitVerification',
      { actor: handlerB, outcome: 'unsubstantiated', findings: '未见', hazardsFound: 0, majorHazard: false },
      after(4, now),
      v4,
    );
    expect(reportClock.endedHow).toBe('done');
    expect(own.endedHow).toBe('done');
    // The report's clock is a report figure; unit B answers for its own clock only.
    expect(summaryClock(s, 'verification')).toMatchObject([{ unitId: null, onTime: true }]);
    expect(summaryClock(s, 'unit_verification')).toMatchObject([{ unitId: 'unit-b', onTime: true }]);
  });

  it('a pending return may not be refused twice, nor a report that was never returned', () => {
    const { s, now } = reportAt('assigned', { policy: v4 });
    expect(verdict('refuseReturn', s, { actor: dispatcher, reason: '不同意' }, now, v4)).toBe('wrong_stage');
  });
});

describe('退单审核: a return is misrouting only when the dispatcher approved it', () => {
  const returnedThen = (decide: (s: ReportState, now: string) => void) => {
    const { s, now } = reportAt('assigned', { policy: v4 });
    drive(s, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' }, after(1, now), v4);
    decide(s, after(2, now));
    return summariseReport(s);
  };

  it('pending: neither a return counted nor misrouting yet', () => {
    const summary = returnedThen(() => undefined);
    expect([summary.returns, summary.returnsRefused, summary.misrouted]).toEqual([0, 0, false]);
  });
  it('refused: counted as refused, the unit keeps answering for the report', () => {
    const summary = returnedThen((s, now) =>
      drive(s, 'refuseReturn', { actor: dispatcher, reason: '属本单位辖区' }, now, v4),
    );
    expect([summary.returns, summary.returnsRefused, summary.misrouted]).toEqual([0, 1, false]);
  });
  it('approved by reassigning: one return, misrouted', () => {
    const summary = returnedThen((s, now) =>
      drive(s, 'assignReport', { actor: dispatcher, unitId: 'unit-b', routing: 'manual' }, now, v4),
    );
    expect([summary.returns, summary.returnsRefused, summary.misrouted]).toEqual([1, 0, true]);
  });
});

describe('有举必查: a withdrawal after acceptance stops contact, not verification', () => {
  it('before acceptance, a withdrawal still ends the report', () => {
    const s = receivedReport({}, v4);
    drive(s, 'withdrawReport', { actor: intake, reason: '已自行解决' }, after(1), v4);
    expect(s.stage.name).toBe('withdrawn');
  });

  it('after acceptance the hazard is verified and answered for the record, the reporter is not contacted', () => {
    const { s, now } = reportAt('verifying', { policy: v4 });
    drive(s, 'withdrawReport', { actor: intake, reason: '不想再跟进' }, after(1, now), v4);
    expect(s.stage.name).toBe('verifying');
    expect(s.contactStopped).toEqual({ at: after(1, now), reason: '不想再跟进' });
    expect(clocksNamed(s, 'feedback').at(-1)?.endedHow).toBe('stopped');
    expect(runningClock(s, 'verification')).toBeDefined();
    expect(verdict('withdrawReport', s, { actor: intake, reason: '再次撤回' }, after(2, now), v4)).toBe(
      'wrong_stage',
    );
    drive(
      s,
      'submitVerification',
      {
        actor: handlerA,
        outcome: 'unsubstantiated',
        findings: '现场未见',
        hazardsFound: 0,
        majorHazard: false,
      },
      after(2, now),
      v4,
    );
    const effects = drive(s, 'giveFeedback', { actor: handlerA, summary: '经核查不属实' }, after(3, now), v4);
    expect(effects.filter((e) => e.kind === 'start_clock')).toEqual([]);
    expect(s.stage).toEqual({ name: 'closed', outcome: 'unsubstantiated' });
  });

  it('only the dispatcher closes it early, with a reason', () => {
    const { s, now } = reportAt('verifying', { policy: v4 });
    expect(verdict('closeWithdrawnReport', s, { actor: dispatcher, reason: '撤回' }, now, v4)).toBe(
      'wrong_stage',
    );
    drive(s, 'withdrawReport', { actor: intake, reason: '不想再跟进' }, after(1, now), v4);
    expect(verdict('closeWithdrawnReport', s, { actor: dispatcher }, after(2, now), v4)).toBe(
      'invalid_input',
    );
    drive(s, 'closeWithdrawnReport', { actor: dispatcher, reason: '现场已拆除' }, after(2, now), v4);
    expect(s.stage).toEqual({ name: 'withdrawn', reason: '现场已拆除' });
    expect(s.clocks.every((c) => c.stoppedAt !== undefined)).toBe(true);
  });
});

describe('奖励 excludes staff with safety duties and their close relatives', () => {
  const basis = { kind: 'fine', fineFen: 0 } as const;
  it('a proposal must declare it', () => {
    const { s, now } = reportAt('reward_pending', { policy: v4 });
    expect(verdict('proposeReward', s, { actor: proposer, basis }, now, v4)).toBe('invalid_input');
  });
  it.each([
    ['staff with safety duties', { safetyDutyStaff: true, closeRelativeOfStaff: false }],
    ['a close relative of such staff', { safetyDutyStaff: false, closeRelativeOfStaff: true }],
  ])('%s: the report closes without reward', (_who, declaration) => {
    const { s, now } = reportAt('reward_pending', { policy: v4 });
    drive(s, 'proposeReward', { actor: proposer, basis, declaration }, after(1, now), v4);
    expect(s.stage).toEqual({ name: 'closed', outcome: 'reward_ineligible' });
    expect(s.reward.proposal).toBeUndefined();
    expect(s.timeline.some((e) => e.type === 'reward_excluded')).toBe(true);
  });
});

describe('回访 asks whether the problem was solved', () => {
  it('a rating without 解决/未解决 is refused; the answer is what 解决率 counts', () => {
    const { s, now } = reportAt('feedback_given', { policy: v4 });
    expect(verdict('recordSatisfaction', s, { actor: intake, rating: 'satisfied' }, now, v4)).toBe(
      'invalid_input',
    );
    drive(
      s,
      'recordSatisfaction',
      { actor: intake, rating: 'basically_satisfied', resolved: false },
      now,
      v4,
    );
    expect(summariseReport(s)).toMatchObject({ satisfaction: 'basically_satisfied', resolved: false });
  });
});

describe('补充材料: a pause is counted, limited, and moves deadlines on working time', () => {
  const at = (beijing: string) => new Date(`${beijing}+08:00`).toISOString();
  const verification = (startedAt: string, urgency: 'general' | 'emergency' = 'general') =>
    scheduleClock(v4, workCalendar, { clock: 'verification', occurrence: 1, startedAt, urgency });

  it('counts the working days a pause held the clock', () => {
    const days = (from: string, to: string) =>
      pausedWorkingDays(workCalendar, Date.parse(at(from)), Date.parse(at(to)));
    expect(days('2026-11-26T10:00:00', '2026-11-26T16:00:00')).toBe(0); // within a day
    expect(days('2026-11-26T10:00:00', '2026-11-27T10:00:00')).toBe(1); // Thursday
    expect(days('2026-11-26T10:00:00', '2026-11-30T09:00:00')).toBe(2); // Thursday, Friday; not the weekend
  });

  it('moves a deadline at the end of a working day to the end of a working day, never to a Saturday', () => {
    // 7 working days from Wednesday 18 November: Friday 27 November, end of day.
    const fixed = verification(at('2026-11-18T10:00:00'));
    expect(fixed.dueAt).toBe(at('2026-11-27T23:59:59.999'));
    expect(fixed.countsWorkingDays).toBe(true);
    // Paused Thursday 10:00 to Friday 10:00: one working day held. By elapsed time the deadline
    // would be Saturday 23:59; by working time it is Monday's end.
    const moved = shiftSchedule(v4, workCalendar, fixed, {
      from: at('2026-11-26T10:00:00'),
      to: at('2026-11-27T10:00:00'),
    });
    expect(moved.dueAt).toBe(at('2026-11-30T23:59:59.999'));
    expect(Date.parse(moved.dueAt) - Date.parse(moved.warnAt)).toBe(
      Date.parse(fixed.dueAt) - Date.parse(fixed.warnAt),
    );
    // The ladder is laid again from the new deadline: 催办 at it, 函告 a working day later (Tuesday).
    expect(moved.rungs.slice(0, 2)).toEqual([
      { rung: 'urge', at: moved.dueAt },
      { rung: 'circular', at: at('2026-12-01T23:59:59.999') },
    ]);
    expect(moved.provenance.pauses).toEqual([
      `${at('2026-11-26T10:00:00')}–${at('2026-11-27T10:00:00')}: 1 working days`,
    ]);
  });

  it('moves an hours deadline (紧急类 24 hours) by the time paused', () => {
    const fixed = verification(at('2026-11-27T10:00:00'), 'emergency');
    expect(fixed.countsWorkingDays).toBeUndefined();
    const moved = shiftSchedule(v4, workCalendar, fixed, {
      from: at('2026-11-27T12:00:00'),
      to: at('2026-11-27T15:30:00'),
    });
    expect(Date.parse(moved.dueAt) - Date.parse(fixed.dueAt)).toBe(3.5 * 3_600_000);
  });

  it('a wait for the reporter holds the feedback clock too; resuming moves both; the third pause is refused', () => {
    const { s, now } = reportAt('verifying', { policy: v4 });
    const feedbackDue = runningClock(s, 'feedback')!.schedule.dueAt;
    drive(
      s,
      'pauseClock',
      { actor: handlerA, waitingFor: 'reporter', reason: '请举报人补充位置照片' },
      now,
      v4,
    );
    const step = runningClock(s, 'verification')!;
    const feedback = runningClock(s, 'feedback')!;
    expect([step.pausedSince, feedback.pausedSince]).toEqual([now, now]);
    // The pause ends by itself at the end of the tenth working day, if nobody resumes it first.
    expect(step.pauseUntil).toBe(new Date(workCalendar.addWorkingDays(Date.parse(now), 10)).toISOString());
    expect(nextClockEvent(s)).toMatchObject({ kind: 'pause_limit', at: Date.parse(step.pauseUntil!) });

    const resumedAt = after(48, now); // two days later
    drive(s, 'resumeClock', { actor: handlerA }, resumedAt, v4);
    expect([step.pausedSince, feedback.pausedSince, step.pauseUntil]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const held = pausedWorkingDays(workCalendar, Date.parse(now), Date.parse(resumedAt));
    expect(held).toBe(2);
    expect(step.schedule.provenance.pauses).toHaveLength(1);
    expect(Date.parse(feedback.schedule.dueAt)).toBeGreaterThan(Date.parse(feedbackDue));

    drive(
      s,
      'pauseClock',
      { actor: handlerA, waitingFor: 'third_party', reason: '待检测报告' },
      after(49, now),
      v4,
    );
    drive(s, 'resumeClock', { actor: handlerA }, after(50, now), v4);
    expect(
      verdict(
        'pauseClock',
        s,
        { actor: handlerA, waitingFor: 'third_party', reason: '再等' },
        after(51, now),
        v4,
      ),
    ).toBe('not_allowed');
  });

  it('a wait for a third party holds only the step’s clock', () => {
    const { s, now } = reportAt('verifying', { policy: v4 });
    drive(s, 'pauseClock', { actor: handlerA, waitingFor: 'third_party', reason: '待检测报告' }, now, v4);
    expect(runningClock(s, 'feedback')!.pausedSince).toBeUndefined();
  });
});
