import { Value } from 'typebox/value';
import type { OptionalClock, Policy } from '../policy.js';
import type { Actor, ClockName, Role } from '../vocabulary.js';
import { endClock, pauseClockState, resumeClockState, runningClock, stopClock } from './clocks.js';
import type { Effect } from './effects.js';
import type { RuleSet } from './rule-changes.js';
import type { TimelineEventType } from './timeline-events.js';
import type { ReportState, Stage, StageName } from './report-state.js';
import { isTerminal } from './report-state.js';
import { reject } from './step-rejected.js';
import { STEP_INPUTS, type StepInput, type StepName } from './step-inputs.js';

/**
 * The report as a state machine: each human step is a guard (role, unit, stage, input) and a pure
 * transition that mutates the state, appends to the timeline and returns effects for the workflow.
 * The workflow's Update validators call {@link guardStep}; its handlers call {@link applyStep}.
 */

export interface StepContext {
  readonly actor: Actor;
  readonly now: string;
  readonly policy: Policy;
  /** Which of the rule changes since 0.1.0 this step is judged by (see rule-changes.ts). */
  readonly rules: RuleSet;
}

export interface StepDef<S extends StepName> {
  readonly roles: readonly Role[];
  /** Stages the step applies in; `open` means any non-terminal stage. */
  readonly stages: readonly StageName[] | 'open';
  /** Handlers may act only for the unit the report is assigned to. */
  readonly unitScoped?: boolean;
  readonly check?: (s: ReportState, input: StepInput<S>, ctx: StepContext) => void;
  readonly apply: (s: ReportState, input: StepInput<S>, ctx: StepContext) => Effect[];
}

export type StepTable = { readonly [S in StepName]: StepDef<S> };

/**
 * A group of step definitions, each typed by its own input: the names are written once, as keys,
 * and `STEPS` (steps.ts) fails to compile until every step of STEP_INPUTS has a definition.
 */
export const defineSteps = <K extends StepName>(defs: { readonly [S in K]: StepDef<S> }) => defs;

/** The unit a report is with; a step that needs one refuses a report that has none. */
export const unitOf = (s: ReportState): string => s.unitId ?? reject('wrong_stage', 'the report has no unit');

export function record(
  s: ReportState,
  type: TimelineEventType,
  ctx: Pick<StepContext, 'now'> & { actor?: Actor },
  data?: Record<string, unknown>,
): void {
  s.timeline.push({
    sequence: s.timeline.length + 1,
    type,
    at: ctx.now,
    ...(ctx.actor ? { actor: ctx.actor } : {}),
    ...(data ? { data } : {}),
  });
}

export function setStage(s: ReportState, stage: Stage): void {
  s.stage = stage;
  if (isTerminal(stage)) s.closedAt ??= s.timeline.at(-1)?.at;
}

/**
 * Stops a clock whose step was done, and records whether it was done in time; `unitId` picks the
 * clock a supporting unit owes.
 */
export function finishClock(s: ReportState, clock: ClockName, now: string, unitId?: string): void {
  const onTime = stopClock(s, clock, now, 'done', unitId);
  if (onTime !== undefined)
    record(s, 'clock_stopped', { now }, { clock, onTime, ...(unitId === undefined ? {} : { unitId }) });
}

/**
 * Stops a clock whose step was never done — the report was withdrawn, merged, cancelled, or left
 * the unit — so that no figure counts it as done, on time or late.
 */
export function haltClock(s: ReportState, clock: ClockName, now: string): void {
  if (stopClock(s, clock, now, 'stopped') !== undefined)
    record(s, 'clock_stopped', { now }, { clock, how: 'stopped' });
}

/** Stops a clock whose deadline a new one replaces (the step goes on, under the new clock). */
export function supersedeClock(s: ReportState, clock: ClockName, now: string): void {
  if (stopClock(s, clock, now, 'superseded') !== undefined)
    record(s, 'clock_stopped', { now }, { clock, how: 'superseded' });
}

/** Starts a clock a policy may leave out (version 3 on), if the report's policy runs it. */
export const startOptionalClock = (policy: Policy, clock: OptionalClock): Effect[] =>
  policy.clocks[clock] ? [{ kind: 'start_clock', clock }] : [];

/**
 * Entering 待反馈 once the hazard is dealt with: if an interim reply already answered the feedback
 * clock, the final reply has a clock of its own.
 */
export const awaitFinalReply = (s: ReportState, policy: Policy): Effect[] =>
  runningClock(s, 'feedback') ? [] : startOptionalClock(policy, 'final_reply');

