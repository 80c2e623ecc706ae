import type { DurationSpec, LadderStep, Policy } from './policy.js';
import type { ClockName, Rung, Urgency } from './vocabulary.js';

/** What deadline arithmetic needs from the work calendar (public holidays and 调休). */
export interface DeadlineCalendar {
  readonly version: string;
  /** End (23:59:59.999 +08:00) of the n-th working day after the local date of `startMs`. */
  addWorkingDays(startMs: number, n: number): number;
  /** 23:59:59.999 +08:00 of the local date of `ms`. */
  endOfChinaDay(ms: number): number;
  /** Whether a China local date (YYYY-MM-DD) is a working day. */
  isWorkingDay(localDate: string): boolean;
  /** The provisional years (statutory days off only, no notice yet) the dates of [from, to] touch. */
  provisionalYears?(
    fromMs: number,
    toMs: number,
  ): readonly { readonly version: string; readonly year: number }[];
}

/** Why a deadline is what it is: enough for a supervisor to recompute it by hand. */
export interface DeadlineProvenance {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly calendarVersion: string;
  /** The rule applied, e.g. `3 calendar days`, `7 working days`, `set by handler`. */
  readonly rule: string;
  readonly startedAt: string;
  /**
   * Set when a working-day count ran past the calendar's last year: those days were counted
   * Monday to Friday, without holidays. Said openly, never guessed silently.
   */
  readonly calendarFallback?: string;
  /**
   * Set when a working-day count ran through a year whose holiday notice is not imported yet: the
   * law's statutory days off were used, without the notice's bridging days and 调休. Said openly;
   * the deadline is recomputed when the notice arrives.
   */
  readonly calendarProvisional?: string;
  /** Pauses (补充材料) that moved this deadline, each as `from–to: n working days` (version 4 on). */
  readonly pauses?: readonly string[];
}

/**
 * A clock's fixed schedule: computed once when its step starts and recorded in the workflow
 * history (as an activity result), so replay and later calendar or policy edits never change it.
 * Pauses (补充材料) shift every instant by the paused time; the workflow adds that offset.
 */
export interface ClockSchedule {
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly startedAt: string;
  readonly warnAt: string;
  readonly dueAt: string;
  readonly rungs: readonly { readonly rung: Rung; readonly at: string }[];
  readonly provenance: DeadlineProvenance;
  /** The urgency the deadline was fixed for, where the policy's limit depends on it. */
  readonly urgency?: Urgency;
  /**
   * The deadline is the end of a working day (a count of working days, or the same day): a pause
   * moves it by whole working days. Otherwise (hours, calendar days, set by the handler) a pause
   * moves it by the time paused. Set on schedules fixed from 0.4 on.
   */
  readonly countsWorkingDays?: true;
}

export interface ScheduleRequest {
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly startedAt: string;
  /** Needed for the verification clock, whose length depends on urgency. */
  readonly urgency?: Urgency;
  /** The rectification deadline the handler set (checked against the policy's cap). */
  readonly handlerDueAt?: string;
  /** 延期: the deadline an approved extension sets, who approved it and why (version 5 on). */
  readonly extension?: { readonly dueAt: string; readonly approvedBy: string; readonly reason: string };
}

const HOUR = 3_600_000;

function describe(d: DurationSpec): string {
  if ('hours' in d) return `${d.hours} hours`;
  if ('calendarDays' in d) return `${d.calendarDays} calendar days`;
  if ('workingDays' in d) return `${d.workingDays} working days`;
  return 'the same day';
}

const CHINA_OFFSET = 8 * HOUR;

/** End of the n-th Monday-to-Friday after the China local date of `start` (no holidays known). */
function addWeekdays(calendar: DeadlineCalendar, start: number, n: number): number {
  let day = calendar.endOfChinaDay(start);
  for (let counted = 0; counted < n;) {
    day += 24 * HOUR;
    const weekday = new Date(day + CHINA_OFFSET).getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted += 1;
  }
  return day;
}

