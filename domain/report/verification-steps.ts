import type { Effect } from './effects.js';
import { acknowledge } from './assignment-steps.js';
import { defineSteps, finishClock, record, setStage, startOptionalClock, unitOf } from './machine.js';
import { reject } from './step-rejected.js';

/** 核查: the unit goes on site and finds the report substantiated or not, and what hazards it holds. */
export const verificationSteps = defineSteps({
  startVerification: {
    roles: ['handler'],
    stages: ['assigned'],
    unitScoped: true,
    apply(s, input, ctx) {
      acknowledge(s, ctx.now);
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
      finishClock(s, 'unit_verification', ctx.now);
      record(s, 'verified', ctx, {
        outcome: input.outcome,
        hazardsFound: input.hazardsFound,
        majorHazard: input.majorHazard,
        ...(input.illegalActivity ? { illegalActivity: true } : {}),
        ...(input.concealedAccident ? { concealedAccident: input.concealedAccident } : {}),
      });
      const effects: Effect[] = [];
      if (input.majorHazard) {
        // 重大事故隐患 start under listed supervision (挂牌督办), before any deadline slips.
        const escalation = {
          clock: 'rectification',
          occurrence: 0,
          rung: 'listed_supervision',
          at: ctx.now,
          unitId,
        } as const;
        s.escalations.push(escalation);
        if (ctx.rules.listedSupervisionRow) effects.push({ kind: 'record_escalation', escalation });
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
      if (input.hazardsFound > 0) {
        setStage(s, { name: 'verified', unitId });
        effects.push(...startOptionalClock(ctx.policy, 'rectification_order'));
      } else setStage(s, { name: 'awaiting_feedback', unitId });
      return effects;
    },
  },
});
