import { SUPERVISION_ACTIONS, type ClockName } from '../vocabulary.js';
import type { Effect, Recipient } from './effects.js';
import { defineSteps, finishClock, record, startOptionalClock, unitOf, type StepContext } from './machine.js';
import type { ReportState } from './report-state.js';
import { reject } from './step-rejected.js';

/**
 * 督办 by people (policy version 5 on). Timers escalate on their own; a supervisor or the dispatcher
 * may act on any open report too: 催办 (a message to the unit's case officer), 督办单 (a formal notice
 * the unit answers under a clock of its own), 通报, 约谈 (an interview held and recorded under a clock
 * of its own), 挂牌督办 (listed, reviewed under a clock, lifted only by the supervisor with a reason)
 * and 曝光. Each is on the timeline (`supervised`) and in the outbox.
 */

/** The weightier actions are the supervisor's (安委办) alone. */
const SUPERVISOR_ONLY = new Set(['interview', 'listed_supervision', 'exposure']);

const unitOrCentre = (s: ReportState, level: 'case_officer' | 'section_chief' | 'leader'): Recipient =>
  s.unitId ? { kind: 'unit', unitId: s.unitId, level } : { kind: 'dispatch_centre' };

const notify = (
  kind: 'supervision' | 'supervision_reply' | 'interview_notice',
  recipient: Recipient,
  payload: Record<string, unknown>,
): Effect => ({
  kind: 'notify',
  notification: { kind, recipient, payload },
});

const unansweredNotice = (s: ReportState) => s.supervisionNotices?.find((n) => n.reply === undefined);
const pendingInterview = (s: ReportState) => s.interviews?.find((i) => i.held === undefined);

/**
 * 约谈 called, by the ladder (`clock` reached its interview rung) or by a supervisor: the report
 * carries an interview to hold, under the policy's `interview` clock. Nothing where the policy runs
 * no such clock (before version 5), so older reports climb their ladder as they always did.
 */
export function callInterview(
  s: ReportState,
  ctx: Pick<StepContext, 'now' | 'policy'> & { actor?: StepContext['actor'] },
  calledBy: { clock: ClockName } | { actor: string },
): Effect[] {
  if (!ctx.policy.clocks.interview || pendingInterview(s)) return [];
  (s.interviews ??= []).push({ calledAt: ctx.now, calledBy, unitId: s.unitId });
  record(s, 'interview_called', ctx, { ...calledBy, unitId: s.unitId ?? null });
  return [
    ...startOptionalClock(ctx.policy, 'interview'),
    notify('interview_notice', unitOrCentre(s, 'leader'), { ...calledBy }),
  ];
}

export const supervisionSteps = defineSteps({
  superviseReport: {
    roles: ['supervisor', 'dispatcher'],
    stages: 'open',
    check(s, input, ctx) {
      if (!ctx.policy.clocks.supervision_reply)
        reject('not_allowed', 'the report’s policy has no 督办 by hand (district-default v5 on)');
      if (SUPERVISOR_ONLY.has(input.action) && ctx.actor.role !== 'supervisor')
        reject('not_allowed', `${SUPERVISION_ACTIONS[input.action]} is the supervisor’s`);
      if (input.action === 'supervision_notice') {
        if (!s.unitId) reject('wrong_stage', 'a 督办单 goes to the unit holding the report; none does');
        if (unansweredNotice(s)) reject('wrong_stage', 'the unit has a 督办单 to answer already');
      }
      if (input.action === 'listed_supervision' && s.listing && !s.listing.lifted)
        reject('wrong_stage', 'the report is under listed supervision already');
      if (input.action === 'interview' && pendingInterview(s))
        reject('wrong_stage', 'an interview is waiting to be held already');
    },
    apply(s, input, ctx) {
      const unitId = s.unitId ?? null;
      record(s, 'supervised', ctx, { action: input.action, reason: input.reason, unitId });
      const payload = { action: input.action, reason: input.reason };
      switch (input.action) {
        case 'urge':
          return [notify('supervision', unitOrCentre(s, 'case_officer'), payload)];
        case 'supervision_notice':
          (s.supervisionNotices ??= []).push({
            at: ctx.now,
            by: ctx.actor.id,
            unitId: unitOf(s),
            reason: input.reason,
          });
          return [
            ...startOptionalClock(ctx.policy, 'supervision_reply'),
            notify('supervision', unitOrCentre(s, 'section_chief'), payload),
          ];
        case 'circular':
          return [notify('supervision', unitOrCentre(s, 'leader'), payload)];
        case 'interview':
          return callInterview(s, ctx, { actor: ctx.actor.id });
        case 'listed_supervision':
          s.listing = { at: ctx.now, by: ctx.actor.id, reason: input.reason };
          return [
            ...startOptionalClock(ctx.policy, 'listing_review'),
            notify('supervision', unitOrCentre(s, 'leader'), payload),
            notify('supervision', { kind: 'supervisors' }, payload),
          ];
        case 'exposure':
          return [
            notify('supervision', unitOrCentre(s, 'leader'), payload),
            notify('supervision', { kind: 'supervisors' }, payload),
          ];
      }
    },
  },
  replyToSupervision: {
    roles: ['handler', 'dispatcher'],
    stages: 'open',
    unitScoped: true,
    check(s) {
      if (!unansweredNotice(s)) reject('wrong_stage', 'no 督办单 is waiting for an answer');
    },
    apply(s, input, ctx) {
      const notice = unansweredNotice(s)!;
      notice.reply = { at: ctx.now, by: ctx.actor.id, summary: input.summary };
      finishClock(s, 'supervision_reply', ctx.now);
      record(s, 'supervision_replied', ctx, { summary: input.summary, unitId: notice.unitId });
      return [
        notify(
          'supervision_reply',
          { kind: 'supervisors' },
          { unitId: notice.unitId, summary: input.summary },
        ),
      ];
    },
  },
  liftListing: {
    roles: ['supervisor'],
    stages: 'open',
    check(s) {
      if (!s.listing || s.listing.lifted)
        reject('wrong_stage', 'the report is not under listed supervision by hand');
    },
    apply(s, input, ctx) {
      s.listing!.lifted = { at: ctx.now, by: ctx.actor.id, reason: input.reason };
      finishClock(s, 'listing_review', ctx.now);
      record(s, 'listing_lifted', ctx, { reason: input.reason });
      return [];
    },
  },
  recordInterview: {
    roles: ['supervisor'],
    stages: 'open',
    check(s, input, ctx) {
      const interview = pendingInterview(s) ?? reject('wrong_stage', 'no interview is waiting to be held');
      const held = Date.parse(input.heldAt);
      if (held < Date.parse(interview.calledAt) || held > Date.parse(ctx.now))
        reject('invalid_input', 'an interview is held after it was called and before it is recorded');
      if (input.followUpDueAt && !(Date.parse(input.followUpDueAt) > held))
        reject('invalid_input', 'the follow-up deadline comes after the interview');
    },
    apply(s, input, ctx) {
      const interview = pendingInterview(s)!;
      interview.held = {
        at: input.heldAt,
        recordedBy: ctx.actor.id,
        attendees: input.attendees,
        notes: input.notes,
        ...(input.followUpDueAt ? { followUpDueAt: input.followUpDueAt } : {}),
      };
      finishClock(s, 'interview', ctx.now);
      record(s, 'interview_held', ctx, {
        heldAt: input.heldAt,
        attendees: input.attendees,
        ...(input.followUpDueAt ? { followUpDueAt: input.followUpDueAt } : {}),
      });
      return [];
    },
  },
});
