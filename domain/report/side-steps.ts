import { acknowledge, assignTo, leaveUnit } from './assignment-steps.js';
import {
  defineSteps,
  finishClock,
  haltClock,
  startOptionalClock,
  record,
  resumeStepClock,
  setStage,
  endPause,
  stepClockOf,
  verificationClockOf,
  stopAllClocks,
} from './machine.js';
import { pauseClockState, resumeClockState, runningClock } from './clocks.js';
import { awaitingApproval, pauseNeedsApproval, pauseStep, requestPause } from './pause-approval.js';
import { STAGE_NAMES, type ReportState } from './report-state.js';
import { reject } from './step-rejected.js';

/**
 * Steps around the main line: assignment disputes (派单异议), the paused clock (补充材料),
 * withdrawal, merging duplicates (重复件) and cancellation.
 */

/** The stages up to and including verification, in lifecycle order (a withdrawal still counts). */
const BEFORE_VERIFICATION = STAGE_NAMES.slice(0, STAGE_NAMES.indexOf('verifying') + 1);
/** The stages before the reporter is answered: where a withdrawal after acceptance stops contact. */
const BEFORE_FEEDBACK = STAGE_NAMES.slice(0, STAGE_NAMES.indexOf('awaiting_feedback') + 1);

export const sideSteps = defineSteps({
  disputeAssignment: {
    roles: ['handler'],
    stages: ['assigned', 'verifying'],
    unitScoped: true,
    check(s, _input, ctx) {
      const assignment = s.assignments.at(-1);
      if (!assignment || Date.parse(ctx.now) > Date.parse(assignment.disputeUntil)) {
        reject(
          'out_of_window',
          `the dispute window closed at ${assignment?.disputeUntil ?? '(never assigned)'}`,
        );
      }
    },
    apply(s, input, ctx) {
      const unitId = s.unitId!;
      const resumeTo = s.stage.name === 'verifying' ? 'verifying' : 'assigned';
      acknowledge(s, ctx.now);
      s.disputes.push({ unitId, at: ctx.now, reason: input.reason });
      // While the dispatcher decides, the unit's verification time does not run.
      const clock = runningClock(s, verificationClockOf(s));
      if (clock) pauseClockState(clock, ctx.now);
      record(s, 'disputed', ctx, {
        unitId,
        reason: input.reason,
        ...(input.suggestedUnitId ? { suggestedUnitId: input.suggestedUnitId } : {}),
      });
      setStage(s, { name: 'disputed', unitId, reason: input.reason, resumeTo });
      return [
        ...startOptionalClock(ctx.policy, 'dispute_decision'),
        {
          kind: 'notify',
          notification: {
            kind: 'dispute_notice',
            recipient: { kind: 'dispatch_centre' },
            payload: { unitId, reason: input.reason },
          },
        },
      ];
    },
  },
  resolveDispute: {
    roles: ['dispatcher'],
    stages: ['disputed'],
    check(s, input) {
      if (input.decision === 'reassigned' && (!input.unitId || input.unitId === s.unitId)) {
        reject('invalid_input', 'a reassignment names another unit (unitId)');
      }
    },
    apply(s, input, ctx) {
      const stage = s.stage.name === 'disputed' ? s.stage : reject('wrong_stage', 'not disputed');
      const dispute = s.disputes.at(-1)!;
      dispute.resolution = { at: ctx.now, by: ctx.actor.id, decision: input.decision };
      finishClock(s, 'dispute_decision', ctx.now);
      record(s, 'dispute_resolved', ctx, {
        decision: input.decision,
        ...(input.unitId ? { unitId: input.unitId } : {}),
      });
      if (input.decision === 'assignment_upheld') {
        const clock = s.clocks.find(
          (c) =>
            c.stoppedAt === undefined &&
            c.pausedSince !== undefined &&
            (c.schedule.clock === 'verification' || c.schedule.clock === 'unit_verification'),
        );
        if (clock) resumeClockState(clock, ctx.now);
        setStage(s, { name: stage.resumeTo, unitId: stage.unitId });
        return [];
      }
      // Misrouted: the first unit's clock ends without counting against it.
      s.assignments.at(-1)!.ended = { at: ctx.now, how: 'reassigned_after_dispute' };
      leaveUnit(s, ctx.now);
      // The report's own clock (from acceptance) goes on, no longer paused by the dispute.
      const reportClock = runningClock(s, 'verification');
      if (s.verificationFromAcceptance && reportClock) resumeClockState(reportClock, ctx.now);
      return assignTo(s, input.unitId!, 'manual', ctx);
    },
  },
  pauseClock: {
    roles: ['handler', 'dispatcher'],
    stages: ['received', 'assigned', 'verifying', 'rectifying'],
    unitScoped: true,
    check(s, _input, ctx) {
      const name = stepClockOf(s);
      const clock = name ? runningClock(s, name) : undefined;
      if (!clock) reject('wrong_stage', 'no step clock is running');
      else if (clock.pausedSince) reject('wrong_stage', `the ${name} clock is already paused`);
      const limit = ctx.policy.pause;
      if (limit && clock && (clock.pauses ?? 0) >= limit.maxPauses)
        reject('not_allowed', `the policy allows ${limit.maxPauses} pause(s) of the ${name} clock`);
      if (pauseNeedsApproval(ctx) && awaitingApproval(s))
        reject('wrong_stage', 'a request is already waiting for its decision');
    },
    apply(s, input, ctx) {
      // A unit's pause is a request where the policy wants it approved (version 7 on).
      if (pauseNeedsApproval(ctx)) return requestPause(s, input, ctx);
      return pauseStep(s, input, ctx);
    },
  },
  resumeClock: {
    roles: ['handler', 'dispatcher'],
    stages: ['received', 'assigned', 'verifying', 'rectifying'],
    unitScoped: true,
    check(s) {
      if (
        !s.clocks.some(
          (c) => c.stoppedAt === undefined && c.pausedSince !== undefined && c.schedule.clock !== 'feedback',
        )
      ) {
        reject('wrong_stage', 'no clock is paused');
      }
    },
    apply(s, input, ctx) {
      if (s.clocks.some((c) => c.stoppedAt === undefined && c.pauseUntil !== undefined))
        return endPause(s, ctx, { automatic: false, ...(input.note ? { note: input.note } : {}) });
      const resumed = resumeStepClock(s, ctx.now)!;
      record(s, 'clock_resumed', ctx, {
        clock: resumed.clock,
        pausedMs: resumed.pausedMs,
        ...(input.note ? { note: input.note } : {}),
      });
      return [];
    },
  },
  withdrawReport: {
    roles: ['intake'],
    stages: BEFORE_FEEDBACK,
    check(s, _input, ctx) {
      const contactStops = ctx.policy.withdrawalAfterAcceptance === 'contact_stops';
      if (!contactStops && !(BEFORE_VERIFICATION as readonly string[]).includes(s.stage.name))
        reject('wrong_stage', `withdrawReport does not apply at stage ${s.stage.name}`);
      if (s.contactStopped) reject('wrong_stage', 'the reporter withdrew already');
    },
    apply(s, input, ctx) {
      // 有举必查: once accepted, a suspected hazard is verified whatever the reporter wants; the
      // withdrawal only ends contact with them (no feedback, callback or reward notice).
      if (s.acceptedAt && ctx.policy.withdrawalAfterAcceptance === 'contact_stops') {
        s.contactStopped = { at: ctx.now, reason: input.reason };
        for (const clock of ['feedback', 'final_reply', 'callback'] as const) haltClock(s, clock, ctx.now);
        record(s, 'contact_stopped', ctx, { reason: input.reason });
        return [];
      }
      stopAllClocks(s, ctx.now);
      record(s, 'withdrawn', ctx, { reason: input.reason });
      setStage(s, { name: 'withdrawn', reason: input.reason });
      return [];
    },
  },
  closeWithdrawnReport: {
    roles: ['dispatcher'],
    stages: 'open',
    check(s) {
      if (!s.contactStopped) reject('wrong_stage', 'only a report its reporter withdrew after acceptance');
    },
    apply(s, input, ctx) {
      stopAllClocks(s, ctx.now);
      record(s, 'withdrawn', ctx, { reason: input.reason, closedBy: ctx.actor.id });
      setStage(s, { name: 'withdrawn', reason: input.reason });
      return [];
    },
  },
  mergeReport: {
    roles: ['dispatcher'],
    stages: ['received', 'accepted', 'assigned', 'returned'],
    check(s, input) {
      if (input.intoReportId === s.reportId) reject('invalid_input', 'a report cannot be merged into itself');
    },
    apply(s, input, ctx) {
      stopAllClocks(s, ctx.now);
      record(s, 'merged_into', ctx, { intoReportId: input.intoReportId });
      setStage(s, { name: 'merged', intoReportId: input.intoReportId });
      return [{ kind: 'link_duplicate', intoReportId: input.intoReportId, duplicate: duplicateLink(s) }];
    },
  },
  cancelReport: {
    roles: ['admin'],
    stages: 'open',
    apply(s, input, ctx) {
      stopAllClocks(s, ctx.now);
      record(s, 'cancelled', ctx, { reason: input.reason });
      setStage(s, { name: 'cancelled', reason: input.reason });
      return [];
    },
  },
});

export const duplicateLink = (s: ReportState) => ({
  reportId: s.reportId,
  reporter: s.reporter,
  acceptedAt: s.acceptedAt,
});
