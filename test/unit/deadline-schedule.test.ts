import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScheduleError, scheduleClock, type ScheduleRequest } from '../../domain/deadline-schedule.js';
import { validatePolicy, type Policy } from '../../domain/policy.js';
import { workCalendar } from '../../domain/work-calendar.js';

// Expected instants are worked out by hand: Beijing time is UTC+08:00, so the end of a China day
// (23:59:59.999 local) is 15:59:59.999Z. 2026-11-23 is a Monday; 2026-09-28 is the Monday before
// National Day (10-01 to 10-07 off, Saturday 10-10 an adjusted workday 调休上班).

const load = (file: string): Policy =>
  validatePolicy(JSON.parse(readFileSync(new URL(`../../policies/${file}`, import.meta.url), 'utf8')), file);
const byCalendarDays = load('district-default.v1.json');
const byWorkingDays = load('district-working-days.v1.json');

const MONDAY_MORNING = '2026-11-23T01:30:00.000Z'; // 09:30 Beijing time
const BEFORE_NATIONAL_DAY = '2026-09-28T01:30:00.000Z'; // Monday 09:30 Beijing time
const HOUR = 3_600_000;
const after = (hours: number, from: string) => new Date(Date.parse(from) + hours * HOUR).toISOString();
const endOfDay = (localDate: string) => new Date(`${localDate}T23:59:59.999+08:00`).toISOString();

const schedule = (req: Partial<ScheduleRequest> & Pick<ScheduleRequest, 'clock'>, policy = byCalendarDays) =>
  scheduleClock(policy, workCalendar, { occurrence: 1, startedAt: MONDAY_MORNING, ...req });
const when = (req: Parameters<typeof schedule>[0], policy?: Policy) => {
  const s = schedule(req, policy);
  return { warnAt: s.warnAt, dueAt: s.dueAt, rule: s.provenance.rule };
};

describe('the deadline of each step under the shipped policy', () => {
  it('当日受理: acceptance is due by the end of the Beijing day the report came in', () => {
    expect(when({ clock: 'acceptance' })).toEqual({
      dueAt: endOfDay('2026-11-23'),
      warnAt: after(-2, endOfDay('2026-11-23')),
      rule: 'the same day',
    });
  });

  it('三日核查: general verification is due 3 calendar days (72 h) later, weekends included', () => {
    const friday = '2026-11-27T01:30:00.000Z';
    expect(when({ clock: 'verification', urgency: 'general', startedAt: friday })).toEqual({
      dueAt: '2026-11-30T01:30:00.000Z', // Monday, the weekend counted
      warnAt: '2026-11-29T13:30:00.000Z', // 12 h before
      rule: '3 calendar days',
    });
  });

  it('verification without an urgency is general', () => {
    expect(schedule({ clock: 'verification' }).dueAt).toBe(after(72, MONDAY_MORNING));
  });

  it('an emergency report is verified within 24 hours', () => {
    expect(when({ clock: 'verification', urgency: 'emergency' })).toEqual({
      dueAt: after(24, MONDAY_MORNING),
      warnAt: after(12, MONDAY_MORNING),
      rule: '24 hours',
    });
  });

  it('an accident report is verified within 2 hours, warned half-way since 2 h < 12 h of warning', () => {
    expect(when({ clock: 'verification', urgency: 'accident' })).toEqual({
      dueAt: after(2, MONDAY_MORNING),
      warnAt: after(1, MONDAY_MORNING),
      rule: '2 hours',
    });
  });

  it('七日反馈 in calendar days falls inside National Day: holidays are not skipped', () => {
    expect(when({ clock: 'feedback', startedAt: BEFORE_NATIONAL_DAY })).toEqual({
      dueAt: '2026-10-05T01:30:00.000Z',
      warnAt: '2026-10-04T01:30:00.000Z',
      rule: '7 calendar days',
    });
  });

  it('七个工作日反馈 skips National Day and counts the adjusted workday 10-10', () => {
    // 09-29, 09-30, (10-01…10-07 off), 10-08, 10-09, 10-10 (Saturday, 调休上班), 10-12, 10-13.
    expect(when({ clock: 'feedback', startedAt: BEFORE_NATIONAL_DAY }, byWorkingDays)).toEqual({
      dueAt: endOfDay('2026-10-13'),
      warnAt: endOfDay('2026-10-12'),
      rule: '7 working days',
    });
  });

  it('working days never count the start day, however early the step starts', () => {
    const atMidnight = new Date('2026-09-28T00:00:00.000+08:00').toISOString();
    expect(schedule({ clock: 'feedback', startedAt: atMidnight }, byWorkingDays).dueAt).toBe(
      endOfDay('2026-10-13'),
    );
  });

  it('a late-evening report warns half-way to the end of its day', () => {
    const lateEvening = new Date('2026-11-23T23:00:00.000+08:00').toISOString();
    const s = schedule({ clock: 'acceptance', startedAt: lateEvening });
    expect(s.dueAt).toBe(endOfDay('2026-11-23'));
    expect(Date.parse(s.warnAt) - Date.parse(lateEvening)).toBe(Math.floor((HOUR - 1) / 2));
  });
});

