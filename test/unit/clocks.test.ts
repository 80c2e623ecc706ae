import { describe, expect, it } from 'vitest';
import { scheduleClock } from '../../domain/deadline-schedule.js';
import {
  addClock,
  effectiveDueAt,
  nextClockEvent,
  pauseClockState,
  resumeClockState,
  stopClock,
  type ClockEvent,
} from '../../domain/report/clocks.js';
import { newReport } from '../../domain/report/new-report.js';
import type { ClockState, ReportState } from '../../domain/report/report-state.js';
import { workCalendar } from '../../domain/work-calendar.js';
import type { ClockName } from '../../domain/vocabulary.js';
import { policy } from '../support/machine-fixtures.js';
import { anIntake } from '../support/reports.js';

// Monday 2026-11-23 09:30 Beijing time; the end of a China day is 15:59:59.999Z.
const MONDAY_MORNING = '2026-11-23T01:30:00.000Z';
const HOUR = 3_600_000;
const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();

/** A report with only the given clocks running, all started on Monday morning. */
function withClocks(...clocks: ClockName[]): { state: ReportState; clocks: ClockState[] } {
  const state = newReport('report-1', anIntake({ receivedAt: MONDAY_MORNING }), policy, MONDAY_MORNING);
  const started = clocks.map((clock) =>
    addClock(state, scheduleClock(policy, workCalendar, { clock, occurrence: 1, startedAt: MONDAY_MORNING })),
  );
  return { state, clocks: started };
}

/** What the workflow's supervision does when an event fires, as far as the clock is concerned. */
function fire(event: ClockEvent): void {
  if (event.kind === 'warning') event.clock.warned = true;
  else if (event.kind === 'overdue') event.clock.overdue = true;
  else event.clock.rungsFired += 1;
}

/** Fires every event the clocks still have, in the order the workflow would: [clock, what, when]. */
function drain(state: ReportState): [ClockName, string, string][] {
  const fired: [ClockName, string, string][] = [];
  for (let e = nextClockEvent(state); e && fired.length < 50; e = nextClockEvent(state)) {
    fired.push([e.clock.schedule.clock, e.kind === 'rung' ? e.rung : e.kind, new Date(e.at).toISOString()]);
    fire(e);
  }
  return fired;
}

describe('the next thing a clock has to do', () => {
  it('is the warning, then the missed deadline, then each rung of the ladder in turn, then nothing', () => {
    const { state } = withClocks('verification');
    expect(drain(state)).toEqual([
      ['verification', 'warning', '2026-11-25T13:30:00.000Z'],
      ['verification', 'overdue', '2026-11-26T01:30:00.000Z'],
      ['verification', 'urge', '2026-11-26T01:30:00.000Z'], // 催办 at the deadline itself
      ['verification', 'circular', '2026-11-27T15:59:59.999Z'],
      ['verification', 'interview', '2026-12-01T15:59:59.999Z'],
      ['verification', 'listed_supervision', '2026-12-03T15:59:59.999Z'],
    ]);
    expect(nextClockEvent(state)).toBeUndefined();
  });

  it('is the earliest event of all running clocks', () => {
    const { state } = withClocks('feedback', 'acceptance');
    expect(drain(state)).toEqual([
      ['acceptance', 'warning', '2026-11-23T13:59:59.999Z'],
      ['acceptance', 'overdue', '2026-11-23T15:59:59.999Z'],
      ['acceptance', 'urge', '2026-11-23T15:59:59.999Z'],
      ['acceptance', 'circular', '2026-11-24T15:59:59.999Z'],
      ['feedback', 'warning', '2026-11-29T01:30:00.000Z'],
      ['feedback', 'overdue', '2026-11-30T01:30:00.000Z'],
      ['feedback', 'urge', '2026-11-30T01:30:00.000Z'],
      ['feedback', 'circular', '2026-12-01T15:59:59.999Z'],
    ]);
  });

  it('never comes from a paused clock', () => {
    const { state, clocks } = withClocks('verification');
    pauseClockState(clocks[0]!, at(MONDAY_MORNING, HOUR));
    expect(nextClockEvent(state)).toBeUndefined();
  });

  it('comes from the other clocks while one is paused', () => {
    const { state, clocks } = withClocks('acceptance', 'feedback');
    pauseClockState(clocks[0]!, at(MONDAY_MORNING, HOUR));
    expect(drain(state).map(([clock]) => clock)).toEqual(Array(4).fill('feedback'));
  });

  it('never comes from a stopped clock, however overdue', () => {
    const { state, clocks } = withClocks('verification');
    fire(nextClockEvent(state)!);
    fire(nextClockEvent(state)!);
    expect(clocks[0]!.overdue).toBe(true);
    expect(stopClock(state, 'verification', '2026-11-26T02:00:00.000Z')).toBe(false);
    expect(nextClockEvent(state)).toBeUndefined();
  });
});