/** Halts every running clock: the report ends without their steps being done. */
export function stopAllClocks(s: ReportState, now: string): void {
  // Each clock itself: several of one name may run (one per supporting unit).
  for (const c of s.clocks) {
    if (c.stoppedAt !== undefined) continue;
    endClock(c, now, 'stopped');
    record(
      s,
      'clock_stopped',
      { now },
      {
        clock: c.schedule.clock,
        how: 'stopped',
        ...(c.unitId === undefined ? {} : { unitId: c.unitId }),
      },
    );
  }
}

/**
 * The verification clock the unit holding the report answers to: its own, after an approved return
 * or dispute (policy version 4 on), else the report's.
 */
export const verificationClockOf = (s: ReportState): ClockName =>
  runningClock(s, 'unit_verification') ? 'unit_verification' : 'verification';

/** The clock that a handler's pause (补充材料) applies to at the current stage. */
export function stepClockOf(s: ReportState): ClockName | undefined {
  const stage = s.stage;
  if (stage.name === 'assigned' || stage.name === 'verifying') return verificationClockOf(s);
  if (stage.name === 'rectifying') return 'rectification';
  if (stage.name === 'received') return 'acceptance';
  return undefined;
}

export function pauseStepClock(s: ReportState, now: string): ClockName {
  const name = stepClockOf(s);
  const clock = name ? runningClock(s, name) : undefined;
  if (!name || !clock) return reject('wrong_stage', `no running step clock at stage ${s.stage.name}`);
  pauseClockState(clock, now);
  return name;
}

/**
 * Ends a 补充材料 pause under policy version 4 on: every clock it held (the step's, and the feedback
 * clock where the wait was the reporter's) runs again, its schedule moved by the pause (the effects
 * runner asks the calendar). `automatic` when the pause reached the policy's maximum.
 */
export function endPause(
  s: ReportState,
  ctx: Pick<StepContext, 'now'> & { actor?: Actor },
  how: { automatic: boolean; note?: string },
): Effect[] {
  const effects: Effect[] = [];
  for (const c of s.clocks) {
    if (c.stoppedAt !== undefined || c.pausedSince === undefined || c.pauseUntil === undefined) continue;
    const from = c.pausedSince;
    // A pause that reached its limit lasted until the limit, however late the timer ran.
    const to = how.automatic ? c.pauseUntil : ctx.now;
    delete c.pausedSince;
    delete c.pauseUntil;
    record(s, 'clock_resumed', ctx, {
      clock: c.schedule.clock,
      pausedMs: Date.parse(to) - Date.parse(from),
      ...(how.automatic ? { automatic: true } : {}),
      ...(how.note ? { note: how.note } : {}),
    });
    effects.push({ kind: 'shift_clock', clock: c.schedule.clock, from, to });
  }
  return effects;
}

export function resumeStepClock(
  s: ReportState,
  now: string,
): { clock: ClockName; pausedMs: number } | undefined {
  for (const c of s.clocks) {
    if (c.stoppedAt === undefined && c.pausedSince !== undefined && c.schedule.clock !== 'feedback') {
      return { clock: c.schedule.clock, pausedMs: resumeClockState(c, now) };
    }
  }
  return undefined;
}

function checkInput<S extends StepName>(step: S, input: unknown): asserts input is StepInput<S> {
  if (!Value.Check(STEP_INPUTS[step], input)) {
    const [first] = [...Value.Errors(STEP_INPUTS[step], input)];
    reject('invalid_input', `${step}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
}

/** Throws {@link StepRejected} unless `step` is allowed now, for this actor, with this input. */
export function guardStep<S extends StepName>(
  table: StepTable,
  step: S,
  s: ReportState,
  input: unknown,
  ctx: Omit<StepContext, 'actor'>,
): StepInput<S> {
  checkInput(step, input);
  const def = table[step] as StepDef<S>;
  const actor = input.actor as Actor;
  if (!def.roles.includes(actor.role)) reject('not_allowed', `${step} is not for the ${actor.role} role`);
  const allowed = def.stages === 'open' ? !isTerminal(s.stage) : def.stages.includes(s.stage.name);
  if (!allowed) reject('wrong_stage', `${step} does not apply at stage ${s.stage.name}`);
  if (def.unitScoped && actor.role === 'handler' && actor.unitId !== s.unitId) {
    reject('not_allowed', `${step}: the report is not assigned to unit ${actor.unitId ?? '(none)'}`);
  }
  def.check?.(s, input, { ...ctx, actor });
  return input;
}

/** Guards, then applies the transition; returns the effects for the workflow to carry out. */
export function applyStep<S extends StepName>(
  table: StepTable,
  step: S,
  s: ReportState,
  input: unknown,
  ctx: Omit<StepContext, 'actor'>,
): Effect[] {
  const valid = guardStep(table, step, s, input, ctx);
  const def = table[step] as StepDef<S>;
  return def.apply(s, valid, { ...ctx, actor: valid.actor });
}