/** Working days by the calendar; past its coverage, weekdays, with a note for the provenance. */
function addWorkingDays(calendar: DeadlineCalendar, start: number, n: number, notes: string[]): number {
  try {
    return calendar.addWorkingDays(start, n);
  } catch (err) {
    if ((err as Error).name !== 'CalendarNotCoveredError') throw err;
    notes.push(`${(err as Error).message}: counted Monday to Friday`);
    return addWeekdays(calendar, start, n);
  }
}

function addDuration(calendar: DeadlineCalendar, start: number, d: DurationSpec, notes: string[]): number {
  if ('hours' in d) return start + d.hours * HOUR;
  if ('calendarDays' in d) return start + d.calendarDays * 24 * HOUR;
  if ('workingDays' in d) return addWorkingDays(calendar, start, d.workingDays, notes);
  return calendar.endOfChinaDay(start);
}

function rungAt(calendar: DeadlineCalendar, due: number, step: LadderStep, notes: string[]): number {
  return 'hours' in step.after
    ? due + step.after.hours * HOUR
    : addWorkingDays(calendar, due, step.after.workingDays, notes);
}

/** Between a pause's two instants in `provenance.pauses` (an en dash: never in an ISO instant). */
const PAUSE_SEPARATOR = '–';

/** How an approved extension's rule begins: the deadline is the approver's date, not the policy's. */
const EXTENDED_RULE = 'extended to ';

/** A schedule request the policy cannot satisfy (e.g. a rectification deadline beyond its cap). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** Fixes a clock's deadline, warning and ladder from the policy and the calendar. Pure. */
export function scheduleClock(
  policy: Policy,
  calendar: DeadlineCalendar,
  req: ScheduleRequest,
): ClockSchedule {
  const start = Date.parse(req.startedAt);
  if (Number.isNaN(start)) throw new ScheduleError(`startedAt ${req.startedAt} is not an instant`);
  const spec = policy.clocks[policyClockOf(req.clock)];
  if (!spec) throw new ScheduleError(`policy ${policy.id} v${policy.version} runs no ${req.clock} clock`);
  let due: number;
  let rule: string;
  const notes: string[] = [];
  if (req.extension) {
    due = Date.parse(req.extension.dueAt);
    if (!(due > start)) throw new ScheduleError('an extended deadline must be after the step started');
    rule = `${EXTENDED_RULE}${req.extension.dueAt} by ${req.extension.approvedBy}: ${req.extension.reason}`;
  } else if (req.clock === 'rectification') {
    const cap = policy.clocks.rectification.due.maxCalendarDays;
    due = Date.parse(req.handlerDueAt ?? '');
    if (Number.isNaN(due))
      throw new ScheduleError('the rectification deadline set by the handler is missing');
    if (due <= start) throw new ScheduleError('the rectification deadline must be after the order');
    if (due > start + cap * 24 * HOUR)
      throw new ScheduleError(`the rectification deadline exceeds the policy's ${cap} days`);
    rule = `set by handler (at most ${cap} calendar days)`;
  } else {
    const duration = durationFor(policy, req);
    due = addDuration(calendar, start, duration, notes);
    rule = describe(duration);
    if (dependsOnUrgency(policy, req.clock)) rule += ` (${req.urgency ?? 'general'})`;
  }
  const rungInstants = spec.ladder.map((step) => rungAt(calendar, due, step, notes));
  const last = Math.max(due, ...rungInstants);
  // Only a count of working days asks the calendar for holidays.
  const countsWorkingDays =
    (req.clock !== 'rectification' && !req.extension && 'workingDays' in durationFor(policy, req)) ||
    spec.ladder.some((step) => 'workingDays' in step.after);
  const provisional = countsWorkingDays ? (calendar.provisionalYears?.(start, last) ?? []) : [];
  const warnBefore = spec.warnBeforeHours * HOUR;
  const warnAt = due - start > warnBefore ? due - warnBefore : start + Math.floor((due - start) / 2);
  const iso = (ms: number) => new Date(ms).toISOString();
  const dueDuration = req.clock === 'rectification' || req.extension ? undefined : durationFor(policy, req);
  const endOfWorkingDay =
    dueDuration !== undefined && ('workingDays' in dueDuration || 'sameDay' in dueDuration);
  return {
    clock: req.clock,
    ...(endOfWorkingDay ? { countsWorkingDays: true as const } : {}),
    occurrence: req.occurrence,
    ...(dependsOnUrgency(policy, req.clock) ? { urgency: req.urgency ?? 'general' } : {}),
    startedAt: iso(start),
    warnAt: iso(warnAt),
    dueAt: iso(due),
    rungs: spec.ladder.map((step, i) => ({ rung: step.rung, at: iso(rungInstants[i]!) })),
    provenance: {
      policyId: policy.id,
      policyVersion: policy.version,
      calendarVersion: calendar.version,
      rule,
      startedAt: iso(start),
      ...(notes.length > 0 ? { calendarFallback: notes[0] } : {}),
      ...(provisional.length > 0
        ? {
            calendarProvisional: provisionalNote(provisional),
          }
        : {}),
    },
  };
}

