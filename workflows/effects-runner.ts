import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Policy } from '../domain/policy.js';
import {
  addClock,
  effectiveDueAt,
  nextOccurrence,
  rescheduleClockState,
  runningClock,
} from '../domain/report/clocks.js';
import { countedUncertainDays } from '../domain/deadline-schedule.js';
import type { DeadlineRecomputed } from '../domain/report/deadline-recompute-steps.js';
import type { Effect, Notification } from '../domain/report/effects.js';
import { record } from '../domain/report/machine.js';
import { payeeReference, recordPayment } from '../domain/report/reward-steps.js';
import type { ReportState } from '../domain/report/report-state.js';
import { duplicateMergedSignal } from './messages.js';

type Proxy = { [K in keyof Activities]: Activities[K] };

const isOwnReporter = (n: Notification) =>
  n.recipient.kind === 'reporter' && n.recipient.reportId === undefined;

/**
 * Turns a transition's effects into deadlines fixed by (local) activities, outbox rows and
 * messages to other reports. Runs inside the workflow lock.
 */
export function createEffects(deps: {
  state: ReportState;
  activities: Proxy;
  local: Proxy;
  policy: () => Policy;
  setPolicy: (p: Policy) => void;
  nowIso: () => string;
}) {
  const { state } = deps;

  /**
   * Policy and calendar over time (issue 17): every running clock (an adoption), or those that
   * counted days the calendar did not yet know (an import), fixed again from its recorded start.
   * Each one whose schedule changed says so on the timeline, with both provenances.
   */
  async function recompute(effect: Extract<Effect, { kind: 'recompute_deadlines' }>, now: string) {
    const running = state.clocks.filter(
      (c) => c.stoppedAt === undefined && (effect.policy !== undefined || countedUncertainDays(c.schedule)),
    );
    const result = await deps.local.recomputeDeadlines({
      policy: effect.policy ?? state.policy,
      ...(effect.calendarVersion ? { calendarVersion: effect.calendarVersion } : {}),
      urgency: state.classification?.urgency ?? state.intake.urgencyHint,
      schedules: running.map((c) => c.schedule),
    });
    const ctx = { now, actor: effect.actor };
    const why = { reason: effect.reason, changeId: effect.changeId };
    if (effect.policy) {
      const from = state.policy;
      deps.setPolicy(result.policy);
      state.policy = { id: result.policy.id, version: result.policy.version };
      record(state, 'policy_adopted', ctx, { ...state.policy, from, ...why });
    }
    running.forEach((clock, i) => {
      const next = result.schedules[i];
      if (!next || JSON.stringify(next) === JSON.stringify(clock.schedule)) return;
      const before = clock.schedule;
      const from = new Date(effectiveDueAt(clock)).toISOString();
      rescheduleClockState(clock, next, now);
      const moved: DeadlineRecomputed = {
        clock: next.clock,
        occurrence: next.occurrence,
        ...(clock.unitId === undefined ? {} : { unitId: clock.unitId }),
        from,
        to: new Date(effectiveDueAt(clock)).toISOString(),
        fromProvenance: before.provenance,
        toProvenance: next.provenance,
        ...why,
      };
      record(state, 'deadline_recomputed', ctx, { ...moved });
    });
  }

  return {
    async run(effects: readonly Effect[], now: string): Promise<void> {
      const notifications: Notification[] = [];
      // An effect may lead to more (a payment closes the report): they run in the same pass.
      const queue = [...effects];
      for (let effect = queue.shift(); effect; effect = queue.shift()) {
        switch (effect.kind) {
          case 'resolve_policy': {
            // A report keeps the policy version it was accepted under.
            const policy = await deps.local.resolvePolicy({ policyId: state.policy.id });
            deps.setPolicy(policy);
            state.policy = { id: policy.id, version: policy.version };
            record(state, 'policy_fixed', { now }, { ...state.policy });
            break;
          }
          case 'start_clock': {
            const schedule = await deps.local.fixDeadline({
              policy: state.policy,
              request: {
                clock: effect.clock,
                occurrence: nextOccurrence(state, effect.clock),
                startedAt:
                  effect.startedAt ??
                  (effect.clock === 'acceptance' || (effect.clock === 'feedback' && state.reopens === 0)
                    ? state.intake.receivedAt
                    : now),
                ...(effect.urgency ? { urgency: effect.urgency } : {}),
                ...(effect.handlerDueAt ? { handlerDueAt: effect.handlerDueAt } : {}),
                ...(effect.extension ? { extension: effect.extension } : {}),
              },
            });
            addClock(state, schedule, effect.forUnitId);
            record(
              state,
              'deadline_fixed',
              { now },
              {
                clock: schedule.clock,
                occurrence: schedule.occurrence,
                ...(effect.forUnitId ? { unitId: effect.forUnitId } : {}),
                dueAt: schedule.dueAt,
                warnAt: schedule.warnAt,
                provenance: schedule.provenance,
              },
            );
            break;
          }
          case 'fix_pause_limit': {
            const until = await deps.local.pauseLimit({ policy: state.policy, from: now });
            for (const name of effect.clocks) {
              const clock = runningClock(state, name);
              if (clock?.pausedSince !== undefined) clock.pauseUntil = until;
            }
            break;
          }
          case 'shift_clock': {
            const clock = runningClock(state, effect.clock);
            if (!clock) break;
            const before = clock.schedule.dueAt;
            clock.schedule = await deps.local.shiftDeadline({
              policy: state.policy,
              schedule: clock.schedule,
              pause: { from: effect.from, to: effect.to },
            });
            record(
              state,
              'deadline_shifted',
              { now },
              {
                clock: effect.clock,
                occurrence: clock.schedule.occurrence,
                from: before,
                to: clock.schedule.dueAt,
                pause: clock.schedule.provenance.pauses?.at(-1),
              },
            );
            break;
          }
          case 'notify':
            // 有举必查: a reporter who withdrew after acceptance is contacted no more.
            if (!(state.contactStopped && isOwnReporter(effect.notification)))
              notifications.push(effect.notification);
            break;
          case 'record_escalation': {
            const e = effect.escalation;
            await deps.activities.recordEscalation({
              reportId: state.reportId,
              clock: e.clock,
              occurrence: e.occurrence,
              rung: e.rung,
              dueAt: e.at,
              firedAt: e.at,
              unitId: e.unitId,
            });
            break;
          }
          case 'disburse_reward': {
            const { proposal, decision } = state.reward;
            if (!proposal || !decision) throw new Error('disburse_reward without an approved proposal');
            // 发放: the ledger pays exactly once per report, whatever retries or restarts happen.
            const payment = await deps.activities.disburseReward({
              reportId: state.reportId,
              amountFen: decision.amountFen,
              proposedBy: proposal.by,
              approvedBy: decision.by,
              paidBy: effect.paidBy,
              payee: payeeReference(state),
              ...(effect.voucher ? { voucher: effect.voucher } : {}),
            });
            queue.push(
              ...recordPayment(state, payment, { now, actor: { id: effect.paidBy, role: 'finance' } }),
            );
            break;
          }
          case 'recompute_deadlines':
            await recompute(effect, now);
            break;
          case 'link_duplicate':
            await getExternalWorkflowHandle(effect.intoReportId).signal(
              duplicateMergedSignal,
              effect.duplicate,
            );
            break;
        }
      }
      if (notifications.length > 0) {
        const sequence = state.timeline.length;
        await deps.activities.enqueueNotifications(
          notifications.map((notification, i) => ({
            dedupeKey: `${state.reportId}:${sequence}:${i}:${notification.kind}`,
            reportId: state.reportId,
            notification,
          })),
        );
      }
    },
  };
}
