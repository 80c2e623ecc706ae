import { feedbackByUrgency } from '../policy.js';
import { runningClock } from './clocks.js';
import { notifyReporter, notifyUnit, type Effect } from './effects.js';
import {
  defineSteps,
  finishClock,
  haltClock,
  startOptionalClock,
  record,
  setStage,
  supersedeClock,
  unitOf,
  type StepContext,
} from './machine.js';
import type { ReportState } from './report-state.js';
import { reject } from './step-rejected.js';

/** 受理 and 交办: the dispatcher accepts or rejects a report, and hands it to a unit that may return it. */

const HOUR = 3_600_000;

/** Hands the report to a unit: first-receiver responsibility starts, and the verification clock. */
export function assignTo(
  s: ReportState,
  unitId: string,
  routing: 'rule' | 'manual',
  ctx: StepContext,
): Effect[] {
  const disputeUntil = new Date(Date.parse(ctx.now) + ctx.policy.disputeWindowHours * HOUR).toISOString();
  s.assignments.push({ unitId, at: ctx.now, by: ctx.actor.id, routing, disputeUntil });
  s.unitId = unitId;
  finishClock(s, 'assignment', ctx.now);
  record(s, s.assignments.length > 1 ? 'reassigned' : 'assigned', ctx, { unitId, routing, disputeUntil });
  setStage(s, { name: 'assigned', unitId });
  const urgency = s.classification?.urgency ?? s.intake.urgencyHint;
  // Where verification runs from acceptance, the report's clock keeps running: the first unit
  // answers to it, a later one gets its own step clock beside it.
  const verification: Effect[] = !s.verificationFromAcceptance
    ? [{ kind: 'start_clock', clock: 'verification', urgency }]
    : s.assignments.length > 1
      ? [{ kind: 'start_clock', clock: 'unit_verification', urgency }]
      : [];
  return [
    ...verification,
    ...startOptionalClock(ctx.policy, 'acknowledgement'),
    notifyUnit(unitId, 'assignment_notice'),
  ];
}

/** 签收 by acting: a return, a dispute or starting verification answers the assignment too. */
export const acknowledge = (s: ReportState, now: string): void => finishClock(s, 'acknowledgement', now);

/** The unit leaves the report by the dispatcher's decision: its own step clock ends uncounted. */
export function leaveUnit(s: ReportState, now: string): void {
  haltClock(s, 'acknowledgement', now);
  if (s.verificationFromAcceptance) haltClock(s, 'unit_verification', now);
  else haltClock(s, 'verification', now);
}

const currentAssignment = (s: ReportState) => s.assignments.at(-1) ?? reject('wrong_stage', 'never assigned');