/** The feedback clock of a policy that sets it per urgency (the verification clock always is). */
const dependsOnUrgency = (policy: Policy, clock: ClockName) =>
  clock === 'feedback' && 'general' in policy.clocks.feedback.due.within;

/**
 * The policy entry a clock runs by: a unit's own verification clock (after an approved return or
 * dispute) has the verification limit, warning and ladder.
 */
const policyClockOf = (clock: ClockName): keyof Policy['clocks'] =>
  clock === 'unit_verification' ? 'verification' : clock;

function durationFor(policy: Policy, req: ScheduleRequest): DurationSpec {
  const clocks = policy.clocks;
  switch (req.clock) {
    case 'verification':
    case 'unit_verification':
      return clocks.verification.due[req.urgency ?? 'general'];
    case 'feedback': {
      const within = clocks.feedback.due.within;
      return 'general' in within ? within[req.urgency ?? 'general'] : within;
    }
    case 'rectification':
      throw new ScheduleError('the rectification deadline is set by the handler');
    default:
      return clocks[policyClockOf(req.clock)]!.due as DurationSpec;
  }
}

const CHINA_DAY = (ms: number) => new Date(ms + CHINA_OFFSET).toISOString().slice(0, 10);

/**
 * The working days a pause held a clock: the working dates from the day it was paused up to, not
 * including, the day it ran again. A pause within one day holds none; one from Thursday to the next
 * Monday holds Thursday and Friday.
 */
export function pausedWorkingDays(calendar: DeadlineCalendar, fromMs: number, toMs: number): number {
  let n = 0;
  for (let day = calendar.endOfChinaDay(fromMs); day < calendar.endOfChinaDay(toMs); day += 24 * HOUR) {
    if (calendar.isWorkingDay(CHINA_DAY(day))) n += 1;
  }
  return n;
}

/**
 * A schedule moved by a pause (补充材料, policy version 4 on). A deadline at the end of a working day
 * moves by the working days the pause held it, so it stays at the end of a working day — never
 * a Saturday; other deadlines move by the time paused. The ladder is laid again from the new
 * deadline by the policy's rungs, the warning keeps its distance to the deadline. Pure.
 */
export function shiftSchedule(
  policy: Policy,
  calendar: DeadlineCalendar,
  schedule: ClockSchedule,
  pause: { readonly from: string; readonly to: string },
): ClockSchedule {
  const from = Date.parse(pause.from);
  const to = Date.parse(pause.to);
  if (!(to >= from)) throw new ScheduleError(`a pause from ${pause.from} to ${pause.to} is not a pause`);
  const spec = policy.clocks[policyClockOf(schedule.clock)];
  if (!spec)
    throw new ScheduleError(`policy ${policy.id} v${policy.version} runs no ${schedule.clock} clock`);
  const notes: string[] = [];
  const due = Date.parse(schedule.dueAt);
  const days = pausedWorkingDays(calendar, from, to);
  const moved = schedule.countsWorkingDays
    ? days > 0
      ? addWorkingDays(calendar, due, days, notes)
      : due
    : due + (to - from);
  const iso = (ms: number) => new Date(ms).toISOString();
  const held = schedule.countsWorkingDays
    ? `${days} working days`
    : `${Math.round((to - from) / 60_000)} minutes`;
  return {
    ...schedule,
    warnAt: iso(moved - (due - Date.parse(schedule.warnAt))),
    dueAt: iso(moved),
    rungs: spec.ladder.map((step) => ({ rung: step.rung, at: iso(rungAt(calendar, moved, step, notes)) })),
    provenance: {
      ...schedule.provenance,
      pauses: [...(schedule.provenance.pauses ?? []), `${pause.from}${PAUSE_SEPARATOR}${pause.to}: ${held}`],
      ...(notes.length > 0 && !schedule.provenance.calendarFallback ? { calendarFallback: notes[0] } : {}),
    },
  };
}

