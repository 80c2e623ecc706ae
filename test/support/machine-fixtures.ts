import { readFileSync } from 'node:fs';
import { scheduleClock, shiftSchedule } from '../../domain/deadline-schedule.js';
import { validatePolicy, type Policy } from '../../domain/policy.js';
import { addClock, nextOccurrence, runningClock } from '../../domain/report/clocks.js';
import type { Effect } from '../../domain/report/effects.js';
import { applyStep, guardStep } from '../../domain/report/machine.js';
import { newReport } from '../../domain/report/new-report.js';
import { NEWEST_RULES } from '../../domain/report/rule-changes.js';
import type { ReportState, StageName } from '../../domain/report/report-state.js';
import type { StepInput, StepName } from '../../domain/report/step-inputs.js';
import { StepRejected, type StepRejectionCode } from '../../domain/report/step-rejected.js';
import { STEPS } from '../../domain/report/steps.js';
import { workCalendar } from '../../domain/work-calendar.js';
import { anIntake, people, NOT_EXCLUDED } from './reports.js';

/**
 * Pure drivers for the report state machine: the real step table and the default policy, with
 * `start_clock` effects turned into clocks the way the workflow's effects runner does (so pauses
 * and stopped clocks can be asserted without Temporal).
 */

/** A shipped policy file, validated as the worker would. */
export const loadPolicy = (file: string): Policy =>
  validatePolicy(JSON.parse(readFileSync(new URL(`../../policies/${file}`, import.meta.url), 'utf8')), file);
export const policy: Policy = loadPolicy('district-default.v1.json');

const HOUR = 3_600_000;
/** Monday 2026-11-23 09:30 Beijing time. */
export const T0 = '2026-11-23T01:30:00.000Z';
export const after = (hours: number, from = T0): string =>
  new Date(Date.parse(from) + hours * HOUR).toISOString();

/** A report just received at {@link T0}, with its acceptance and feedback clocks running. */
export function receivedReport(
  overrides: Parameters<typeof anIntake>[0] = {},
  p: Policy = policy,
): ReportState {
  const intake = anIntake({ receivedAt: T0, ...overrides });
  const s = newReport(`report-${intake.externalId}`, intake, { id: p.id, version: p.version }, T0);
  runEffects(
    s,
    [
      { kind: 'start_clock', clock: 'acceptance' },
      { kind: 'start_clock', clock: 'feedback' },
    ],
    T0,
    p,
  );
  return s;
}

function runEffects(s: ReportState, effects: readonly Effect[], now: string, p: Policy): void {
  for (const e of effects) {
    if (e.kind === 'fix_pause_limit') {
      const until = new Date(
        workCalendar.addWorkingDays(Date.parse(now), p.pause!.maxWorkingDays),
      ).toISOString();
      for (const name of e.clocks) runningClock(s, name)!.pauseUntil = until;
      continue;
    }
    if (e.kind === 'shift_clock') {
      const clock = runningClock(s, e.clock)!;
      clock.schedule = shiftSchedule(p, workCalendar, clock.schedule, { from: e.from, to: e.to });
      continue;
    }
    if (e.kind !== 'start_clock') continue;
    const startedAt =
      e.startedAt ??
      (e.clock === 'acceptance' || (e.clock === 'feedback' && s.reopens === 0) ? s.intake.receivedAt : now);
    addClock(
      s,
      scheduleClock(p, workCalendar, {
        clock: e.clock,
        occurrence: nextOccurrence(s, e.clock),
        startedAt,
        ...(e.urgency ? { urgency: e.urgency } : {}),
        ...(e.handlerDueAt ? { handlerDueAt: e.handlerDueAt } : {}),
        ...(e.extension ? { extension: e.extension } : {}),
      }),
      e.forUnitId,
    );
  }
}

/** Applies a step at `now` (default {@link T0}) and carries out its clock effects; returns all effects. */
export function drive<S extends StepName>(
  s: ReportState,
  step: S,
  input: StepInput<S>,
  now = T0,
  p: Policy = policy,
): Effect[] {
  const effects = applyStep(STEPS, step, s, input, { now, policy: p, rules: NEWEST_RULES });
  runEffects(s, effects, now, p);
  return effects;
}

