import type postgres from 'postgres';
import type { NotificationKind } from '../domain/report/timeline-events.js';
import { webhookBody } from './messages.js';
import { idempotencyKeyOf, REPORTER_KINDS } from './plan.js';

/**
 * The pull feed (GET /v1/feed) for hotline systems that poll instead of receiving webhooks: the
 * outcomes of the work orders an intake client filed, oldest first, after a cursor (keyset on the
 * outbox id). At least once: a client keeps the cursor of the last item it has processed and asks
 * after it; an item seen twice carries the same `id` as before — and as its webhook would — so a
 * client that also takes webhooks drops the repeat.
 */
export interface FeedItem {
  readonly cursor: string;
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

export async function readFeed(
  sql: postgres.Sql,
  filedBy: string,
  opts: { after: string | undefined; limit: number },
): Promise<{ items: FeedItem[]; next: string | null }> {
  const rows = await sql<
    {
      id: string;
      dedupe_key: string;
      report_id: string;
      kind: NotificationKind;
      payload: Record<string, unknown>;
      created_at: Date;
      channel: string;
      external_id: string;
    }[]
  >`
    select o.id::text, o.dedupe_key, o.report_id, o.kind, o.payload, o.created_at, i.channel, i.external_id
    from notification_outbox o
    join intake_requests i on i.report_id = coalesce(o.recipient ->> 'reportId', o.report_id)
    where i.filed_by = ${filedBy}
      and o.recipient ->> 'kind' = 'reporter'
      and o.kind in ${sql([...REPORTER_KINDS])}
      ${opts.after ? sql`and o.id > ${opts.after}` : sql``}
      -- Ids are taken at insert and rows become visible at commit: a row younger than a few seconds
      -- may still have an older neighbour about to commit, and a cursor past it would skip that one.
      and o.created_at < now() - interval '5 seconds'
    order by o.id
    limit ${opts.limit}`;
  const items = rows.map((r) => {
    const body = JSON.parse(
      webhookBody({
        reportId: r.report_id,
        channel: r.channel,
        externalId: r.external_id,
        kind: r.kind,
        payload: r.payload,
        at: r.created_at.toISOString(),
      }),
    ) as { type: string; timestamp: string; data: Record<string, unknown> };
    return {
      cursor: r.id,
      id: idempotencyKeyOf(r.dedupe_key, 'webhook', `hotline:${r.channel}`),
      ...body,
    };
  });
  return { items, next: items.at(-1)?.cursor ?? opts.after ?? null };
}
