import { scheduleClock, ScheduleError, type DeadlineCalendar } from './deadline-schedule.js';
import type { Policy } from './policy.js';
import { proposeRewardAmount, type RewardBasis } from './reward-rule.js';
import type { ClockName, Urgency } from './vocabulary.js';

/**
 * What-if (issue 17, B3): what a proposed policy would have decided for reports already handled,
 * from recorded facts only — each step's recorded start and end — with the same deadline code the
 * workflow uses. Pure: the caller reads the facts (scripts/what-if.ts, the API) and renders them.
 *
 * A clock's recorded deadline may differ from what its own policy computes from its start: a pause
 * moved it, or an approved extension replaced it. That difference is carried over to the proposed
 * deadline, so a report paused for three days is judged with the same three days under either.
 * Only clocks whose step was done count, as in the on-time statistics; misrouted ones are left out.
 */

export interface ClockFact {
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly unitId: string | null;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly stoppedAt: string | null;
  readonly endedHow: string | null;
  readonly misrouted: boolean;
}

export interface ReportFact {
  readonly reportId: string;
  readonly urgency: Urgency;
  /** The rectification deadline the handler set, when there was one. */
  readonly rectificationDueAt: string | null;
  /** The policy the report ran under, as recorded. */
  readonly policy: Policy;
  /** The reward as proposed: the basis and what the rule gave (recorded from 0.8 on). */
  readonly reward?: { readonly basis: RewardBasis; readonly computedAmountFen: number };
  readonly clocks: readonly ClockFact[];
}

export interface WhatIfRow {
  readonly clock: ClockName;
  /** Null in a step's total row; the unit that owed the step otherwise. */
  readonly unitId: string | null;
  readonly completed: number;
  readonly onTimeBefore: number;
  readonly onTimeAfter: number;
  /** On time as recorded, late under the proposal. */
  readonly breachesAppear: number;
  /** Late as recorded, on time under the proposal. */
  readonly breachesDisappear: number;
}

export interface WhatIfResult {
  readonly proposal: { readonly id: string; readonly version: number };
  readonly reports: number;
  readonly byStep: readonly WhatIfRow[];
  readonly byUnit: readonly WhatIfRow[];
  /** Clocks left out, and why: the proposal runs no such clock, or its deadline cannot be computed. */
  readonly skipped: Readonly<Record<string, number>>;
  /**
   * Rewards the proposal's rule would have computed otherwise, from each proposal's recorded basis
   * (before any override, which people made and would make again).
   */
  readonly rewards: {
    readonly compared: number;
    readonly changed: number;
    readonly beforeFen: number;
    readonly afterFen: number;
  };
}

const DAY = 86_400_000;

/** The deadline a policy fixes for a recorded start, or undefined where it runs no such clock. */
function deadlineUnder(
  policy: Policy,
  calendar: DeadlineCalendar,
  report: ReportFact,
  c: ClockFact,
): number | undefined {
  if (!(c.clock in policy.clocks) || !policy.clocks[c.clock as keyof Policy['clocks']]) return undefined;
  // Each rectification ran to the deadline the handler set for it (a rejected review sets another).
  const handlerDueAt = c.clock === 'rectification' ? c.dueAt : undefined;
  try {
    return Date.parse(
      scheduleClock(policy, calendar, {
        clock: c.clock,
        occurrence: c.occurrence,
        startedAt: c.startedAt,
        urgency: report.urgency,
        ...(handlerDueAt ? { handlerDueAt } : {}),
      }).dueAt,
    );
  } catch (err) {
    // A handler's rectification deadline beyond the proposal's cap: the cap would have held it.
    if (err instanceof ScheduleError && c.clock === 'rectification')
      return Date.parse(c.startedAt) + policy.clocks.rectification.due.maxCalendarDays * DAY;
    throw err;
  }
}

/** All at once, for a small set of facts. */
export function whatIf(
  reports: readonly ReportFact[],
  proposal: Policy,
  calendar: DeadlineCalendar,
): WhatIfResult {
  const tally = whatIfTally(proposal, calendar);
  for (const report of reports) tally.add(report);
  return tally.result();
}

/** Report by report, for a period read in batches (100,000 reports need not sit in memory at once). */
export function whatIfTally(proposal: Policy, calendar: DeadlineCalendar) {
  let count = 0;
  const rows = new Map<string, { -readonly [K in keyof WhatIfRow]: WhatIfRow[K] }>();
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  const add = (clock: ClockName, unitId: string | null, before: boolean, after: boolean) => {
    const key = `${clock}\u0000${unitId ?? ''}`;
    const row = rows.get(key) ?? {
      clock,
      unitId,
      completed: 0,
      onTimeBefore: 0,
      onTimeAfter: 0,
      breachesAppear: 0,
      breachesDisappear: 0,
    };
    rows.set(key, row);
    row.completed += 1;
    if (before) row.onTimeBefore += 1;
    if (after) row.onTimeAfter += 1;
    if (before && !after) row.breachesAppear += 1;
    if (!before && after) row.breachesDisappear += 1;
  };
  const rewards = { compared: 0, changed: 0, beforeFen: 0, afterFen: 0 };
  function addReport(report: ReportFact): void {
    count += 1;
    if (report.reward) {
      const after = proposeRewardAmount(proposal.reward.rule, report.reward.basis).amountFen;
      rewards.compared += 1;
      rewards.beforeFen += report.reward.computedAmountFen;
      rewards.afterFen += after;
      if (after !== report.reward.computedAmountFen) rewards.changed += 1;
    }
    for (const c of report.clocks) {
      if (c.endedHow !== 'done' || c.stoppedAt === null || c.misrouted) continue;
      let recorded: number | undefined;
      let proposed: number | undefined;
      try {
        recorded = deadlineUnder(report.policy, calendar, report, c);
        proposed = deadlineUnder(proposal, calendar, report, c);
      } catch {
        skip(`${c.clock}: deadline not computable`);
        continue;
      }
      if (proposed === undefined) {
        skip(`${c.clock}: not run under the proposal`);
        continue;
      }
      // A pause or an extension moved the recorded deadline: the proposal's moves alike.
      const offset = recorded === undefined ? 0 : Date.parse(c.dueAt) - recorded;
      const stopped = Date.parse(c.stoppedAt);
      const before = stopped <= Date.parse(c.dueAt);
      const after = stopped <= proposed + offset;
      add(c.clock, null, before, after);
      if (c.unitId !== null) add(c.clock, c.unitId, before, after);
    }
  }
  function result(): WhatIfResult {
    const all = [...rows.values()].sort(
      (a, b) => a.clock.localeCompare(b.clock) || (a.unitId ?? '').localeCompare(b.unitId ?? ''),
    );
    return {
      proposal: { id: proposal.id, version: proposal.version },
      reports: count,
      byStep: all.filter((r) => r.unitId === null),
      byUnit: all.filter((r) => r.unitId !== null),
      skipped: { ...skipped },
      rewards: { ...rewards },
    };
  }
  return { add: addReport, result };
}
