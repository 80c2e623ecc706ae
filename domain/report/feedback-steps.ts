import { notifyReporter, notifyUnit, type Effect } from './effects.js';
import { callbackMaxAttempts } from '../policy.js';
import {
  defineSteps,
  finishClock,
  record,
  setStage,
  startOptionalClock,
  unitOf,
  type StepContext,
} from './machine.js';
import { runningClock } from './clocks.js';
import type { ReportState } from './report-state.js';
import { reject } from './step-rejected.js';
import { close, concludeHandling } from './reward-steps.js';

/** 反馈 and 回访: the answer to the reporter, their satisfaction, and a reopen (重办) if unsatisfied. */
export const feedbackSteps = defineSteps({
  /**
   * 阶段性答复: when rectification runs past the time to answer, the reporter is told in time what
   * was found and by when it will be put right; this answers the feedback clock, and the final
   * reply follows once the hazard is rectified or written off.
   */
  giveInterimReply: {
    roles: ['handler', 'dispatcher'],
    stages: ['verified', 'rectifying', 'rectification_reported'],
    unitScoped: true,
    check(s) {
      if (!runningClock(s, 'feedback'))
        reject(
          'wrong_stage',
          'the reporter has been answered already; the final reply follows the rectification',
        );
    },
    apply(s, input, ctx) {
      s.feedback.push({ at: ctx.now, by: ctx.actor.id, summary: input.summary, interim: true });
      finishClock(s, 'feedback', ctx.now);
      record(s, 'interim_reply_given', ctx, { summary: input.summary });
      return [
        notifyReporter('interim_reply', {
          summary: input.summary,
          finding: s.verification?.outcome ?? null,
          rectificationDueAt: s.rectification?.dueAt ?? null,
        }),
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
      finishClock(s, 'final_reply', ctx.now);
      record(s, 'feedback_given', ctx, { summary: input.summary });
      // A reporter who withdrew is neither answered nor called back: the outcome stays on record.
      if (s.contactStopped)
        return close(s, ctx, s.verification?.outcome === 'unsubstantiated' ? 'unsubstantiated' : 'handled');
      setStage(s, { name: 'feedback_given', unitId: unitOf(s) });
      return [
        notifyReporter('feedback_to_reporter', { summary: input.summary }),
        ...startOptionalClock(ctx.policy, 'callback'),
      ];
    },
  },
  recordSatisfaction: {
    roles: ['intake', 'dispatcher'],
    stages: ['feedback_given'],
    check(_s, input, ctx) {
      if (ctx.policy.callbackAsksResolved && input.resolved === undefined)
        reject('invalid_input', 'the 回访 records whether the problem was solved (resolved: true or false)');
    },
    apply(s, input, ctx) {
      s.satisfaction.push({
        at: ctx.now,
        rating: input.rating,
        ...(input.resolved !== undefined ? { resolved: input.resolved } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
      });
      finishClock(s, 'callback', ctx.now);
      record(s, 'satisfaction_recorded', ctx, {
        rating: input.rating,
        ...(input.resolved !== undefined ? { resolved: input.resolved } : {}),
      });
      if (input.rating === 'unsatisfied' && s.reopens < ctx.policy.maxReopens) return reopen(s, ctx);
      return concludeHandling(s, ctx);
    },
  },
  /**
   * 回访 unanswered: each call that reaches nobody is recorded; after the policy's number of them
   * the callback closes as unreachable and the report goes on as after a rating (reward or 办结),
   * with no rating counted.
   */
  recordCallbackUnreachable: {
    roles: ['intake', 'dispatcher'],
    stages: ['feedback_given'],
    apply(s, input, ctx) {
      s.callbackFailures = (s.callbackFailures ?? 0) + 1;
      const attempts = s.callbackFailures;
      record(s, 'callback_attempt_failed', ctx, { attempts, ...(input.note ? { note: input.note } : {}) });
      if (attempts < callbackMaxAttempts(ctx.policy)) return [];
      finishClock(s, 'callback', ctx.now);
      record(s, 'callback_unreachable', ctx, { attempts });
      return concludeHandling(s, ctx);
    },
  },
});

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
    { kind: 'start_clock', clock: 'feedback', urgency: s.classification?.urgency ?? s.intake.urgencyHint },
    notifyUnit(unitId, 'reopened_notice'),
  ];
}
