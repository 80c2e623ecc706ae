import { notifyUnit, type Effect } from './effects.js';
import { defineSteps, finishClock, record, unitOf } from './machine.js';
import type { ReportState, SupportRequest } from './report-state.js';
import { reject } from './step-rejected.js';

/**
 * 主办/协办 (policy version 7 on, after 国办函〔2025〕66号 on joint handling): the unit holding the
 * report is its lead (主办) and answers for it — it verifies, rectifies and answers the reporter. The
 * dispatcher, or the lead itself, may ask other units to support it (协办); each supporting unit
 * replies to the lead within a clock of its own, and a supporting unit late to the lead escalates
 * to the lead as well as to itself.
 */

/** The supporting units asked and not yet answered. */
export const pendingSupports = (s: ReportState): SupportRequest[] =>
  (s.supports ?? []).filter((r) => r.reply === undefined);

/** Every unit asked to support the lead, answered or not: their handlers may read the report. */
export const supportingUnitIds = (s: Pick<ReportState, 'supports'>): string[] => [
  ...new Set((s.supports ?? []).map((r) => r.unitId)),
];

export const jointHandlingSteps = defineSteps({
  requestSupport: {
    roles: ['dispatcher', 'handler'],
    stages: ['assigned', 'verifying', 'verified', 'rectifying'],
    unitScoped: true,
    check(s, input, ctx) {
      if (!ctx.policy.clocks.support_reply)
        reject('not_allowed', 'the report’s policy has no 协办 (district-default v7 on)');
      const lead = unitOf(s);
      if (new Set(input.unitIds).size !== input.unitIds.length)
        reject('invalid_input', 'each supporting unit is named once');
      if (input.unitIds.includes(lead))
        reject('invalid_input', `${lead} leads the report (主办); it cannot also support it`);
      const asked = pendingSupports(s).map((r) => r.unitId);
      const again = input.unitIds.find((u) => asked.includes(u));
      if (again) reject('wrong_stage', `${again} is supporting already and has not replied`);
    },
    apply(s, input, ctx) {
      const leadUnitId = unitOf(s);
      const effects: Effect[] = [];
      for (const unitId of input.unitIds) {
        (s.supports ??= []).push({
          unitId,
          leadUnitId,
          requestedAt: ctx.now,
          by: ctx.actor.id,
          request: input.request,
        });
        effects.push(
          { kind: 'start_clock', clock: 'support_reply', forUnitId: unitId },
          notifyUnit(unitId, 'support_request', { leadUnitId, request: input.request }),
        );
      }
      record(s, 'support_requested', ctx, { leadUnitId, unitIds: input.unitIds, request: input.request });
      return effects;
    },
  },
  replyToLead: {
    roles: ['handler'],
    stages: 'open',
    // Not the lead's step: the supporting unit's, which the check below knows.
    check(s, _input, ctx) {
      if (!pendingSupports(s).some((r) => r.unitId === ctx.actor.unitId))
        reject('not_allowed', `unit ${ctx.actor.unitId ?? '(none)'} has no 协办 request to answer`);
    },
    apply(s, input, ctx) {
      const support = pendingSupports(s).find((r) => r.unitId === ctx.actor.unitId)!;
      support.reply = { at: ctx.now, by: ctx.actor.id, summary: input.summary };
      finishClock(s, 'support_reply', ctx.now, support.unitId);
      record(s, 'support_replied', ctx, {
        unitId: support.unitId,
        leadUnitId: support.leadUnitId,
        summary: input.summary,
      });
      // The answer goes to whoever leads now (the lead may have changed since it was asked).
      const lead = s.unitId ?? support.leadUnitId;
      return [notifyUnit(lead, 'support_reply', { unitId: support.unitId, summary: input.summary })];
    },
  },
});
