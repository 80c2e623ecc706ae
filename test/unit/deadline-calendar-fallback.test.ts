import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scheduleClock } from '../../domain/deadline-schedule.js';
import { validatePolicy } from '../../domain/policy.js';
import { workCalendar } from '../../domain/work-calendar.js';

const policy = validatePolicy(
  JSON.parse(readFileSync(new URL('../../policies/district-default.v1.json', import.meta.url), 'utf8')),
);

describe('deadlines that run past the last year of the holiday calendar', () => {
  const schedule = scheduleClock(policy, workCalendar, {
    clock: 'rectification',
    occurrence: 1,
    startedAt: '2026-12-20T01:00:00Z',
    handlerDueAt: '2026-12-30T09:00:00Z', // Wednesday 17:00 Beijing time
  });

  it('count working days inside the calendar as usual', () => {
    expect(schedule.rungs.find((r) => r.rung === 'circular')?.at).toBe('2026-12-31T15:59:59.999Z');
  });

  it('count Monday to Friday beyond it (2027 is not in the data) instead of failing the step', () => {
    // 3 working days after Wed 2026-12-30: Thu 31, Fri 1 Jan (weekday, holiday unknown), Mon 4 Jan.
    expect(schedule.rungs.find((r) => r.rung === 'interview')?.at).toBe('2027-01-04T15:59:59.999Z');
    expect(schedule.rungs.find((r) => r.rung === 'listed_supervision')?.at).toBe('2027-01-06T15:59:59.999Z');
  });

  it('say so in the provenance, so a supervisor sees why', () => {
    expect(schedule.provenance.calendarFallback).toMatch(/no data for 2027.*counted Monday to Friday/);
  });

  it('leave the provenance clean when the calendar covers every day counted', () => {
    const covered = scheduleClock(policy, workCalendar, {
      clock: 'review',
      occurrence: 1,
      startedAt: '2026-09-28T01:00:00Z',
    });
    expect(covered.provenance.calendarFallback).toBeUndefined();
  });
});
