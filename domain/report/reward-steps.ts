import { applyOverride, maxRewardFen, proposeRewardAmount, yuan, type RewardBasis } from '../reward-rule.js';
import type { Effect } from './effects.js';
import { defineSteps, finishClock, record, setStage, stopAllClocks, type StepContext } from './machine.js';
import type { ClockName } from '../vocabulary.js';
import { runningClock } from './clocks.js';
import type { DuplicateLink, ReportState } from './report-state.js';
import { reject } from './step-rejected.js';

/**
 * 奖励: three levels, three different people — the verification group proposes, the department
 * head approves, adjusts or rejects, finance pays exactly once (谁受理、谁奖励).
 */

/**
 * The payee as the ledger keeps it: a reference, never an identity — the vault entry of a named
 * reporter, or the report whose claim an anonymous one made.
 */
export function payeeReference(s: ReportState): string {
  const { reportId, reporter } = rewardRecipient(s);
  if (reporter.kind === 'named') return `vault:${reporter.vaultRef}`;
  return s.reward.payoutRef ?? `claim:${reportId}`;
}

/** Who gets the reward: among this report and its merged duplicates, the first accepted real-name reporter; else this report's anonymous reporter, by claim code. */
export function rewardRecipient(s: ReportState): DuplicateLink {
  const own: DuplicateLink = { reportId: s.reportId, reporter: s.reporter, acceptedAt: s.acceptedAt };
  const named = [own, ...s.duplicates]
    .filter((d) => d.reporter.kind === 'named' && d.acceptedAt !== undefined)
    .sort((a, b) => Date.parse(a.acceptedAt!) - Date.parse(b.acceptedAt!));
  return named[0] ?? own;
}

/**
 * Whether the verified finding earns a reward under the policy: its outcome, and (policy version 3
 * on) what was found — only a major hazard, an illegal activity or a concealed accident under the
 * national rule; an ordinary hazard only where a local rule adds it.
 */
function findingEarnsReward(s: ReportState, policy: StepContext['policy']): boolean {
  const v = s.verification;
  if (!v || !policy.reward.eligibleOutcomes.includes(v.outcome)) return false;
  const e = policy.reward.eligibility;
  if (!e) return true;
  return (
    (v.majorHazard && e.majorHazard) ||
    (v.illegalActivity === true && e.illegalActivity) ||
    (v.concealedAccident !== undefined && e.concealedAccident) ||
    (v.hazardsFound > 0 && e.ordinaryHazard)
  );
}

/** After the final satisfaction callback: on to the reward if one is due, else closed. */
export function concludeHandling(s: ReportState, ctx: StepContext): Effect[] {
  const outcome = s.verification?.outcome;
  if (!outcome || outcome === 'unsubstantiated') return close(s, ctx, 'unsubstantiated');
  if (!findingEarnsReward(s, ctx.policy)) return close(s, ctx, 'reward_ineligible');
  record(s, 'reward_pending', ctx, { recipientReportId: rewardRecipient(s).reportId });
  setStage(s, { name: 'reward_pending' });
  // An anonymous reporter claims first, within the policy's window; the proposal's clock starts then.
  if (needsClaim(s) && ctx.policy.clocks.reward_claim)
    return [{ kind: 'start_clock', clock: 'reward_claim' }];
  return [{ kind: 'start_clock', clock: 'reward_proposal' }];
}

export function close(
  s: ReportState,
  ctx: Pick<StepContext, 'now'>,
  outcome: Extract<ReportState['stage'], { name: 'closed' }>['outcome'],
): Effect[] {
  stopAllClocks(s, ctx.now);
  record(s, 'closed', ctx, { outcome });
  setStage(s, { name: 'closed', outcome });
  return [];
}

/** 最高奖励: refuses an amount above what the report's rule can ever pay (rule change `rewardCap`). */
function withinCap(amountFen: number, what: string, ctx: StepContext): void {
  if (!ctx.rules.rewardCap) return;
  const cap = maxRewardFen(ctx.policy.reward.rule);
  if (amountFen > cap)
    reject('invalid_input', `${what} ${yuan(amountFen)} exceeds the maximum reward of ${yuan(cap)} a report`);
}

/**
 * 奖励依据 from the record (policy version 3 on): a fine is the one the penalty decision set at
 * rectification, an accident the one verification established. A proposal that says otherwise is
 * refused: the amount must follow from what the report shows.
 */
