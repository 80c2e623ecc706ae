import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scheduleClock } from '../../domain/deadline-schedule.js';
import { validatePolicy } from '../../domain/policy.js';
import cn2025 from '../../domain/calendar/cn-2025.json' with { type: 'json' };
import cn2026 from '../../domain/calendar/cn-2026.json' with { type: 'json' };
import { createWorkCalendar, workCalendar } from '../../domain/work-calendar.js';

const policy = validatePolicy(
  JSON.parse(readFileSync(new URL('../../policies/district-default.v1.json', import.meta.url), 'utf8')),
);
const request = {
  clock: 'rectification',
  occurrence: 1,
  startedAt: '2026-12-20T01:00:00Z',
  handlerDueAt: '2026-12-30T09:00:00Z', // Wednesday 17:00 Beijing time
} as const;

describe('deadlines that run past the last imported year of the holiday calendar', () => {
  const schedule = scheduleClock(policy, workCalendar, request);

  it('count working days inside the calendar as usual', () => {
    expect(schedule.rungs.find((r) => r.rung === 'circular')?.at).toBe('2026-12-31T15:59:59.999Z');
  });

  it('count the law’s days off beyond it: 1 January 2027 (元旦) is not a working day', () => {
    // 3 working days after Wed 2026-12-30: Thu 31, (Fri 1 Jan off), Mon 4, Tue 5 Jan.
    expect(schedule.rungs.find((r) => r.rung === 'interview')?.at).toBe('2027-01-05T15:59:59.999Z');
    expect(schedule.rungs.find((r) => r.rung === 'listed_supervision')?.at).toBe('2027-01-07T15:59:59.999Z');
  });

  it('say in the provenance that they are provisional, so a supervisor sees why', () => {
    expect(schedule.provenance.calendarProvisional).toMatch(
      /cn-2027\.statutory-2025.*no State Council notice/,
    );
    expect(schedule.provenance.calendarFallback).toBeUndefined();
  });

  it('without the law’s days off, count Monday to Friday and say so (a calendar given no years after)', () => {
    const bare = scheduleClock(policy, createWorkCalendar([cn2025, cn2026]), request);
    expect(bare.rungs.find((r) => r.rung === 'interview')?.at).toBe('2027-01-04T15:59:59.999Z');
    expect(bare.provenance.calendarFallback).toMatch(/no data for 2027.*counted Monday to Friday/);
  });

  it('leave the provenance clean when the calendar covers every day counted', () => {
    const covered = scheduleClock(policy, workCalendar, {
      clock: 'review',
      occurrence: 1,
      startedAt: '2026-09-28T01:00:00Z',
    });
    expect(covered.provenance.calendarFallback).toBeUndefined();
    expect(covered.provenance.calendarProvisional).toBeUndefined();
  });
});
