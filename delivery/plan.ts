import { createHash } from 'node:crypto';
import type { Recipient } from '../domain/report/effects.js';
import type { NotificationKind } from '../domain/report/timeline-events.js';

/**
 * Which deliveries an outbox row makes, pure. A message to a reporter closes the loop twice: the
 * hotline that filed the report hears the outcome of its work order (工单回传, a webhook per intake
 * channel), and a named reporter gets an SMS; an anonymous one is reached only through the claim-
 * code status page. A message to a unit goes by e-mail to the level of its contact sheet; one to
 * the 安委办, the dispatch centre or the operators to their mailbox.
 *
 * A destination is written as people read it and never holds a phone number or a name: a
 * reporter's SMS names the vault entry, which the SMS adapter opens at send time.
 */

export type DeliveryChannel = 'webhook' | 'email' | 'sms' | 'none';

export interface OutboxRow {
  readonly id: string;
  readonly dedupeKey: string;
  readonly reportId: string;
  readonly kind: NotificationKind;
  readonly recipient: Recipient;
}

/** What the intake recorded of the report a reporter's message is about. */
export interface ReporterContext {
  readonly channel: string;
  readonly reporter: { readonly kind: 'named'; readonly vaultRef: string } | { readonly kind: 'anonymous' };
}

/** What delivery is configured: which intake channels have a webhook, whether SMS and mail run. */
export interface Reach {
  readonly webhookChannels: ReadonlySet<string>;
  readonly sms: boolean;
  readonly email: boolean;
}

export interface PlannedDelivery {
  readonly channel: DeliveryChannel;
  readonly destination: string;
  /** Stable across retries, restarts and re-plans: receivers drop repeats by it. */
  readonly idempotencyKey: string;
  /** Set when nothing will be sent, and why (the row is kept, skipped, for the record). */
  readonly skipped?: string;
}

/** What reaches a reporter at all: the notices the law and the district notice owe them. */
export const REPORTER_KINDS: ReadonlySet<NotificationKind> = new Set<NotificationKind>([
  'acceptance_notice',
  'rejection_notice',
  'interim_reply',
  'feedback_to_reporter',
  'reward_paid',
]);

export const idempotencyKeyOf = (dedupeKey: string, channel: DeliveryChannel, destination: string): string =>
  `msg_${createHash('sha256').update(`${dedupeKey}\u0000${channel}\u0000${destination}`).digest('base64url').slice(0, 32)}`;

const planned = (
  row: OutboxRow,
  channel: DeliveryChannel,
  destination: string,
  skipped?: string,
): PlannedDelivery => ({
  channel,
  destination,
  idempotencyKey: idempotencyKeyOf(row.dedupeKey, channel, destination),
  ...(skipped ? { skipped } : {}),
});

const LEVELS = {
  case_officer: 'caseOfficer',
  section_chief: 'sectionChief',
  leader: 'leaderInCharge',
} as const;

export function planDeliveries(
  row: OutboxRow,
  reach: Reach,
  reporter: ReporterContext | undefined,
): PlannedDelivery[] {
  const r = row.recipient;
  switch (r.kind) {
    case 'reporter': {
      if (!reporter) return [planned(row, 'none', 'reporter', 'the report’s intake record is missing')];
      const out: PlannedDelivery[] = [];
      out.push(
        reach.webhookChannels.has(reporter.channel)
          ? planned(row, 'webhook', `hotline:${reporter.channel}`)
          : planned(
              row,
              'none',
              `hotline:${reporter.channel}`,
              'no webhook for this intake channel (it may poll the feed)',
            ),
      );
      if (reporter.reporter.kind === 'anonymous')
        out.push(
          planned(row, 'none', 'reporter:anonymous', 'anonymous: reached through the claim-code status page'),
        );
      else if (!reach.sms)
        out.push(planned(row, 'none', `sms:${reporter.reporter.vaultRef}`, 'no SMS gateway configured'));
      else out.push(planned(row, 'sms', `sms:${reporter.reporter.vaultRef}`));
      return out;
    }
    case 'unit': {
      const destination = `unit:${r.unitId}:${LEVELS[r.level ?? 'case_officer']}`;
      return [
        reach.email
          ? planned(row, 'email', destination)
          : planned(row, 'none', destination, 'no SMTP server configured'),
      ];
    }
    case 'supervisors':
    case 'dispatch_centre':
    case 'operators': {
      const destination = `mailbox:${r.kind}`;
      return [
        reach.email
          ? planned(row, 'email', destination)
          : planned(row, 'none', destination, 'no SMTP server configured'),
      ];
    }
  }
}