function basisOnRecord(s: ReportState, basis: RewardBasis): void {
  if (basis.kind === 'fine') {
    // No fine on the record is a fine of 0 (the rule's minimum): the entitlement is the finding.
    const recorded = s.rectification?.fineFen ?? 0;
    const decision = s.rectification?.penaltyDecision;
    if (recorded !== basis.fineFen)
      reject(
        'not_eligible',
        `the fine on the record is ${yuan(recorded)}${decision ? ` (${decision.number})` : ''}, not ${yuan(basis.fineFen)}`,
      );
    return;
  }
  const a = s.verification?.concealedAccident;
  if (!a) reject('not_eligible', 'no concealed accident is on the record');
  else if (a.grade !== basis.grade || a.concealedDeaths !== basis.concealedDeaths)
    reject(
      'not_eligible',
      `the record shows a ${a.grade} accident with ${a.concealedDeaths} concealed death(s), not ${basis.grade} with ${basis.concealedDeaths}`,
    );
}

const excluded = (d: { safetyDutyStaff: boolean; closeRelativeOfStaff: boolean } | undefined) =>
  d !== undefined && (d.safetyDutyStaff || d.closeRelativeOfStaff);

const needsClaim = (s: ReportState) =>
  rewardRecipient(s).reporter.kind === 'anonymous' && !s.reward.claimedAt;

export const rewardSteps = defineSteps({
  claimReward: {
    roles: ['intake'],
    stages: ['reward_pending'],
    check(s, input, ctx) {
      const recipient = rewardRecipient(s).reporter;
      if (ctx.policy.reward.claimPayout === 'required' && !input.payoutRef)
        reject('invalid_input', 'the claim says how to pay the reporter (payout)');
      if (recipient.kind !== 'anonymous')
        reject('not_eligible', 'the reward goes to a real-name reporter; no claim is needed');
      else if (recipient.claimCodeHash !== input.claimCodeHash)
        reject('not_eligible', 'the claim code does not match');
      if (s.reward.claimedAt) reject('wrong_stage', 'the reward was already claimed');
    },
    apply(s, input, ctx) {
      s.reward.claimedAt = ctx.now;
      if (input.payoutRef) s.reward.payoutRef = input.payoutRef;
      record(s, 'reward_claimed', ctx);
      if (!runningClock(s, 'reward_claim')) return [];
      finishClock(s, 'reward_claim', ctx.now);
      return [{ kind: 'start_clock', clock: 'reward_proposal' }];
    },
  },
  proposeReward: {
    roles: ['reward_proposer'],
    stages: ['reward_pending'],
    check(s, input, ctx) {
      if (needsClaim(s))
        reject('not_eligible', 'the anonymous reporter has not claimed the reward with the claim code');
      if (ctx.policy.reward.exclusionDeclaration === 'required' && !input.declaration)
        reject(
          'invalid_input',
          'the proposal declares whether the reporter is staff with safety-supervision duties or a close relative of such staff (declaration)',
        );
      if (excluded(input.declaration)) return;
      if (ctx.policy.reward.eligibility) basisOnRecord(s, input.basis);
      if (input.override) withinCap(input.override.amountFen, 'the override', ctx);
    },
    apply(s, input, ctx) {
      if (excluded(input.declaration)) {
        // Staff with safety duties and their close relatives are not rewarded: the report closes.
        finishClock(s, 'reward_proposal', ctx.now);
        record(s, 'reward_excluded', ctx, { declaration: input.declaration });
        return close(s, ctx, 'reward_ineligible');
      }
      const computed = proposeRewardAmount(ctx.policy.reward.rule, input.basis);
      const proposal = input.override ? applyOverride(computed, input.override) : computed;
      s.reward.proposal = {
        ...proposal,
        by: ctx.actor.id,
        at: ctx.now,
        ...(input.override ? { overrideReason: input.override.reason } : {}),
      };
      finishClock(s, 'reward_proposal', ctx.now);
      // The basis and what the rule gave are on the record (0.8 on): a what-if judges them again.
      record(s, 'reward_proposed', ctx, {
        amountFen: proposal.amountFen,
        explanation: proposal.explanation,
        basis: input.basis,
        computedAmountFen: computed.amountFen,
      });
      setStage(s, { name: 'reward_proposed', proposedBy: ctx.actor.id });
      return [{ kind: 'start_clock', clock: 'reward_approval' }];
    },
  },
  decideReward: {
    roles: ['reward_approver'],
    stages: ['reward_proposed'],
    check(s, input, ctx) {
      if (s.reward.proposal?.by === ctx.actor.id) reject('same_person', 'the proposer cannot also approve');
      if (input.decision === 'adjusted' && (input.amountFen === undefined || !input.reason)) {
        reject('invalid_input', 'an adjustment needs amountFen and reason');
      }
      if (input.decision === 'rejected' && !input.reason)
        reject('invalid_input', 'a rejection needs a reason');
      if (input.decision === 'adjusted') withinCap(input.amountFen!, 'the adjusted amount', ctx);
      // A proposal made before the cap was enforced is approved only as an adjustment within it.
      if (input.decision === 'approved')
        withinCap(s.reward.proposal?.amountFen ?? 0, 'the proposed amount', ctx);
    },
    apply(s, input, ctx) {
      const proposed = s.reward.proposal?.amountFen ?? 0;
      const amountFen = input.decision === 'adjusted' ? input.amountFen! : proposed;
      s.reward.decision = {
        decision: input.decision,
        amountFen,
        by: ctx.actor.id,
        at: ctx.now,
        ...(input.reason ? { reason: input.reason } : {}),
      };
      finishClock(s, 'reward_approval', ctx.now);
      record(s, `reward_${input.decision}`, ctx, {
        amountFen,
        ...(input.reason ? { reason: input.reason } : {}),
      });
      if (input.decision === 'rejected') return close(s, ctx, 'reward_rejected');
      setStage(s, { name: 'reward_approved', approvedBy: ctx.actor.id, amountFen });
      return [{ kind: 'start_clock', clock: 'reward_payment' }];
    },
  },
  payReward: {
    roles: ['finance'],
    stages: ['reward_approved'],
    check(s, _input, ctx) {
      if (s.reward.proposal?.by === ctx.actor.id || s.reward.decision?.by === ctx.actor.id) {
        reject('same_person', 'the payer cannot also have proposed or approved');
      }
      withinCap(s.reward.decision?.amountFen ?? 0, 'the approved amount', ctx);
    },
    // 发放 is a side effect: the effects runner pays (exactly once, by the ledger), then records
    // the payment with {@link recordPayment}.
    apply: (_s, input, ctx) => [
      { kind: 'disburse_reward', paidBy: ctx.actor.id, ...(input.voucher ? { voucher: input.voucher } : {}) },
    ],
  },
});