const { dispatcher, handlerA, reviewer, intake, proposer, approver } = people;
export const RECTIFY_BY = after(24 * 10);

const review: [StepName, StepInput<StepName>] = [
  'reviewRectification',
  { actor: reviewer, approved: true, comment: '同意销号' },
];

/** The main line, step by step, each taken one hour after the one before. */
export const mainLine = (majorHazard: boolean): [StepName, StepInput<StepName>][] => [
  ['acceptReport', { actor: dispatcher, urgency: 'general', category: 'fire', domain: 'e_bikes' }],
  ['assignReport', { actor: dispatcher, unitId: 'unit-a', routing: 'rule' }],
  ['startVerification', { actor: handlerA }],
  [
    'submitVerification',
    {
      actor: handlerA,
      outcome: 'substantiated',
      findings: '属实',
      hazardsFound: 2,
      majorHazard,
      illegalActivity: true,
    },
  ],
  [
    'orderRectification',
    {
      actor: handlerA,
      measures: ['order_rectification'],
      dueAt: RECTIFY_BY,
      ...(majorHazard ? { fivePoints: FIVE_POINTS } : {}),
    },
  ],
  ['reportRectification', { actor: handlerA, summary: '已整改' }],
  ...(majorHazard ? [review] : []),
  ['giveFeedback', { actor: handlerA, summary: '已整改完毕' }],
  ['recordSatisfaction', { actor: intake, rating: 'satisfied', resolved: true }],
  [
    'proposeReward',
    {
      actor: proposer,
      basis: { kind: 'fine', fineFen: 0 },
      declaration: NOT_EXCLUDED,
    },
  ],
  ['decideReward', { actor: approver, decision: 'approved' }],
];

export const FIVE_POINTS = {
  responsibility: '企业主要负责人',
  measures: '拆除违章搭建',
  funding: '企业自筹20万元',
  timeLimit: '30日内',
  contingencyPlan: '临时疏散预案',
};

/**
 * A report driven along the main line (by unit A) until it reaches `stage`; `majorHazard` takes the
 * major-hazard line (five fixed points, review before write-off). Returns the state and the time.
 */
export function reportAt(
  stage: StageName,
  opts: { majorHazard?: boolean; intake?: Parameters<typeof anIntake>[0]; policy?: Policy } = {},
): { s: ReportState; now: string } {
  const s = receivedReport(opts.intake, opts.policy);
  let now = T0;
  for (const [step, input] of mainLine(opts.majorHazard ?? false)) {
    if (s.stage.name === stage) return { s, now };
    now = after(1, now);
    drive(s, step, input, now, opts.policy);
  }
  if (s.stage.name !== stage) throw new Error(`the main line never reaches ${stage}`);
  return { s, now };
}

const BOOKKEEPING = ['deadline_fixed', 'clock_stopped', 'policy_fixed'];
/** The event types of a timeline, without bookkeeping (deadline_fixed, clock_stopped, policy_fixed). */
export const stepEvents = (s: Pick<ReportState, 'timeline'>): string[] =>
  s.timeline.map((e) => e.type).filter((t) => !BOOKKEEPING.includes(t));

/** A report driven to `stage`, and `now` one hour after it got there. */
export function at(
  stage: StageName,
  opts: Parameters<typeof reportAt>[1] = {},
): { s: ReportState; now: string } {
  const { s, now } = reportAt(stage, opts);
  return { s, now: after(1, now) };
}

/** The code a step is refused with, or `accepted` when the guard lets it through (nothing is applied). */
export function verdict(
  step: StepName,
  s: ReportState,
  input: unknown,
  now: string,
  p: Policy = policy,
): StepRejectionCode | 'accepted' {
  try {
    guardStep(STEPS, step, s, input, { now, policy: p, rules: NEWEST_RULES });
    return 'accepted';
  } catch (err) {
    if (err instanceof StepRejected) return err.code;
    throw err;
  }
}
