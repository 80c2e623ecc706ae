import type { PolicyRef } from '../policy.js';
import type { Actor, ClockName, Urgency } from '../vocabulary.js';
import type { DuplicateLink, Escalation } from './report-state.js';
import type { NotificationKind } from './timeline-events.js';

/** Who a notification is for. Reporter contact details stay in the vault; the sender looks them up. */
export type Recipient =
  | {
      readonly kind: 'unit';
      readonly unitId: string;
      readonly level?: 'case_officer' | 'section_chief' | 'leader';
    }
  | {
      readonly kind: 'reporter';
      readonly via: 'channel';
      /** Whose reporter, when not this report's (a merged duplicate's, rewarded as first reporter). */
      readonly reportId?: string;
    }
  | { readonly kind: 'supervisors' }
  | { readonly kind: 'dispatch_centre' }
  /** Whoever runs Bihuan: a report the system itself cannot keep (see workflows/projector.ts). */
  | { readonly kind: 'operators' };

export interface Notification {
  readonly kind: NotificationKind;
  readonly recipient: Recipient;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * What a transition asks the workflow to do with the outside world or with time. Transitions
 * themselves are pure; the workflow turns effects into activities and clocks.
 */
export type Effect =
  | {
      readonly kind: 'start_clock';
      readonly clock: ClockName;
      readonly urgency?: Urgency;
      readonly handlerDueAt?: string;
      /** When the step started, where it is not now (a clock an extension re-fixes keeps its start). */
      readonly startedAt?: string;
      readonly extension?: { readonly dueAt: string; readonly approvedBy: string; readonly reason: string };
      /** The supporting unit that owes the step (协办), where it is not the unit holding the report. */
      readonly forUnitId?: string;
    }
  | { readonly kind: 'notify'; readonly notification: Notification }
  | { readonly kind: 'resolve_policy' }
  /** Fix when a 补充材料 pause of these (paused) clocks ends by itself (policy version 4 on). */
  | { readonly kind: 'fix_pause_limit'; readonly clocks: readonly ClockName[] }
  /** Move a clock's schedule by a pause that just ended (policy version 4 on). */
  | { readonly kind: 'shift_clock'; readonly clock: ClockName; readonly from: string; readonly to: string }
  /** Write a 督办 rung that no clock fired (挂牌督办 of a major hazard) to the escalations record. */
  | { readonly kind: 'record_escalation'; readonly escalation: Escalation }
  /** Pay the approved reward through the ledger, then record the payment (which closes the report). */
  | { readonly kind: 'disburse_reward'; readonly paidBy: string; readonly voucher?: string }
  | { readonly kind: 'link_duplicate'; readonly intoReportId: string; readonly duplicate: DuplicateLink }
  /**
   * Fix running deadlines again (issue 17): under `policy` when one is adopted (every running
   * clock), else with a calendar holding `calendarVersion` (the clocks that counted uncertain days).
   */
  | {
      readonly kind: 'recompute_deadlines';
      readonly policy?: PolicyRef;
      readonly calendarVersion?: string;
      readonly reason: string;
      readonly changeId: string;
      readonly actor: Actor;
    };

/** A notification to a unit's case officer. */
export const notifyUnit = (
  unitId: string,
  kind: NotificationKind,
  payload: Record<string, unknown> = {},
): Effect => ({
  kind: 'notify',
  notification: { kind, recipient: { kind: 'unit', unitId }, payload },
});

/** A notification to the reporter, through the channel the report came in by (the vault holds the contact). */
export const notifyReporter = (
  kind: NotificationKind,
  payload: Readonly<Record<string, unknown>>,
): Effect => ({
  kind: 'notify',
  notification: { kind, recipient: { kind: 'reporter', via: 'channel' }, payload },
});