describe('the rectification deadline the handler sets', () => {
  const ordered = MONDAY_MORNING;
  const rectify = (handlerDueAt?: string) =>
    schedule({ clock: 'rectification', startedAt: ordered, ...(handlerDueAt ? { handlerDueAt } : {}) });

  it('is taken as set, warned 72 h before', () => {
    const s = rectify(after(10 * 24, ordered));
    expect([s.dueAt, s.warnAt]).toEqual([after(240, ordered), after(168, ordered)]);
    expect(s.provenance.rule).toBe('set by handler (at most 180 calendar days)');
  });

  it('may be exactly the policy’s cap of 180 calendar days, not a millisecond more', () => {
    expect(rectify(after(180 * 24, ordered)).dueAt).toBe(after(180 * 24, ordered));
    const beyond = new Date(Date.parse(after(180 * 24, ordered)) + 1).toISOString();
    expect(() => rectify(beyond)).toThrow(/exceeds the policy's 180 days/);
  });

  it('is refused in the past, at the order itself, or when missing', () => {
    expect(() => rectify(after(-1, ordered))).toThrow(ScheduleError);
    expect(() => rectify(ordered)).toThrow('the rectification deadline must be after the order');
    expect(() => rectify()).toThrow('the rectification deadline set by the handler is missing');
  });

  it('is warned half-way when it is closer than 72 h', () => {
    expect(rectify(after(24, ordered)).warnAt).toBe(after(12, ordered));
  });
});

describe('the escalation ladder (督办) after a missed deadline', () => {
  it('fires 催办 at the deadline, then 函告, 约谈, 挂牌督办 after 1, 3 and 5 working days', () => {
    // Due Thursday 11-26 09:30; working days after it: Fri 11-27, Mon 11-30, Tue 12-01, Wed, Thu 12-03.
    expect(schedule({ clock: 'verification' }).rungs).toEqual([
      { rung: 'urge', at: '2026-11-26T01:30:00.000Z' },
      { rung: 'circular', at: endOfDay('2026-11-27') },
      { rung: 'interview', at: endOfDay('2026-12-01') },
      { rung: 'listed_supervision', at: endOfDay('2026-12-03') },
    ]);
  });

  it('counts working days after the deadline across National Day and its adjusted workday', () => {
    // Due 10-01 09:30 (a holiday); then 10-08, 10-09, 10-10 (调休), 10-12, 10-13.
    expect(schedule({ clock: 'verification', startedAt: BEFORE_NATIONAL_DAY }).rungs).toEqual([
      { rung: 'urge', at: '2026-10-01T01:30:00.000Z' },
      { rung: 'circular', at: endOfDay('2026-10-08') },
      { rung: 'interview', at: endOfDay('2026-10-10') },
      { rung: 'listed_supervision', at: endOfDay('2026-10-13') },
    ]);
  });

  it('places a rung measured in hours that many hours after the deadline', () => {
    const inHours = structuredClone(byCalendarDays);
    inHours.clocks.acceptance.ladder = [
      { rung: 'urge', after: { hours: 6 } },
      { rung: 'circular', after: { workingDays: 1 } },
    ];
    const s = schedule({ clock: 'acceptance' }, validatePolicy(inHours));
    expect(s.rungs).toEqual([
      { rung: 'urge', at: after(6, endOfDay('2026-11-23')) },
      { rung: 'circular', at: endOfDay('2026-11-24') },
    ]);
  });
});

describe('what a schedule records', () => {
  it('states its provenance: policy id and version, calendar version, rule and start', () => {
    const s = schedule({ clock: 'feedback', occurrence: 2, startedAt: BEFORE_NATIONAL_DAY }, byWorkingDays);
    expect(s).toMatchObject({ clock: 'feedback', occurrence: 2, startedAt: BEFORE_NATIONAL_DAY });
    expect(s.provenance).toEqual({
      policyId: 'district-working-days',
      policyVersion: 1,
      calendarVersion: 'cn-2025.1+cn-2026.1',
      rule: '7 working days',
      startedAt: BEFORE_NATIONAL_DAY,
    });
  });

  it('normalises its start to an ISO instant and refuses one that is not an instant', () => {
    expect(schedule({ clock: 'acceptance', startedAt: '2026-11-23T09:30:00+08:00' }).startedAt).toBe(
      MONDAY_MORNING,
    );
    expect(() => schedule({ clock: 'acceptance', startedAt: 'Monday' })).toThrow(ScheduleError);
  });
});
