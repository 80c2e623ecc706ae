import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pausesOf, rescheduleClock, scheduleClock, shiftSchedule } from '../../domain/deadline-schedule.js';
import { validatePolicy, type Policy } from '../../domain/policy.js';
import { addClock, rescheduleClockState } from '../../domain/report/clocks.js';
import type { ReportState } from '../../domain/report/report-state.js';
import { workCalendar } from '../../domain/work-calendar.js';
import { withVerificationWithin } from '../support/deployable-policies.js';

/**
 * Fixing a running deadline again (issue 17), pure: from the recorded start under the new policy,
 * with every recorded pause applied again; a deadline a person set stays; the clock's warning,
 * deadline and rungs are judged afresh against now. Instants worked out by hand (UTC+08:00).
 */
const load = (file: string): Policy =>
  validatePolicy(JSON.parse(readFileSync(new URL(`../../policies/${file}`, import.meta.url), 'utf8')), file);
const v7 = load('district-default.v7.json');
const v8: Policy = withVerificationWithin(v7, 3);
const MONDAY = '2026-11-23T01:30:00.000Z'; // 09:30 in Shanghai
const endOfDay = (localDate: string) => new Date(`${localDate}T23:59:59.999+08:00`).toISOString();
const verification = (policy: Policy) =>
  scheduleClock(policy, workCalendar, {
    clock: 'verification',
    occurrence: 1,
    startedAt: MONDAY,
    urgency: 'general',
  });

describe('rescheduleClock', () => {
  it('counts the new limit from the recorded start', () => {
    const moved = rescheduleClock(v8, workCalendar, verification(v7));
    expect(moved.dueAt).toBe(endOfDay('2026-11-26'));
    expect(moved.startedAt).toBe(MONDAY);
    expect(moved.provenance).toMatchObject({ policyVersion: 8, rule: '3 working days' });
  });

  it('applies every recorded pause again: two working days held move the new deadline two working days', () => {
    // Paused Tuesday 09:00 to Thursday 09:00: Tuesday and Wednesday held.
    const paused = shiftSchedule(v7, workCalendar, verification(v7), {
      from: '2026-11-24T01:00:00.000Z',
      to: '2026-11-26T01:00:00.000Z',
    });
    expect(pausesOf(paused)).toEqual([{ from: '2026-11-24T01:00:00.000Z', to: '2026-11-26T01:00:00.000Z' }]);
    const moved = rescheduleClock(v8, workCalendar, paused);
    expect(moved.dueAt).toBe(endOfDay('2026-11-30'));
    expect(moved.provenance.pauses).toEqual(paused.provenance.pauses);
  });

  it('keeps a deadline the handler set; its ladder follows the new policy', () => {
    const fixed = scheduleClock(v7, workCalendar, {
      clock: 'rectification',
      occurrence: 1,
      startedAt: MONDAY,
      handlerDueAt: endOfDay('2026-12-10'),
    });
    const shorterLadder: Policy = {
      ...v8,
      clocks: {
        ...v8.clocks,
        rectification: { ...v8.clocks.rectification, ladder: [{ rung: 'urge', after: { hours: 2 } }] },
      },
    };
    const moved = rescheduleClock(shorterLadder, workCalendar, fixed);
    expect(moved.dueAt).toBe(fixed.dueAt);
    expect(moved.rungs).toEqual([
      { rung: 'urge', at: new Date(Date.parse(fixed.dueAt) + 2 * 3_600_000).toISOString() },
    ]);
    expect(moved.provenance).toMatchObject({ policyVersion: 8, rule: fixed.provenance.rule });
  });

  it('keeps an approved extension’s date', () => {
    const extended = scheduleClock(v7, workCalendar, {
      clock: 'verification',
      occurrence: 2,
      startedAt: MONDAY,
      extension: { dueAt: endOfDay('2026-12-18'), approvedBy: 'dispatcher-1', reason: '检测周期' },
    });
    expect(rescheduleClock(v8, workCalendar, extended).dueAt).toBe(endOfDay('2026-12-18'));
  });
});

describe('rescheduleClockState judges the clock afresh against now', () => {
  const state = () => ({ clocks: [] }) as unknown as ReportState;
  const FRIDAY = '2026-11-27T01:00:00.000Z';

  it('a deadline moved into the past keeps nothing fired that has not: the loop fires it at once', () => {
    const s = state();
    const clock = addClock(s, verification(v7));
    rescheduleClockState(clock, rescheduleClock(v8, workCalendar, clock.schedule), FRIDAY);
    expect(clock).toMatchObject({ warned: false, overdue: false, rungsFired: 0 });
  });

  it('a deadline moved into the future un-fires its warning, its miss and its rungs', () => {
    const s = state();
    const clock = addClock(s, verification(v8));
    Object.assign(clock, { warned: true, overdue: true, rungsFired: 1 });
    rescheduleClockState(clock, rescheduleClock(v7, workCalendar, clock.schedule), FRIDAY);
    expect(clock).toMatchObject({ warned: false, overdue: false, rungsFired: 0 });
  });

  it('what fired and is still past stays fired', () => {
    const s = state();
    const clock = addClock(s, verification(v8));
    Object.assign(clock, { warned: true, overdue: true, rungsFired: 1 });
    const later = '2026-11-30T01:00:00.000Z';
    const again = rescheduleClock({ ...v8, version: 9 }, workCalendar, clock.schedule);
    rescheduleClockState(clock, again, later);
    expect(clock).toMatchObject({ warned: true, overdue: true, rungsFired: 1 });
  });
});
