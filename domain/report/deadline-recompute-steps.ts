import type { DeadlineProvenance } from '../deadline-schedule.js';
import type { ClockName } from '../vocabulary.js';
import { defineSteps } from './machine.js';
import { reject } from './step-rejected.js';
import type { StepContext } from './machine.js';

/**
 * Policy and calendar over time (issue 17). A report keeps the policy version it was accepted
 * under, and each deadline the calendar it was counted with — until an admin's audited procedure
 * says otherwise: adopting a newer policy version for open reports (B2), or importing a year's
 * holiday notice that provisional deadlines were waiting for (B4). Either way the report fixes
 * its running deadlines again from their recorded starts; steps already done keep theirs.
 */

const requireRecompute = (ctx: StepContext) => {
  if (!ctx.rules.deadlineRecompute)
    reject('not_allowed', 'this report runs a release that cannot recompute its deadlines');
};

export const deadlineRecomputeSteps = defineSteps({
  adoptPolicy: {
    roles: ['admin'],
    stages: 'open',
    check(s, input, ctx) {
      requireRecompute(ctx);
      if (s.policy.id === input.policyId && s.policy.version === input.policyVersion)
        reject('wrong_stage', `the report already runs under ${input.policyId} v${input.policyVersion}`);
    },
    apply: (_s, input, ctx) => [
      {
        kind: 'recompute_deadlines',
        policy: { id: input.policyId, version: input.policyVersion },
        reason: input.reason,
        changeId: input.changeId,
        actor: ctx.actor,
      },
    ],
  },
  recomputeDeadlines: {
    roles: ['admin'],
    stages: 'open',
    check: (_s, _input, ctx) => requireRecompute(ctx),
    apply: (_s, input, ctx) => [
      {
        kind: 'recompute_deadlines',
        calendarVersion: input.calendarVersion,
        reason: input.reason,
        changeId: input.changeId,
        actor: ctx.actor,
      },
    ],
  },
});

/** What a `deadline_recomputed` event records: the deadline before and after, each with its provenance. */
export interface DeadlineRecomputed {
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly unitId?: string;
  /** The deadline (after pauses) before and after: equal when only its provenance changed. */
  readonly from: string;
  readonly to: string;
  readonly fromProvenance: DeadlineProvenance;
  readonly toProvenance: DeadlineProvenance;
  readonly reason: string;
  readonly changeId: string;
}
