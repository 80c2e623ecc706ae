import { expect } from 'vitest';
import type { ReportView } from '../../domain/report/report-view.js';
import type { ClockName } from '../../domain/vocabulary.js';
import type { ReportEnv, ReportHandle } from './report-env.js';

/**
 * Reading what the supervision timers of a report did: the warning (预警), the missed deadline
 * and each escalation rung (督办), on the timeline, in the `escalations` table and in the outbox.
 */

/**
 * How long after its instant a clock event may be recorded. The server fires the timer at the
 * instant (never before: the timer is set from the instant); the event then carries the time the
 * worker took the workflow task, and a rung due at the same instant as the missed deadline waits
 * for that event's activities. On the test server these run in real time: tens of milliseconds,
 * seconds at worst on a busy machine. Every instant a test checks is hours or days from its
 * neighbours, so this tolerance cannot hide a wrong instant.
 */
export const DISPATCH_LAG_MS = 10_000;

export const plus = (instant: string, ms: number): string => new Date(Date.parse(instant) + ms).toISOString();

/** Advances the test server's clock to `instant`; nothing happens if it is already past it. */
export async function skipTo(t: ReportEnv, instant: string): Promise<void> {
  const gap = Date.parse(instant) - (await t.now()).getTime();
  if (gap > 0) await t.skip(gap);
}

const CLOCK_EVENTS = ['deadline_warning', 'deadline_missed', 'escalated'];

/** One clock's supervision events on the timeline: [type, rung (escalations only), at]. */
export function firingsOf(v: ReportView, clock: ClockName, occurrence = 1): [string, unknown, string][] {
  return v.timeline
    .filter(
      (e) => CLOCK_EVENTS.includes(e.type) && e.data?.clock === clock && e.data.occurrence === occurrence,
    )
    .map((e) => [e.type, e.data?.rung, e.at]);
}

/** 'on time' when `at` is the instant, give or take the dispatch lag after it; else what it was. */
export function onSchedule(at: string, instant: string): string {
  const lag = Date.parse(at) - Date.parse(instant);
  return lag >= 0 && lag < DISPATCH_LAG_MS ? 'on time' : `at ${at}, ${lag} ms from ${instant}`;
}

export type Expected = readonly [type: string, rung: string | undefined, instant: string];

/** Asserts one clock fired exactly these events, in this order, each at its instant. */
export function expectFirings(
  v: ReportView,
  clock: ClockName,
  expected: readonly Expected[],
  occurrence = 1,
) {
  const fired = firingsOf(v, clock, occurrence);
  expect(
    fired.map(([type, rung, at], i) => [type, rung, expected[i] ? onSchedule(at, expected[i][2]) : at]),
  ).toEqual(expected.map(([type, rung]) => [type, rung, 'on time']));
}

/**
 * The report once the workflow has caught up: `until` holds on its view and the read model has
 * every timeline event, which the workflow projects only after recording the clock event's
 * escalation row and notification.
 */
export async function settled(
  t: ReportEnv,
  h: ReportHandle,
  until: (v: ReportView) => boolean = () => true,
): Promise<ReportView> {
  const caughtUp = async () => {
    const v = await t.view(h);
    const [row] = await t.sql<{ last_sequence: number }[]>`
      select last_sequence from reports where report_id = ${h.workflowId}`;
    return until(v) && row?.last_sequence === v.timeline.length;
  };
  await expect.poll(caughtUp, { timeout: 20_000, interval: 100 }).toBe(true);
  return t.view(h);
}

/** The escalation rows of one clock, in the order they fired. */
export const escalationRows = (t: ReportEnv, h: ReportHandle, clock: ClockName) =>
  t.sql<{ rung: string; occurrence: number; due_at: Date; fired_at: Date; unit_id: string | null }[]>`
    select rung, occurrence, due_at, fired_at, unit_id from escalations
    where report_id = ${h.workflowId} and clock = ${clock} order by fired_at, rung`;

/** The outbox rows a clock's events wrote. */
export async function clockOutbox(t: ReportEnv, h: ReportHandle, clock: ClockName) {
  return (await t.outbox(h.workflowId)).filter((n) => n.payload.clock === clock);
}

const HOUR_MS = 3_600_000;

/**
 * Lets a running clock run out and climb its whole ladder: checks what its provenance says (and its
 * rungs, when given), then that the warning, the missed deadline and every rung each came at its
 * instant. Returns the report at the end.
 */
export async function climbLadder(
  t: ReportEnv,
  h: ReportHandle,
  v: ReportView,
  clock: ClockName,
  provenance: Record<string, unknown>,
  rungs?: readonly string[],
): Promise<ReportView> {
  const running = (x: ReportView) =>
    x.clocks.find((c) => c.schedule.clock === clock && c.stoppedAt === undefined);
  const { schedule } = running(v)!;
  expect(schedule.provenance).toMatchObject(provenance);
  if (rungs) expect(schedule.rungs.map((r) => r.rung)).toEqual(rungs);
  await skipTo(t, plus(schedule.rungs.at(-1)!.at, HOUR_MS));
  const after = await settled(t, h, (x) => running(x)?.rungsFired === schedule.rungs.length);
  expectFirings(after, clock, [
    ['deadline_warning', undefined, schedule.warnAt],
    ['deadline_missed', undefined, schedule.dueAt],
    ...schedule.rungs.map((r) => ['escalated', r.rung, r.at] as const),
  ]);
  return after;
}
