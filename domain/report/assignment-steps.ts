import { feedbackByUrgency } from '../policy.js';
import { runningClock } from './clocks.js';
import { notifyReporter, notifyUnit, type Effect } from './effects.js';
import {
  defineSteps,
  finishClock,
  haltClock,
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
  return [
    {
      kind: 'start_clock',
      clock: 'verification',
      urgency: s.classification?.urgency ?? s.intake.urgencyHint,
    },
    notifyUnit(unitId, 'assignment_notice'),
  ];
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
    apply: (s, input, ctx) => assignTo(s, input.unitId, input.routing, ctx),
  },
  returnAssignment: {
    roles: ['handler'],
    stages: ['assigned'],
    unitScoped: true,
    apply(s, input, ctx) {
      const unitId = unitOf(s);
      currentAssignment(s).ended = { at: ctx.now, how: 'returned' };
      haltClock(s, 'verification', ctx.now);
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
});