describe('a pause (补充材料)', () => {
  const P = 2 * 24 * HOUR + 5 * HOUR + 17 * 60_000 + 3; // 2 days 5 h 17 min 3 ms

  it('of P moves the warning, the deadline and every rung by exactly P', () => {
    const fixed = drain(withClocks('verification').state);
    const { state, clocks } = withClocks('verification');
    const pausedAt = at(MONDAY_MORNING, 6 * HOUR);
    pauseClockState(clocks[0]!, pausedAt);
    expect(resumeClockState(clocks[0]!, at(pausedAt, P))).toBe(P);
    expect(drain(state)).toEqual(fixed.map(([clock, what, when]) => [clock, what, at(when, P)]));
    expect(effectiveDueAt(clocks[0]!) - Date.parse(clocks[0]!.schedule.dueAt)).toBe(P);
  });

  it('taken after the deadline moves only the rungs still to come', () => {
    const { state, clocks } = withClocks('verification');
    const early = drain(withClocks('verification').state);
    for (let i = 0; i < 3; i += 1) fire(nextClockEvent(state)!); // warning, missed, 催办
    pauseClockState(clocks[0]!, '2026-11-26T02:00:00.000Z');
    resumeClockState(clocks[0]!, at('2026-11-26T02:00:00.000Z', P));
    expect(drain(state)).toEqual(early.slice(3).map(([clock, what, when]) => [clock, what, at(when, P)]));
  });

  it('adds up over several pauses, and pausing a paused clock changes nothing', () => {
    const [clock] = withClocks('verification').clocks;
    pauseClockState(clock!, at(MONDAY_MORNING, HOUR));
    pauseClockState(clock!, at(MONDAY_MORNING, 2 * HOUR));
    expect(resumeClockState(clock!, at(MONDAY_MORNING, 3 * HOUR))).toBe(2 * HOUR);
    expect(resumeClockState(clock!, at(MONDAY_MORNING, 4 * HOUR))).toBe(0);
    pauseClockState(clock!, at(MONDAY_MORNING, 5 * HOUR));
    resumeClockState(clock!, at(MONDAY_MORNING, 8 * HOUR));
    expect(clock!.pausedMs).toBe(5 * HOUR);
  });

  it('counts until the step is done: finishing while paused is judged against the moved deadline', () => {
    const { state, clocks } = withClocks('verification');
    pauseClockState(clocks[0]!, at(MONDAY_MORNING, 70 * HOUR)); // 2 h before the fixed deadline
    const doneAt = at(MONDAY_MORNING, 73 * HOUR); // 1 h after it
    expect(stopClock(state, 'verification', doneAt)).toBe(true);
    expect(clocks[0]).toMatchObject({ pausedMs: 3 * HOUR, stoppedAt: doneAt });
    expect(clocks[0]!.pausedSince).toBeUndefined();
  });
});
