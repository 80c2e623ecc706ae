import { notifyUnit } from './effects.js';
import {
  awaitFinalReply,
  defineSteps,
  finishClock,
  record,
  setStage,
  unitOf,
  type StepContext,
} from './machine.js';
import { reject } from './step-rejected.js';

/**
 * 整改 and 审核销号: the unit orders rectification by a deadline it sets (within the policy's cap),
 * reports it done, and for a major hazard the competent department reviews it before write-off.
 */

const HOUR = 3_600_000;

export const rectificationSteps = defineSteps({
  orderRectification: {
    roles: ['handler'],
    stages: ['verified'],
    unitScoped: true,
    check(s, input, ctx) {
      if (s.verification?.majorHazard && !input.fivePoints)
        reject('invalid_input', 'a major hazard needs the five fixed points (五落实)');
      if (ctx.policy.reward.eligibility && input.fineFen && !input.penaltyDecision)
        reject('invalid_input', 'a fine needs its penalty decision (行政处罚决定书): penaltyDecision');
      checkRectificationDue(input.dueAt, ctx);
    },
    apply(s, input, ctx) {
      finishClock(s, 'rectification_order', ctx.now);
      s.rectification = {
        measures: input.measures,
        fineFen: input.fineFen,
        ...(input.penaltyDecision ? { penaltyDecision: input.penaltyDecision } : {}),
        dueAt: input.dueAt,
        fivePoints: input.fivePoints,
        orderedAt: ctx.now,
        orderedBy: ctx.actor.id,
        reports: [],
        reviews: [],
      };
      record(s, 'rectification_ordered', ctx, {
        measures: input.measures,
        dueAt: input.dueAt,
        ...(input.fineFen !== undefined ? { fineFen: input.fineFen } : {}),
      });
      setStage(s, { name: 'rectifying', unitId: unitOf(s), dueAt: input.dueAt });
      return [{ kind: 'start_clock', clock: 'rectification', handlerDueAt: input.dueAt }];
    },
  },
  reportRectification: {
    roles: ['handler'],
    stages: ['rectifying'],
    unitScoped: true,
    apply(s, input, ctx) {
      const r = s.rectification ?? reject('wrong_stage', 'no rectification was ordered');
      r.reports.push({ at: ctx.now, by: ctx.actor.id, summary: input.summary });
      finishClock(s, 'rectification', ctx.now);
      record(s, 'rectification_reported', ctx, { summary: input.summary, evidence: input.evidence ?? [] });
      if (s.verification?.majorHazard) {
        setStage(s, { name: 'rectification_reported', unitId: unitOf(s) });
        return [
          { kind: 'start_clock', clock: 'review' },
          {
            kind: 'notify',
            notification: { kind: 'review_requested', recipient: { kind: 'supervisors' }, payload: {} },
          },
        ];
      }
      r.completedAt = ctx.now;
      record(s, 'rectified', ctx);
      setStage(s, { name: 'awaiting_feedback', unitId: unitOf(s) });
      return awaitFinalReply(s, ctx.policy);
    },
  },
  reviewRectification: {
    roles: ['reviewer'],
    stages: ['rectification_reported'],
    check(s, input, ctx) {
      if (input.approved) return;
      if (!input.newDueAt)
        reject('invalid_input', 'a rejected review sets a new rectification deadline (newDueAt)');
      checkRectificationDue(input.newDueAt!, ctx);
    },
    apply(s, input, ctx) {
      const r = s.rectification ?? reject('wrong_stage', 'no rectification was ordered');
      const unitId = unitOf(s);
      r.reviews.push({ at: ctx.now, by: ctx.actor.id, approved: input.approved, comment: input.comment });
      finishClock(s, 'review', ctx.now);
      if (input.approved) {
        r.completedAt = ctx.now;
        r.writtenOffAt = ctx.now;
        record(s, 'written_off', ctx, { comment: input.comment });
        setStage(s, { name: 'awaiting_feedback', unitId });
        return awaitFinalReply(s, ctx.policy);
      }
      r.dueAt = input.newDueAt!;
      record(s, 'review_rejected', ctx, { comment: input.comment, newDueAt: r.dueAt });
      setStage(s, { name: 'rectifying', unitId, dueAt: r.dueAt });
      return [
        { kind: 'start_clock', clock: 'rectification', handlerDueAt: r.dueAt },
        notifyUnit(unitId, 'review_rejected'),
      ];
    },
  },
});

function checkRectificationDue(dueAt: string, ctx: StepContext): void {
  const due = Date.parse(dueAt);
  const now = Date.parse(ctx.now);
  const cap = ctx.policy.clocks.rectification.due.maxCalendarDays;
  if (!(due > now)) reject('invalid_input', 'the rectification deadline must be in the future');
  if (due > now + cap * 24 * HOUR)
    reject('invalid_input', `the rectification deadline may be at most ${cap} days away`);
}