const PAUSE_TEXT = /^(\S+?)–(\S+?): /;

/** The pauses recorded in a schedule's provenance, oldest first (see shiftSchedule). */
export function pausesOf(schedule: ClockSchedule): { from: string; to: string }[] {
  return (schedule.provenance.pauses ?? []).map((text) => {
    const m = PAUSE_TEXT.exec(text);
    if (!m) throw new ScheduleError(`unreadable pause in the provenance: ${text}`);
    return { from: m[1]!, to: m[2]! };
  });
}

/** Whether a person fixed the deadline (the handler's rectification date, an approved extension). */
export const setByPerson = (schedule: ClockSchedule): boolean =>
  schedule.clock === 'rectification' || schedule.provenance.rule.startsWith(EXTENDED_RULE);

/**
 * A running clock's schedule fixed again, under another policy version or a newer calendar (issue
 * 17): from its recorded start, as `scheduleClock` fixes it, with every recorded pause applied
 * again through `shiftSchedule`. A deadline a person set stays where it is, moved only by what
 * moved it already; its warning and ladder follow the policy. Throws `ScheduleError` where the
 * policy runs no such clock. Pure.
 */
export function rescheduleClock(
  policy: Policy,
  calendar: DeadlineCalendar,
  schedule: ClockSchedule,
  urgency?: Urgency,
): ClockSchedule {
  const spec = policy.clocks[policyClockOf(schedule.clock)];
  if (!spec)
    throw new ScheduleError(`policy ${policy.id} v${policy.version} runs no ${schedule.clock} clock`);
  if (!setByPerson(schedule)) {
    let next = scheduleClock(policy, calendar, {
      clock: schedule.clock,
      occurrence: schedule.occurrence,
      startedAt: schedule.startedAt,
      ...((schedule.urgency ?? urgency) ? { urgency: schedule.urgency ?? urgency } : {}),
    });
    for (const pause of pausesOf(schedule)) next = shiftSchedule(policy, calendar, next, pause);
    return next;
  }
  const start = Date.parse(schedule.startedAt);
  const due = Date.parse(schedule.dueAt);
  const notes: string[] = [];
  const rungInstants = spec.ladder.map((step) => rungAt(calendar, due, step, notes));
  const countsWorkingDays = spec.ladder.some((step) => 'workingDays' in step.after);
  const provisional = countsWorkingDays
    ? (calendar.provisionalYears?.(start, Math.max(due, ...rungInstants)) ?? [])
    : [];
  const warnBefore = spec.warnBeforeHours * HOUR;
  const warnAt = due - start > warnBefore ? due - warnBefore : start + Math.floor((due - start) / 2);
  const iso = (ms: number) => new Date(ms).toISOString();
  const { calendarFallback: _fallback, calendarProvisional: _provisional, ...kept } = schedule.provenance;
  return {
    ...schedule,
    warnAt: iso(warnAt),
    rungs: spec.ladder.map((step, i) => ({ rung: step.rung, at: iso(rungInstants[i]!) })),
    provenance: {
      ...kept,
      policyId: policy.id,
      policyVersion: policy.version,
      calendarVersion: calendar.version,
      ...(notes.length > 0 ? { calendarFallback: notes[0] } : {}),
      ...(provisional.length > 0 ? { calendarProvisional: provisionalNote(provisional) } : {}),
    },
  };
}

function provisionalNote(years: readonly { readonly version: string }[]): string {
  return `${years.map((y) => y.version).join(', ')}: statutory days off only, no State Council notice yet (no 调休); recomputed when it is imported`;
}

/** Whether a schedule counted days the calendar did not yet know for sure (provisional or fallback). */
export const countedUncertainDays = (schedule: ClockSchedule): boolean =>
  schedule.provenance.calendarProvisional !== undefined || schedule.provenance.calendarFallback !== undefined;
