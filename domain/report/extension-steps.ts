import { effectiveDueAt, runningClock } from './clocks.js';
import { notifyUnit, type Effect } from './effects.js';
import {
  defineSteps,
  finishClock,
  record,
  setStage,
  startOptionalClock,
  supersedeClock,
  unitOf,
  verificationClockOf,
} from './machine.js';
import type { ExtensionRequest, ReportState } from './report-state.js';
import { approverOf, awaitingApproval, checkApprover } from './pause-approval.js';
import { reject } from './step-rejected.js';

/**
 * 延期申请 (policy version 5 on): a unit asks to extend its verification or rectification deadline,
 * with a reason and a proposed date; the dispatcher (an ordinary hazard) or the supervisor (a major
 * one) approves, shortens or refuses it within a deadline of its own. An approved extension replaces
 * the step's clock by one due at the new date — the old ladder stops, the new one climbs from the
 * new deadline — and says so in its provenance. The policy limits how often and how far.
 */

const DAY = 86_400_000;

const pendingOf = (s: ReportState): ExtensionRequest | undefined =>
  s.extensions?.findLast((e) => e.decision === undefined);

/** The step clock a unit may ask to extend at the report's stage. */
function extendableClock(s: ReportState): ExtensionRequest['clock'] | undefined {
  if (s.stage.name === 'rectifying') return 'rectification';
  if (s.stage.name === 'assigned' || s.stage.name === 'verifying') {
    const clock = verificationClockOf(s);
    return clock === 'verification' || clock === 'unit_verification' ? clock : undefined;
  }
  return undefined;
}

export const extensionSteps = defineSteps({
  requestExtension: {
    roles: ['handler'],
    stages: ['assigned', 'verifying', 'rectifying'],
    unitScoped: true,
    check(s, input, ctx) {
      const limits = ctx.policy.extensions ?? reject('not_allowed', 'the policy grants no extensions');
      if (extendableClock(s) !== input.clock)
        reject(
          'wrong_stage',
          `the ${input.clock} deadline is not the unit's to extend at stage ${s.stage.name}`,
        );
      const clock = runningClock(s, input.clock);
      if (!clock || clock.pausedSince !== undefined)
        reject('wrong_stage', `the ${input.clock} clock is not running`);
      if (awaitingApproval(s)) reject('wrong_stage', 'a request is already waiting for its decision');
      const asked = (s.extensions ?? []).filter((e) => e.clock === input.clock).length;
      if (asked >= limits.maxPerClock)
        reject(
          'not_allowed',
          `the policy allows ${limits.maxPerClock} extension request(s) of the ${input.clock} deadline`,
        );
      const due = effectiveDueAt(clock!);
      const proposed = Date.parse(input.proposedDueAt);
      if (!(proposed > due))
        reject('invalid_input', 'an extension proposes a date after the current deadline');
      if (proposed > due + limits.maxCalendarDays * DAY)
        reject('invalid_input', `an extension may add at most ${limits.maxCalendarDays} days`);
    },
    apply(s, input, ctx) {
      const unitId = unitOf(s);
      const dueAt = new Date(effectiveDueAt(runningClock(s, input.clock)!)).toISOString();
      (s.extensions ??= []).push({
        clock: input.clock,
        unitId,
        requestedAt: ctx.now,
        by: ctx.actor.id,
        reason: input.reason,
        proposedDueAt: input.proposedDueAt,
        dueAt,
      });
      record(s, 'extension_requested', ctx, {
        unitId,
        clock: input.clock,
        dueAt,
        proposedDueAt: input.proposedDueAt,
        reason: input.reason,
      });
      return [
        ...startOptionalClock(ctx.policy, 'extension_decision'),
        {
          kind: 'notify',
          notification: {
            kind: 'extension_request',
            recipient: approverOf(s),
            payload: { unitId, clock: input.clock, dueAt, proposedDueAt: input.proposedDueAt },
          },
        },
      ];
    },
  },
  decideExtension: {
    roles: ['dispatcher', 'supervisor'],
    // A request waits for its decision whatever the report reached meanwhile: one left at a stage
    // the step no longer applies in would keep its decision clock running for ever.
    stages: 'open',
    check(s, input, ctx) {
      const pending = pendingOf(s) ?? reject('wrong_stage', 'no extension request is waiting');
      checkApprover(s, ctx, 'extensions');
      if (input.decision === 'shortened') {
        const at = Date.parse(input.dueAt ?? '');
        if (!(at > Date.parse(pending.dueAt) && at < Date.parse(pending.proposedDueAt)))
          reject(
            'invalid_input',
            'a shortened extension sets a dueAt between the current deadline and the proposed one',
          );
      } else if (input.dueAt !== undefined)
        reject('invalid_input', `an extension ${input.decision} takes no dueAt`);
    },
    apply(s, input, ctx) {
      const pending = pendingOf(s)!;
      const dueAt = input.decision === 'approved' ? pending.proposedDueAt : input.dueAt;
      pending.decision = {
        at: ctx.now,
        by: ctx.actor.id,
        decision: input.decision,
        ...(dueAt && input.decision !== 'refused' ? { dueAt } : {}),
        reason: input.reason,
      };
      finishClock(s, 'extension_decision', ctx.now);
      record(s, 'extension_decided', ctx, {
        unitId: pending.unitId,
        clock: pending.clock,
        decision: input.decision,
        ...(input.decision !== 'refused' ? { dueAt } : {}),
        reason: input.reason,
      });
      const notice = notifyUnit(pending.unitId, 'extension_decision', {
        clock: pending.clock,
        decision: input.decision,
        ...(input.decision !== 'refused' ? { dueAt } : {}),
      });
      const clock = runningClock(s, pending.clock);
      // Refused, or the step was done meanwhile: the deadline stands.
      if (input.decision === 'refused' || !clock) return [notice];
      supersedeClock(s, pending.clock, ctx.now);
      if (pending.clock === 'rectification' && s.rectification && s.stage.name === 'rectifying') {
        s.rectification.dueAt = dueAt!;
        setStage(s, { ...s.stage, dueAt: dueAt! });
      }
      const extended: Effect = {
        kind: 'start_clock',
        clock: pending.clock,
        startedAt: clock.schedule.startedAt,
        // The extension fixes the deadline itself: no urgency-dependent limit is looked up.
        extension: { dueAt: dueAt!, approvedBy: ctx.actor.id, reason: input.reason },
      };
      return [extended, notice];
    },
  },
});
