import type postgres from 'postgres';
import type { NotificationKind } from '../domain/report/timeline-events.js';
import { emailContent, smsParams, webhookBody, type Message } from './messages.js';

/**
 * What was sent, as a newcomer wants to see it under `npm start` (`GET /dev/outbox`): the latest
 * deliveries, each with its status and what it said on its channel — the webhook body, the SMS
 * template and parameters, the e-mail's subject and text. The SMS shows the vault reference it was
 * sent to, never the phone.
 */
export async function recentDeliveries(sql: postgres.Sql, limit: number) {
  const rows = await sql<
    {
      id: string;
      channel: string;
      destination: string;
      status: string;
      attempts: number;
      last_error: string | null;
      delivered_at: Date | null;
      report_id: string;
      kind: NotificationKind;
      payload: Record<string, unknown>;
      created_at: Date;
      intake_channel: string | null;
      external_id: string | null;
    }[]
  >`
    select d.id::text, d.channel, d.destination, d.status, d.attempts, d.last_error, d.delivered_at,
           o.report_id, o.kind, o.payload, o.created_at, i.channel as intake_channel, i.external_id
    from notification_deliveries d
    join notification_outbox o on o.id = d.outbox_id
    left join intake_requests i on i.report_id = o.report_id
    order by d.id desc limit ${limit}`;
  return rows.map((r) => {
    const message: Message = {
      reportId: r.report_id,
      channel: r.intake_channel ?? undefined,
      externalId: r.external_id ?? undefined,
      kind: r.kind,
      payload: r.payload,
      at: r.created_at.toISOString(),
    };
    const said =
      r.channel === 'webhook'
        ? { body: JSON.parse(webhookBody(message)) as unknown }
        : r.channel === 'sms'
          ? { params: smsParams(message) }
          : r.channel === 'email'
            ? emailContent(message)
            : {};
    return {
      id: r.id,
      reportId: r.report_id,
      kind: r.kind,
      channel: r.channel,
      destination: r.destination,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      said,
    };
  });
}
