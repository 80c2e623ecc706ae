import { NOTIFICATION_KINDS, type NotificationKind } from '../domain/report/timeline-events.js';

/**
 * What each channel says, pure. Every message carries only the public part of the outcome: the
 * outbox payload as the workflow wrote it (a reason, a reply, a deadline, a rung) without any
 * vault reference; nothing about the reporter ever reaches the outbox in the first place.
 */

export interface Message {
  readonly reportId: string;
  readonly channel: string | undefined;
  readonly externalId: string | undefined;
  readonly kind: NotificationKind;
  readonly payload: Readonly<Record<string, unknown>>;
  /** When the workflow decided it (the outbox row's creation). */
  readonly at: string;
}

/** The payload without references into the vault (`…Ref`): they mean nothing outside, and say too much. */
export const publicPayload = (payload: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(payload).filter(([k]) => !/Ref$/.test(k)));

/** 工单回传: the hotline's webhook body (Standard Webhooks: `type`, `timestamp`, `data`). */
export const webhookBody = (m: Message): string =>
  JSON.stringify({
    type: `report.${m.kind}`,
    timestamp: m.at,
    data: {
      reportId: m.reportId,
      channel: m.channel,
      externalId: m.externalId,
      event: m.kind,
      label: NOTIFICATION_KINDS[m.kind],
      outcome: publicPayload(m.payload),
    },
  });

/** An SMS to a reporter: the gateway's template and its parameters (the gateway holds the text). */
export const smsParams = (m: Message): Record<string, string> => {
  const out: Record<string, string> = { ticket: m.externalId ?? m.reportId };
  for (const [k, v] of Object.entries(publicPayload(m.payload)))
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
};

/** An e-mail to a unit or an office: a subject people scan, and the facts one per line. */
export function emailContent(m: Message): { subject: string; text: string } {
  const label = NOTIFICATION_KINDS[m.kind];
  const lines = Object.entries(publicPayload(m.payload)).map(
    ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return {
    subject: `【闭环】${label} ${m.externalId ?? m.reportId}`,
    text: [`${label}`, `举报：${m.reportId}`, ...lines, '', '本邮件由闭环系统发送，请勿直接回复。'].join(
      '\n',
    ),
  };
}
