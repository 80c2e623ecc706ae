import { pauseClockState, runningClock } from './clocks.js';
import type { Effect, Recipient } from './effects.js';
import {
  defineSteps,
  finishClock,
  pauseStepClock,
  record,
  startOptionalClock,
  stepClockOf,
  type StepContext,
} from './machine.js';
import type { ReportState } from './report-state.js';
import type { StepInput } from './step-inputs.js';
import { reject } from './step-rejected.js';

/**
 * What the dispatcher or the supervisor approves for a unit: an extension (延期, version 5 on) and,
 * where the policy says so (version 7 on), a pause for 补充材料. Both wait under the one
 * `extension_decision` clock, one request at a time, and the same person decides them: the
 * supervisor for a major hazard (挂牌督办), the dispatcher (or the supervisor above them) otherwise.
 */

/** Whether some request waits for its decision. */
export const awaitingApproval = (s: ReportState): boolean =>
  (s.extensions ?? []).some((e) => e.decision === undefined) ||
  (s.pauseRequests ?? []).some((p) => p.decision === undefined);

/** Who decides the report's requests, and hears of them. */
export const approverOf = (s: ReportState): Recipient =>
  s.verification?.majorHazard ? { kind: 'supervisors' } : { kind: 'dispatch_centre' };

/** Refuses a decision by someone who may not take it. */
export function checkApprover(s: ReportState, ctx: StepContext, what: string): void {
  if (s.verification?.majorHazard && ctx.actor.role !== 'supervisor')
    reject('not_allowed', `the supervisor decides ${what} of a major hazard's deadlines`);
}

/** A unit's pause waits for approval where the policy wants it; the dispatcher's own does not. */
export const pauseNeedsApproval = (ctx: Pick<StepContext, 'policy' | 'actor'>): boolean =>
  ctx.policy.pause?.approval === 'required' && ctx.actor.role === 'handler';

type PauseInput = Pick<StepInput<'pauseClock'>, 'waitingFor' | 'reason'>;

/** Pauses the step's clock (补充材料), as policy version 4 on counts and limits a pause. */
export function pauseStep(s: ReportState, input: PauseInput, ctx: StepContext): Effect[] {
  const clock = pauseStepClock(s, ctx.now);
  if (!ctx.policy.pause) {
    record(s, 'clock_paused', ctx, { clock, waitingFor: input.waitingFor, reason: input.reason });
    return [];
  }
  // 补充材料 (version 4 on): counted, limited in time, and a wait for the reporter holds the time
  // to answer them too.
  const step = runningClock(s, clock)!;
  step.pauses = (step.pauses ?? 0) + 1;
  const held = [clock];
  const feedback = runningClock(s, 'feedback');
  if (input.waitingFor === 'reporter' && feedback && feedback.pausedSince === undefined) {
    pauseClockState(feedback, ctx.now);
    held.push('feedback');
  }
  record(s, 'clock_paused', ctx, {
    clock,
    waitingFor: input.waitingFor,
    reason: input.reason,
    ...(held.length > 1 ? { alsoHeld: held.slice(1) } : {}),
  });
  return [{ kind: 'fix_pause_limit', clocks: held }];
}

/** A unit asks to pause its step's clock: the clock runs on until the request is approved. */
export function requestPause(s: ReportState, input: PauseInput, ctx: StepContext): Effect[] {
  const clock = stepClockOf(s)!;
  (s.pauseRequests ??= []).push({
    clock,
    unitId: s.unitId,
    requestedAt: ctx.now,
    by: ctx.actor.id,
    waitingFor: input.waitingFor,
    reason: input.reason,
  });
  record(s, 'pause_requested', ctx, { clock, waitingFor: input.waitingFor, reason: input.reason });
  return [
    ...startOptionalClock(ctx.policy, 'extension_decision'),
    {
      kind: 'notify',
      notification: {
        kind: 'pause_request',
        recipient: approverOf(s),
        payload: { unitId: s.unitId ?? null, clock, waitingFor: input.waitingFor, reason: input.reason },
      },
    },
  ];
}

const pendingPause = (s: ReportState) => s.pauseRequests?.find((p) => p.decision === undefined);

export const pauseApprovalSteps = defineSteps({
  decidePause: {
    roles: ['dispatcher', 'supervisor'],
    // Whatever the report has reached since, a request waiting is decided (and may have lapsed).
    stages: 'open',
    check(s, _input, ctx) {
      if (!pendingPause(s)) reject('wrong_stage', 'no pause request is waiting');
      checkApprover(s, ctx, 'pauses');
    },
    apply(s, input, ctx) {
      const request = pendingPause(s)!;
      const clock = runningClock(s, request.clock);
      // The step it would pause is over or with another unit, already paused or out of pauses:
      // approving changes nothing.
      const lapsed =
        input.decision === 'approved' &&
        (request.unitId !== s.unitId ||
          stepClockOf(s) !== request.clock ||
          !clock ||
          clock.pausedSince !== undefined ||
          (clock.pauses ?? 0) >= (ctx.policy.pause?.maxPauses ?? Infinity));
      request.decision = {
        at: ctx.now,
        by: ctx.actor.id,
        decision: input.decision,
        reason: input.reason,
        ...(lapsed ? { lapsed: true as const } : {}),
      };
      finishClock(s, 'extension_decision', ctx.now);
      record(s, 'pause_decided', ctx, {
        clock: request.clock,
        decision: input.decision,
        reason: input.reason,
        ...(lapsed ? { lapsed: true } : {}),
      });
      const notice: Effect[] = request.unitId
        ? [
            {
              kind: 'notify',
              notification: {
                kind: 'pause_decision',
                recipient: { kind: 'unit', unitId: request.unitId },
                payload: { clock: request.clock, decision: input.decision, ...(lapsed ? { lapsed } : {}) },
              },
            },
          ]
        : [];
      if (input.decision === 'refused' || lapsed) return notice;
      return [...pauseStep(s, request, ctx), ...notice];
    },
  },
});
