import type { Activities } from '../activities/index.js';
import { effectiveDueAt, type ClockEvent } from '../domain/report/clocks.js';
import { record } from '../domain/report/machine.js';
import { expireAtDeadline } from '../domain/report/reward-steps.js';
import type { ReportState } from '../domain/report/report-state.js';
import type { Recipient } from '../domain/report/effects.js';
import { recipientsOf } from '../domain/report/escalation-recipients.js';
import type { Policy } from '../domain/policy.js';
import { RUNGS } from '../domain/vocabulary.js';

/**
 * 督办: what happens when a clock reaches its warning, its deadline or a rung of its ladder.
 * Each is recorded on the timeline and through an activity that writes the escalation row and
 * an outbox notification, both keyed so a retry adds nothing.
 */
export async function fireClockEvent(
  state: ReportState,
  event: Exclude<ClockEvent, { kind: 'pause_limit' }>,
  deps: {
    activities: Pick<Activities, 'recordClockEvent'>;
    nowIso: () => string;
    policy: Pick<Policy, 'escalationRecipients'>;
  },
): Promise<void> {
  const { clock } = event;
  const { clock: name, occurrence } = clock.schedule;
  const now = deps.nowIso();
  const dueAt = new Date(effectiveDueAt(clock)).toISOString();
  // The unit that owes the step: a supporting unit for its reply to the lead (协办), else the lead.
  const unitId = clock.unitId ?? state.unitId;
  let kind: 'deadline_warning' | 'deadline_missed' | 'escalated';
  if (event.kind === 'warning') {
    clock.warned = true;
    kind = 'deadline_warning';
    record(state, kind, { now }, { clock: name, occurrence, dueAt });
  } else if (event.kind === 'overdue') {
    clock.overdue = true;
    kind = 'deadline_missed';
    record(state, kind, { now }, { clock: name, occurrence, dueAt });
    // Some deadlines decide (a claim window closing): the report may close here.
    expireAtDeadline(state, name, now);
  } else {
    clock.rungsFired += 1;
    kind = 'escalated';
    state.escalations.push({ clock: name, occurrence, rung: event.rung, at: now, unitId });
    record(
      state,
      kind,
      { now },
      { clock: name, occurrence, rung: event.rung, rungLabel: RUNGS[event.rung], dueAt },
    );
  }
  const rung = event.kind === 'rung' ? event.rung : undefined;
  const key = `${state.reportId}:${name}:${occurrence}:${event.kind}${rung ? `:${rung}` : ''}`;
  const payload = { clock: name, occurrence, dueAt, ...(rung ? { rung } : {}) };
  const [first, ...others] = recipientsOf(
    deps.policy,
    { clock: name, kind: event.kind, ...(rung ? { rung } : {}) },
    unitId,
    state.unitId,
  );
  const entry = (recipient: Recipient, i: number) => ({
    // The first keeps the key it always had, so a retry across an upgrade adds nothing.
    dedupeKey: i === 0 ? key : `${key}:${i}`,
    reportId: state.reportId,
    notification: { kind, recipient, payload },
  });
  await deps.activities.recordClockEvent(
    {
      reportId: state.reportId,
      clock: name,
      occurrence,
      kind: event.kind,
      ...(rung ? { rung } : {}),
      dueAt,
      firedAt: now,
      unitId,
    },
    entry(first!, 0),
    others.map((r, i) => entry(r, i + 1)),
  );
}
