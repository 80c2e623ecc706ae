import type { ClockSchedule } from '../deadline-schedule.js';
import type { ClockName, Rung } from '../vocabulary.js';
import type { ClockEnd, ClockState, ReportState } from './report-state.js';

/**
 * Clock bookkeeping, pure. A clock's instants are its fixed schedule shifted by the time it spent
 * paused, so a pause of exactly P moves the warning, the deadline and every rung by exactly P.
 */

const ms = (iso: string) => Date.parse(iso);

/**
 * The running clock of that name; with `unitId`, the one a supporting unit owes (several of one
 * name may run at once, one per unit).
 */
export function runningClock(state: ReportState, clock: ClockName, unitId?: string): ClockState | undefined {
  return state.clocks.findLast(
    (c) =>
      c.schedule.clock === clock &&
      c.stoppedAt === undefined &&
      (unitId === undefined || c.unitId === unitId),
  );
}

export function nextOccurrence(state: ReportState, clock: ClockName): number {
  return state.clocks.filter((c) => c.schedule.clock === clock).length + 1;
}

export function addClock(state: ReportState, schedule: ClockSchedule, unitId?: string): ClockState {
  const clock: ClockState = {
    schedule,
    pausedMs: 0,
    ...(unitId === undefined ? {} : { unitId }),
    warned: false,
    overdue: false,
    rungsFired: 0,
  };
  state.clocks.push(clock);
  return clock;
}

/** Stops a running clock; true when it was stopped in time. */
export function stopClock(
  state: ReportState,
  name: ClockName,
  now: string,
  how: ClockEnd = 'done',
  unitId?: string,
): boolean | undefined {
  const clock = runningClock(state, name, unitId);
  if (!clock) return undefined;
  return endClock(clock, now, how);
}

/** Ends this clock; true when it ended in time. */
export function endClock(clock: ClockState, now: string, how: ClockEnd): boolean {
  if (clock.pausedSince) resumeClockState(clock, now);
  clock.stoppedAt = now;
  clock.endedHow = how;
  return ms(now) <= effectiveDueAt(clock);
}

/** How a clock ended, for clocks recorded before endings were (they were all done). */
export const endingOf = (c: ClockState): ClockEnd | undefined =>
  c.stoppedAt === undefined ? undefined : (c.endedHow ?? 'done');

/** Whether a clock's step was done in time; undefined while it runs or when it ended otherwise. */
export const onTimeOf = (c: ClockState): boolean | undefined =>
  endingOf(c) === 'done' ? Date.parse(c.stoppedAt!) <= effectiveDueAt(c) : undefined;

export function pauseClockState(clock: ClockState, now: string): void {
  if (clock.pausedSince === undefined) clock.pausedSince = now;
}

export function resumeClockState(clock: ClockState, now: string): number {
  if (clock.pausedSince === undefined) return 0;
  const paused = ms(now) - ms(clock.pausedSince);
  clock.pausedMs += paused;
  delete clock.pausedSince;
  return paused;
}

export const effectiveDueAt = (c: ClockState): number => ms(c.schedule.dueAt) + c.pausedMs;

export type ClockEvent =
  /** A 补充材料 pause reached its maximum: the clock runs again by itself. */
  | { readonly kind: 'pause_limit'; readonly clock: ClockState; readonly at: number }
  | { readonly kind: 'warning'; readonly clock: ClockState; readonly at: number }
  | { readonly kind: 'overdue'; readonly clock: ClockState; readonly at: number }
  | { readonly kind: 'rung'; readonly clock: ClockState; readonly at: number; readonly rung: Rung };

/** The next thing a running, unpaused clock has to do, whichever clock it is on. */
export function nextClockEvent(state: ReportState): ClockEvent | undefined {
  let next: ClockEvent | undefined;
  for (const clock of state.clocks) {
    if (clock.stoppedAt !== undefined) continue;
    if (clock.pausedSince !== undefined) {
      if (clock.pauseUntil === undefined) continue;
      const at = ms(clock.pauseUntil);
      if (!next || at < next.at) next = { kind: 'pause_limit', clock, at };
      continue;
    }
    const shift = clock.pausedMs;
    let event: ClockEvent | undefined;
    if (!clock.warned) event = { kind: 'warning', clock, at: ms(clock.schedule.warnAt) + shift };
    else if (!clock.overdue) event = { kind: 'overdue', clock, at: ms(clock.schedule.dueAt) + shift };
    else {
      const rung = clock.schedule.rungs[clock.rungsFired];
      if (rung) event = { kind: 'rung', clock, at: ms(rung.at) + shift, rung: rung.rung };
    }
    if (event && (!next || event.at < next.at)) next = event;
  }
  return next;
}

/** True while some running clock is past its deadline. */
export const isOverdue = (state: Pick<ReportState, 'clocks'>): boolean =>
  state.clocks.some((c) => c.stoppedAt === undefined && c.overdue);

/**
 * Gives a running clock a schedule fixed again (a policy adopted, a calendar imported), and judges
 * its warning, deadline and rungs against `now` afresh: what had fired and is still past stays
 * fired (its notification went out, under a key that would add nothing again); what the new
 * schedule puts in the future fires again when it comes; what it puts in the past and never
 * fired fires at once.
 */
export function rescheduleClockState(clock: ClockState, schedule: ClockSchedule, now: string): void {
  const at = (iso: string) => ms(iso) + clock.pausedMs;
  const nowMs = ms(now);
  clock.schedule = schedule;
  if (clock.warned && at(schedule.warnAt) > nowMs) clock.warned = false;
  if (clock.overdue && at(schedule.dueAt) > nowMs) clock.overdue = false;
  let fired = 0;
  while (
    clock.overdue &&
    fired < clock.rungsFired &&
    fired < schedule.rungs.length &&
    at(schedule.rungs[fired]!.at) <= nowMs
  )
    fired += 1;
  clock.rungsFired = fired;
}