export const assignmentSteps = defineSteps({
  acceptReport: {
    roles: ['dispatcher'],
    stages: ['received'],
    apply(s, input, ctx) {
      s.classification = { urgency: input.urgency, category: input.category, domain: input.domain };
      s.acceptedAt = ctx.now;
      finishClock(s, 'acceptance', ctx.now);
      record(s, 'accepted', ctx, { ...s.classification, ...(input.note ? { note: input.note } : {}) });
      setStage(s, { name: 'accepted' });
      const effects: Effect[] = [{ kind: 'resolve_policy' }, { kind: 'start_clock', clock: 'assignment' }];
      // 受理告知 (0.8 on): the reporter, and through them the hotline, hear the report is taken up.
      if (ctx.rules.acceptanceNotice)
        effects.push(
          notifyReporter('acceptance_notice', { urgency: input.urgency, category: input.category }),
        );
      // 核查时限 from acceptance (version 4 on): one clock for the report, whoever holds it.
      if (ctx.policy.verificationFrom === 'acceptance') {
        s.verificationFromAcceptance = true;
        effects.push({ kind: 'start_clock', clock: 'verification', urgency: input.urgency });
      }
      // Where the time to answer depends on urgency (紧急类 24 小时、一般类 7 个工作日), a report the
      // dispatcher classifies otherwise than its intake said answers by its class, still from intake.
      const feedback = runningClock(s, 'feedback');
      if (
        feedback &&
        feedbackByUrgency(ctx.policy) &&
        (feedback.schedule.urgency ?? 'general') !== input.urgency
      ) {
        supersedeClock(s, 'feedback', ctx.now);
        effects.push({ kind: 'start_clock', clock: 'feedback', urgency: input.urgency });
      }
      return effects;
    },
  },
  rejectReport: {
    roles: ['dispatcher'],
    stages: ['received'],
    apply(s, input, ctx) {
      finishClock(s, 'acceptance', ctx.now);
      finishClock(s, 'feedback', ctx.now);
      record(s, 'rejected', ctx, { reason: input.reason });
      setStage(s, { name: 'rejected', reason: input.reason });
      return [notifyReporter('rejection_notice', { reason: input.reason })];
    },
  },
  assignReport: {
    roles: ['dispatcher'],
    stages: ['accepted', 'returned'],
    check: (s, input) =>
      void (
        s.stage.name === 'returned' &&
        s.stage.fromUnitId === input.unitId &&
        reject('not_allowed', 'reassign to another unit than the one that returned it')
      ),
    apply(s, input, ctx) {
      // Reassigning a returned report is the dispatcher approving the return (退单审核).
      const returned = s.stage.name === 'returned' ? s.assignments.at(-1)?.ended : undefined;
      if (returned?.review === 'pending') {
        returned.review = 'approved';
        record(s, 'return_approved', ctx, { unitId: s.assignments.at(-1)!.unitId });
        if (s.verificationFromAcceptance) haltClock(s, 'unit_verification', ctx.now);
      }
      return assignTo(s, input.unitId, input.routing, ctx);
    },
  },
  acknowledgeAssignment: {
    roles: ['handler'],
    stages: ['assigned'],
    unitScoped: true,
    check(s) {
      if (!runningClock(s, 'acknowledgement')) reject('wrong_stage', 'the assignment is signed for already');
    },
    apply(s, input, ctx) {
      acknowledge(s, ctx.now);
      record(s, 'acknowledged', ctx, { unitId: unitOf(s), ...(input.note ? { note: input.note } : {}) });
      return [];
    },
  },
  returnAssignment: {
    roles: ['handler'],
    stages: ['assigned'],
    unitScoped: true,
    check(s, _input, ctx) {
      const limits = ctx.policy.returns;
      if (!limits) return;
      const since = Date.parse(currentAssignment(s).at);
      if (Date.parse(ctx.now) > since + limits.windowHours * HOUR)
        reject('out_of_window', `a return is allowed within ${limits.windowHours} hours of the assignment`);
      const returned = s.assignments.reduce(
        (n, a) => n + (a.ended?.how === 'returned' ? 1 : 0) + (a.refusedReturns?.length ?? 0),
        0,
      );
      if (returned >= limits.maxPerReport)
        reject('not_allowed', `the report was returned ${returned} time(s), the policy's most`);
    },
    apply(s, input, ctx) {
      const unitId = unitOf(s);
      // The dispatcher reviews the return: reassigning approves it, refusing sends it back. Until
      // then it is not misrouting, and the report's verification clock (from acceptance) runs on.
      acknowledge(s, ctx.now);
      currentAssignment(s).ended = { at: ctx.now, how: 'returned', review: 'pending' };
      if (!s.verificationFromAcceptance) haltClock(s, 'verification', ctx.now);
      record(s, 'returned', ctx, { unitId, reason: input.reason });
      setStage(s, { name: 'returned', fromUnitId: unitId, reason: input.reason });
      delete s.unitId;
      return [
        { kind: 'start_clock', clock: 'assignment' },
        {
          kind: 'notify',
          notification: {
            kind: 'returned_notice',
            recipient: { kind: 'dispatch_centre' },
            payload: { unitId, reason: input.reason },
          },
        },
      ];
    },
  },
  refuseReturn: {
    roles: ['dispatcher'],
    stages: ['returned'],
    check(s) {
      if (currentAssignment(s).ended?.review !== 'pending')
        reject('wrong_stage', 'the return is no longer under review');
    },
    apply(s, input, ctx) {
      const assignment = currentAssignment(s);
      const returnedAt = assignment.ended!.at;
      delete assignment.ended;
      (assignment.refusedReturns ??= []).push({
        at: ctx.now,
        by: ctx.actor.id,
        reason: input.reason,
        returnedAt,
      });
      s.unitId = assignment.unitId;
      finishClock(s, 'assignment', ctx.now);
      record(s, 'return_refused', ctx, { unitId: assignment.unitId, reason: input.reason });
      setStage(s, { name: 'assigned', unitId: assignment.unitId });
      const urgency = s.classification?.urgency ?? s.intake.urgencyHint;
      // Back with the clock it had: still running where it runs from acceptance; a report whose
      // return stopped its clock (before 0.4) gets a fresh one.
      const running = runningClock(s, 'unit_verification') ?? runningClock(s, 'verification');
      const restart: Effect[] = running ? [] : [{ kind: 'start_clock', clock: 'verification', urgency }];
      return [...restart, notifyUnit(assignment.unitId, 'return_refused_notice', { reason: input.reason })];
    },
  },
  /**
   * 改派: the dispatcher takes the report from a unit that sits on it. Not misrouting: the unit
   * had the report rightly and did not act; its own step clock ends unfinished, the report's runs on.
   */
  recallReport: {
    roles: ['dispatcher'],
    stages: ['assigned', 'verifying'],
    check(s, input) {
      if (input.unitId === s.unitId) reject('invalid_input', 'a recall gives the report to another unit');
    },
    apply(s, input, ctx) {
      const from = unitOf(s);
      currentAssignment(s).ended = { at: ctx.now, how: 'recalled' };
      leaveUnit(s, ctx.now);
      record(s, 'recalled', ctx, { fromUnitId: from, unitId: input.unitId, reason: input.reason });
      return [
        notifyUnit(from, 'recalled_notice', { reason: input.reason }),
        ...assignTo(s, input.unitId, 'manual', ctx),
      ];
    },
  },
});
