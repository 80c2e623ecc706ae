import type { Notification } from '../domain/report/effects.js';
import type { ClockName, Rung } from '../domain/vocabulary.js';
import { refuseBadData } from './data-errors.js';
import type { ActivityDeps } from './index.js';

export interface OutboxEntry {
  /** Natural key: the same notification enqueued twice (a retry) is stored once. */
  readonly dedupeKey: string;
  readonly reportId: string;
  readonly notification: Notification;
}

export interface ClockEventRecord {
  readonly reportId: string;
  readonly clock: ClockName;
  readonly occurrence: number;
  readonly kind: 'warning' | 'overdue' | 'rung';
  readonly rung?: Rung;
  readonly dueAt: string;
  readonly firedAt: string;
  readonly unitId: string | undefined;
}

/**
 * The notification outbox (no SMS gateway is needed: a sender drains it) and the escalation
 * record. Both are idempotent by natural key.
 */
export function createNotificationActivities({ sql }: Pick<ActivityDeps, 'sql'>) {
  const enqueue = async (tx: typeof sql, entries: readonly OutboxEntry[]) => {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({
      dedupe_key: e.dedupeKey,
      report_id: e.reportId,
      kind: e.notification.kind,
      recipient: e.notification.recipient,
      payload: e.notification.payload,
    }));
    await tx`insert into notification_outbox ${tx(rows as never)} on conflict (dedupe_key) do nothing`;
  };
  return {
    async enqueueNotifications(entries: readonly OutboxEntry[]): Promise<void> {
      await refuseBadData('enqueueNotifications', () => enqueue(sql, entries));
    },
    /** A 督办 rung no clock fired (挂牌督办 of a major hazard): recorded once, however often sent. */
    async recordEscalation(e: Omit<ClockEventRecord, 'kind'> & { readonly rung: Rung }): Promise<void> {
      await refuseBadData(
        'recordEscalation',
        () => sql`
          insert into escalations (report_id, clock, occurrence, rung, due_at, fired_at, unit_id)
          values (${e.reportId}, ${e.clock}, ${e.occurrence}, ${e.rung}, ${e.dueAt}, ${e.firedAt}, ${e.unitId ?? null})
          on conflict do nothing`,
      );
    },
    /** A warning, a missed deadline or an escalation rung: recorded once, and notified once. */
    async recordClockEvent(
      event: ClockEventRecord,
      notification: OutboxEntry,
      /** Further recipients of the same event (0.6 on; older workflows send one). */
      more: readonly OutboxEntry[] = [],
    ): Promise<void> {
      await refuseBadData('recordClockEvent', () =>
        sql.begin(async (tx) => {
          if (event.kind === 'rung') {
            await tx`
            insert into escalations (report_id, clock, occurrence, rung, due_at, fired_at, unit_id)
            values (${event.reportId}, ${event.clock}, ${event.occurrence}, ${event.rung!}, ${event.dueAt}, ${event.firedAt}, ${event.unitId ?? null})
            on conflict do nothing`;
          }
          await enqueue(tx as unknown as typeof sql, [notification, ...more]);
        }),
      );
    },
  };
}