/**
 * A clock whose deadline decides, not only escalates: when the claim window closes unclaimed, the
 * reward lapses and the report closes (奖励认领期满未认领). Returns whether the report closed.
 */
export function expireAtDeadline(s: ReportState, clock: ClockName, now: string): boolean {
  if (clock !== 'reward_claim' || s.stage.name !== 'reward_pending' || s.reward.claimedAt) return false;
  record(s, 'reward_unclaimed', { now }, { recipientReportId: rewardRecipient(s).reportId });
  close(s, { now }, 'reward_unclaimed');
  return true;
}

/** Records a payment the ledger confirmed, and closes the report. */
export function recordPayment(
  s: ReportState,
  payment: { paymentReference: string; amountFen: number; paidBy: string },
  ctx: Pick<StepContext, 'now' | 'actor'>,
): Effect[] {
  s.reward.payment = {
    paymentReference: payment.paymentReference,
    amountFen: payment.amountFen,
    by: payment.paidBy,
    at: ctx.now,
  };
  finishClock(s, 'reward_payment', ctx.now);
  const recipient = rewardRecipient(s).reportId;
  record(s, 'reward_paid', ctx, {
    amountFen: payment.amountFen,
    paymentReference: payment.paymentReference,
    ...(recipient !== s.reportId ? { recipientReportId: recipient } : {}),
  });
  // The notice goes to the reporter rewarded: a merged duplicate's, where that one was first.
  const notice: Effect = {
    kind: 'notify',
    notification: {
      kind: 'reward_paid',
      recipient: {
        kind: 'reporter',
        via: 'channel',
        ...(recipient !== s.reportId ? { reportId: recipient } : {}),
      },
      payload: { amountFen: payment.amountFen },
    },
  };
  return [notice, ...close(s, ctx, 'reward_paid')];
}
