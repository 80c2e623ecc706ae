import type postgres from 'postgres';

/**
 * Dead letters: deliveries that ran out of attempts or were refused for good. An admin lists them,
 * fixes the cause (a receiver's URL, a unit's e-mail, a rotated secret) and re-drives them: they
 * are pending again at once, their attempts counted afresh, their history kept.
 */
export interface DeliveryRow {
  readonly id: string;
  readonly reportId: string;
  readonly kind: string;
  readonly channel: string;
  readonly destination: string;
  readonly idempotencyKey: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string;
  readonly deliveredAt: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'skipped';

export async function listDeliveries(
  sql: postgres.Sql,
  filter: { status: DeliveryStatus; reportId?: string; limit: number; after?: string },
): Promise<DeliveryRow[]> {
  const rows = await sql<
    {
      id: string;
      report_id: string;
      kind: string;
      channel: string;
      destination: string;
      idempotency_key: string;
      status: string;
      attempts: number;
      last_error: string | null;
      created_at: Date;
      next_attempt_at: Date;
      delivered_at: Date | null;
    }[]
  >`
    select d.id::text, o.report_id, o.kind, d.channel, d.destination, d.idempotency_key, d.status,
           d.attempts, d.last_error, d.created_at, d.next_attempt_at, d.delivered_at
    from notification_deliveries d join notification_outbox o on o.id = d.outbox_id
    where d.status = ${filter.status}
      ${filter.reportId ? sql`and o.report_id = ${filter.reportId}` : sql``}
      ${filter.after ? sql`and d.id > ${filter.after}` : sql``}
    order by d.id limit ${filter.limit}`;
  return rows.map((r) => ({
    id: r.id,
    reportId: r.report_id,
    kind: r.kind,
    channel: r.channel,
    destination: r.destination,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    nextAttemptAt: r.next_attempt_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  }));
}

/** Re-drives a dead letter; answers what it was: missing, not dead, or re-driven. */
export async function redrive(sql: postgres.Sql, id: string): Promise<'missing' | 'not_dead' | 'redriven'> {
  const [row] = await sql<{ status: string }[]>`select status from notification_deliveries where id = ${id}`;
  if (!row) return 'missing';
  const updated = await sql`
    update notification_deliveries
    set status = 'pending', attempts = 0, next_attempt_at = now()
    where id = ${id} and status = 'dead'
    returning id`;
  return updated.length > 0 ? 'redriven' : 'not_dead';
}
