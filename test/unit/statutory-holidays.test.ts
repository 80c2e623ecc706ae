import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scheduleClock } from '../../domain/deadline-schedule.js';
import { validatePolicy } from '../../domain/policy.js';
import { statutoryHolidays } from '../../domain/statutory-holidays.js';
import { workCalendar } from '../../domain/work-calendar.js';

/**
 * Before the State Council's notice for a year is imported, the calendar counts the days off the
 * law itself fixes (《全国年节及纪念日放假办法》, as in force from 2025), lunar dates computed, and
 * every deadline counted through such a year says it is provisional.
 */
describe('the law’s days off, before the notice', () => {
  it('for 2027: 元旦, 除夕 to 初三, 清明, 1–2 May, 端午, 中秋, 1–3 October', () => {
    expect(statutoryHolidays(2027).map((d) => `${d.date} ${d.zh}`)).toEqual([
      '2027-01-01 元旦',
      '2027-02-05 春节', // 除夕
      '2027-02-06 春节', // 正月初一
      '2027-02-07 春节',
      '2027-02-08 春节',
      '2027-04-05 清明节',
      '2027-05-01 劳动节',
      '2027-05-02 劳动节',
      '2027-06-09 端午节',
      '2027-09-15 中秋节',
      '2027-10-01 国庆节',
      '2027-10-02 国庆节',
      '2027-10-03 国庆节',
    ]);
  });

  it('agrees with the 2026 notice on the festival days the law fixes', () => {
    // The notice adds bridging days around them; the law's days are all among its days off.
    const noticed = new Set([
      '2026-01-01',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-04-05',
      '2026-05-01',
      '2026-05-02',
      '2026-06-19',
      '2026-09-25',
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
    ]);
    expect(
      statutoryHolidays(2026)
        .map((d) => d.date)
        .filter((d) => !noticed.has(d)),
    ).toEqual([]);
    for (const date of noticed) expect(workCalendar.isWorkingDay(date), date).toBe(false);
  });

  it('makes 1 January 2027 a day off, and the Spring Festival, in the work calendar', () => {
    expect(workCalendar.isWorkingDay('2026-12-31')).toBe(true);
    expect(workCalendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(workCalendar.isWorkingDay('2027-01-04')).toBe(true);
    expect(['2027-02-05', '2027-02-08'].map((d) => workCalendar.isWorkingDay(d))).toEqual([false, false]);
    expect(workCalendar.isWorkingDay('2027-02-09')).toBe(true);
  });

  it('counts a deadline computed today across New Year 2027 without 1 January, and marks it provisional', () => {
    const policy = validatePolicy(
      JSON.parse(readFileSync(new URL('../../policies/district-default.v3.json', import.meta.url), 'utf8')),
    );
    // Monday 2026-12-28 10:00 Beijing: 7 working days are 29, 30, 31 Dec, (1 Jan off), 4, 5, 6, 7 Jan.
    const s = scheduleClock(policy, workCalendar, {
      clock: 'feedback',
      occurrence: 1,
      startedAt: '2026-12-28T02:00:00Z',
      urgency: 'general',
    });
    expect(s.dueAt).toBe('2027-01-07T15:59:59.999Z');
    expect(s.provenance.calendarProvisional).toMatch(/^cn-2027\.statutory-2025: statutory days off only/);
    expect(s.provenance.calendarFallback).toBeUndefined();
  });

  it('leaves a deadline inside the imported years, or counted in hours, unmarked', () => {
    const policy = validatePolicy(
      JSON.parse(readFileSync(new URL('../../policies/district-default.v3.json', import.meta.url), 'utf8')),
    );
    const inside = scheduleClock(policy, workCalendar, {
      clock: 'review',
      occurrence: 1,
      startedAt: '2026-09-28T01:00:00Z',
    });
    expect(inside.provenance.calendarProvisional).toBeUndefined();
  });
});
