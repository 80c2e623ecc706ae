import { notifyReporter, type Effect } from './effects.js';
import { finishClock, record, setStage, type StepContext, type StepDef } from './machine.js';
import type { ReportState } from './report-state.js';
import { reject } from './step-rejected.js';
import type { StepInput } from './step-inputs.js';
import { concludeHandling } from './reward-steps.js';

/** 受理 → 交办 → 核查 → 整改 → 审核销号 → 反馈 → 回访: the steps of handling a report. */

const HOUR = 3_600_000;
const unitOf = (s: ReportState): string => s.unitId ?? reject('wrong_stage', 'the report has no unit');
const notifyUnit = (unitId: string, kind: string, payload: Record<string, unknown> = {}): Effect => ({
  kind: 'notify',
  notification: { kind, recipient: { kind: 'unit', unitId }, payload },
});

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

export const handlingSteps: { [S in HandlingStep]: StepDef<S> } = {
  acceptReport: {
    roles: ['dispatcher'],
    stages: ['received'],
    apply(s, input, ctx) {
      s.classification = { urgency: input.urgency, category: input.category, domain: input.domain };
      s.acceptedAt = ctx.now;
      finishClock(s, 'acceptance', ctx.now);
      record(s, 'accepted', ctx, { ...s.classification, ...(input.note ? { note: input.note } : {}) });
      setStage(s, { name: 'accepted' });
      return [{ kind: 'resolve_policy' }, { kind: 'start_clock', clock: 'assignment' }];
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
      finishClock(s, 'verification', ctx.now);
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
  startVerification: {
    roles: ['handler'],
    stages: ['assigned'],
    unitScoped: true,
    apply(s, input, ctx) {
      record(s, 'verification_started', ctx, input.note ? { note: input.note } : undefined);
      setStage(s, { name: 'verifying', unitId: unitOf(s) });
      return [];
    },
  },
  submitVerification: {
    roles: ['handler'],
    stages: ['verifying'],
    unitScoped: true,
    check(_s, input) {
      if (input.outcome === 'unsubstantiated' && (input.majorHazard || input.hazardsFound > 0)) {
        reject('invalid_input', 'an unsubstantiated report cannot have hazards found');
      }
      if (input.majorHazard && input.hazardsFound === 0)
        reject('invalid_input', 'a major hazard counts as a hazard found');
    },
    apply(s, input, ctx) {
      const unitId = unitOf(s);
      const { actor: _actor, ...found } = input;
      s.verification = { ...found, evidence: input.evidence ?? [], by: ctx.actor.id, unitId, at: ctx.now };
      finishClock(s, 'verification', ctx.now);
      record(s, 'verified', ctx, {
        outcome: input.outcome,
        hazardsFound: input.hazardsFound,
        majorHazard: input.majorHazard,
      });
      const effects: Effect[] = [];
      if (input.majorHazard) {
        // 重大事故隐患 start under listed supervision (挂牌督办), before any deadline slips.
        s.escalations.push({
          clock: 'rectification',
          occurrence: 0,
          rung: 'listed_supervision',
          at: ctx.now,
          unitId,
        });
        record(s, 'listed_supervision', ctx, { unitId, reason: 'major_hazard' });
        effects.push({
          kind: 'notify',
          notification: {
            kind: 'listed_supervision',
            recipient: { kind: 'supervisors' },
            payload: { unitId },
          },
        });
      }
      setStage(
        s,
        input.hazardsFound > 0 ? { name: 'verified', unitId } : { name: 'awaiting_feedback', unitId },
      );
      return effects;
    },
  },
  orderRectification: {
    roles: ['handler'],
    stages: ['verified'],
    unitScoped: true,
    check(s, input, ctx) {
      if (s.verification?.majorHazard && !input.fivePoints)
        reject('invalid_input', 'a major hazard needs the five fixed points (五落实)');
      checkRectificationDue(input.dueAt, ctx);
    },
    apply(s, input, ctx) {
      s.rectification = {
        measures: input.measures,
        fineFen: input.fineFen,
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
      return [];
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
        return [];
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
  giveFeedback: {
    roles: ['handler', 'dispatcher'],
    stages: ['awaiting_feedback'],
    unitScoped: true,
    apply(s, input, ctx) {
      s.feedback.push({ at: ctx.now, by: ctx.actor.id, summary: input.summary });
      finishClock(s, 'feedback', ctx.now);
      record(s, 'feedback_given', ctx, { summary: input.summary });
      setStage(s, { name: 'feedback_given', unitId: unitOf(s) });
      return [notifyReporter('feedback_to_reporter', { summary: input.summary })];
    },
  },
  recordSatisfaction: {
    roles: ['intake', 'dispatcher'],
    stages: ['feedback_given'],
    apply(s, input, ctx) {
      s.satisfaction.push({
        at: ctx.now,
        rating: input.rating,
        ...(input.comment ? { comment: input.comment } : {}),
      });
      record(s, 'satisfaction_recorded', ctx, { rating: input.rating });
      if (input.rating === 'unsatisfied' && s.reopens < ctx.policy.maxReopens) return reopen(s, ctx);
      return concludeHandling(s, ctx);
    },
  },
};

/** 重办: back to the same unit, which verifies (and rectifies) again under fresh clocks. */
function reopen(s: ReportState, ctx: StepContext): Effect[] {
  const unitId = unitOf(s);
  s.reopens += 1;
  delete s.verification;
  delete s.rectification;
  record(s, 'reopened', ctx, { reopens: s.reopens, unitId });
  setStage(s, { name: 'verifying', unitId });
  return [
    {
      kind: 'start_clock',
      clock: 'verification',
      urgency: s.classification?.urgency ?? s.intake.urgencyHint,
    },
    { kind: 'start_clock', clock: 'feedback' },
    notifyUnit(unitId, 'reopened_notice'),
  ];
}

function checkRectificationDue(dueAt: string, ctx: StepContext): void {
  const due = Date.parse(dueAt);
  const now = Date.parse(ctx.now);
  const cap = ctx.policy.clocks.rectification.due.maxCalendarDays;
  if (!(due > now)) reject('invalid_input', 'the rectification deadline must be in the future');
  if (due > now + cap * 24 * HOUR)
    reject('invalid_input', `the rectification deadline may be at most ${cap} days away`);
}

export type HandlingStep =
  | 'acceptReport'
  | 'rejectReport'
  | 'assignReport'
  | 'returnAssignment'
  | 'startVerification'
  | 'submitVerification'
  | 'orderRectification'
  | 'reportRectification'
  | 'reviewRectification'
  | 'giveFeedback'
  | 'recordSatisfaction';

export type { StepInput };
