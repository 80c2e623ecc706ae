import type postgres from 'postgres';
import type { Logger } from 'pino';
import type { Recipient } from '../domain/report/effects.js';
import type { NotificationKind } from '../domain/report/timeline-events.js';
import type { ReporterRef } from '../domain/report/step-inputs.js';
import type { DeliveryConfig } from '../infra/config.js';
import type { KeyRing } from '../infra/vault.js';
import { readReporter } from '../api/identity/reporter-vault.js';
import { createMailer, type Mailer } from './channels/email.js';
import { DeliveryFailure } from './channels/failure.js';
import { sendSms } from './channels/sms.js';
import { sendWebhook } from './channels/webhook.js';
import { emailContent, smsParams, webhookBody, type Message } from './messages.js';
import { planDeliveries, type DeliveryChannel, type Reach, type ReporterContext } from './plan.js';

/**
 * The delivery relay: it drains `notification_outbox` in two steps, each safe to run in several
 * processes at once and to kill at any moment.
 *
 * 1. **Plan** — an unplanned outbox row becomes its deliveries (one per channel and destination),
 *    in one transaction with the row marked planned; `for update skip locked` lets relays share.
 * 2. **Deliver** — a due delivery is locked (`for update skip locked`), sent, and its outcome
 *    recorded in the same transaction: delivered, failed (retried after an exponential backoff)
 *    or, after `DELIVERY_MAX_ATTEMPTS` or a permanent refusal, dead. Every attempt is a row of
 *    `delivery_attempts`.
 *
 * A relay killed mid-send leaves the transaction uncommitted: the delivery is still pending and
 * is sent again — at least once, never lost. The repeat carries the same idempotency key
 * (`webhook-id`, the SMS gateway's `idempotencyKey`, the mail's Message-ID), so a receiver drops
 * it: nothing is done twice.
 */

export interface RelayDeps {
  readonly sql: postgres.Sql;
  readonly config: DeliveryConfig;
  readonly vault: KeyRing;
  readonly log: Logger;
}

export interface Relay {
  /** Plans every unplanned outbox row; answers how many rows it planned. */
  plan(): Promise<number>;
  /** Attempts one due delivery; false when none is due. */
  deliverOne(): Promise<boolean>;
  /** Plans and delivers until `signal` aborts, waiting `pollMs` whenever nothing is due. */
  run(signal: AbortSignal): Promise<void>;
  close(): void;
}

interface DueRow {
  id: string;
  channel: DeliveryChannel;
  destination: string;
  idempotency_key: string;
  attempts: number;
  report_id: string;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  recipient: Recipient;
  created_at: Date;
}

const backoff = (config: DeliveryConfig, attempts: number): number =>
  Math.min(config.backoffMaxMs, config.backoffMs * 2 ** Math.max(0, attempts - 1));

export function createRelay(deps: RelayDeps): Relay {
  const { sql, config, log } = deps;
  const reach: Reach = {
    webhookChannels: new Set(Object.keys(config.webhooks)),
    sms: config.sms !== undefined,
    email: config.smtp !== undefined,
  };
  let mailer: Mailer | undefined;
  const mail = () => (mailer ??= createMailer(config.smtp!, config.timeoutMs));

  async function plan(): Promise<number> {
    return sql.begin(async (tx) => {
      const rows = await tx<
        { id: string; dedupe_key: string; report_id: string; kind: NotificationKind; recipient: Recipient }[]
      >`
        select id, dedupe_key, report_id, kind, recipient from notification_outbox
        where planned_at is null order by id limit 200 for update skip locked`;
      for (const row of rows) {
        const reportOfReporter =
          row.recipient.kind === 'reporter' ? (row.recipient.reportId ?? row.report_id) : undefined;
        let reporter: ReporterContext | undefined;
        if (reportOfReporter) {
          const [intake] = await tx<{ channel: string; reporter_ref: ReporterRef }[]>`
            select channel, reporter_ref from intake_requests where report_id = ${reportOfReporter}`;
          if (intake)
            reporter = {
              channel: intake.channel,
              reporter:
                intake.reporter_ref.kind === 'named'
                  ? { kind: 'named', vaultRef: intake.reporter_ref.vaultRef }
                  : { kind: 'anonymous' },
            };
        }
        const planned = planDeliveries(
          {
            id: row.id,
            dedupeKey: row.dedupe_key,
            reportId: row.report_id,
            kind: row.kind,
            recipient: row.recipient,
          },
          reach,
          reporter,
        );
        for (const d of planned) {
          await tx`
            insert into notification_deliveries
              (outbox_id, channel, destination, idempotency_key, status, last_error)
            values (${row.id}, ${d.channel}, ${d.destination}, ${d.idempotencyKey},
                    ${d.skipped ? 'skipped' : 'pending'}, ${d.skipped ?? null})
            on conflict do nothing`;
        }
        await tx`update notification_outbox set planned_at = now() where id = ${row.id}`;
      }
      return rows.length;
    });
  }

  /** The report's channel and ticket, for the message (from the intake record). */
  async function messageOf(tx: postgres.TransactionSql, row: DueRow): Promise<Message> {
    const [intake] = await tx<{ channel: string; external_id: string }[]>`
      select channel, external_id from intake_requests where report_id = ${row.report_id}`;
    return {
      reportId: row.report_id,
      channel: intake?.channel,
      externalId: intake?.external_id,
      kind: row.kind,
      payload: row.payload,
      at: row.created_at.toISOString(),
    };
  }

  /** The e-mail address a destination names: a unit's contact, or an office's mailbox. */
  async function addressOf(tx: postgres.TransactionSql, destination: string): Promise<string> {
    const [, what, unitId, level] = destination.match(/^(unit|mailbox):([^:]+)(?::(\w+))?$/) ?? [];
    if (what === 'mailbox') {
      const box = config.mailboxes[unitId as keyof DeliveryConfig['mailboxes']];
      if (!box) throw new DeliveryFailure(`no mailbox configured for ${unitId}`, true);
      return box;
    }
    const [unit] = await tx<{ contacts: Record<string, { email?: string }> }[]>`
      select contacts from units where id = ${unitId ?? ''}`;
    const email = unit?.contacts[level ?? '']?.email;
    if (!email) throw new DeliveryFailure(`the directory has no e-mail for ${unitId} ${level}`, true);
    return email;
  }

  async function send(
    tx: postgres.TransactionSql,
    row: DueRow,
    /** Told of each identity opened, so the read is on the record whatever becomes of the send. */
    opened: (vaultRef: string) => void,
  ): Promise<string> {
    const message = await messageOf(tx, row);
    switch (row.channel) {
      case 'webhook': {
        const target = config.webhooks[row.destination.replace(/^hotline:/, '')];
        if (!target) throw new DeliveryFailure(`no webhook configured for ${row.destination}`, true);
        return sendWebhook(
          target,
          { idempotencyKey: row.idempotency_key, body: webhookBody(message) },
          config.timeoutMs,
        );
      }
      case 'sms': {
        if (!config.sms) throw new DeliveryFailure('no SMS gateway configured', true);
        const vaultRef = row.destination.replace(/^sms:/, '');
        const identity = await readReporter(tx, deps.vault, vaultRef);
        if (!identity) throw new DeliveryFailure(`the vault has no entry ${vaultRef}`, true);
        opened(vaultRef);
        return sendSms(
          config.sms,
          {
            idempotencyKey: row.idempotency_key,
            kind: row.kind,
            phone: identity.phone,
            params: smsParams(message),
          },
          config.timeoutMs,
        );
      }
      case 'email': {
        if (!config.smtp) throw new DeliveryFailure('no SMTP server configured', true);
        const to = await addressOf(tx, row.destination);
        return mail().send({ to, idempotencyKey: row.idempotency_key, ...emailContent(message) });
      }
      case 'none':
        throw new DeliveryFailure('nothing to deliver through', true);
    }
  }

  async function deliverOne(): Promise<boolean> {
    return sql.begin(async (tx) => {
      const [row] = await tx<DueRow[]>`
        select d.id, d.channel, d.destination, d.idempotency_key, d.attempts,
               -- A merged duplicate's reporter is told through the duplicate's own hotline ticket.
               coalesce(o.recipient ->> 'reportId', o.report_id) as report_id,
               o.kind, o.payload, o.recipient, o.created_at
        from notification_deliveries d join notification_outbox o on o.id = d.outbox_id
        where d.status = 'pending' and d.next_attempt_at <= now()
        order by d.next_attempt_at, d.id
        limit 1
        for update of d skip locked`;
      if (!row) return false;
      const startedAt = new Date();
      const [{ attempt } = { attempt: 1 }] = await tx<{ attempt: number }[]>`
        select coalesce(max(attempt), 0)::int + 1 as attempt from delivery_attempts where delivery_id = ${row.id}`;
      const attempts = row.attempts + 1;
      const opened: string[] = [];
      // Opening an identity is always on the record, for a machine as for a person.
      const recordReads = async () => {
        for (const vaultRef of opened)
          await tx`
            insert into identity_reads (actor_id, actor_role, report_id, vault_ref, purpose, note, request_id)
            values ('bihuan-delivery', 'system', ${row.report_id}, ${vaultRef}, 'notification',
                    ${row.kind}, ${row.idempotency_key})`;
      };
      try {
        // In a savepoint: a statement that fails inside the send must not abort the transaction
        // that records the failure (the delivery would stay pending, retried for ever).
        const detail = await tx.savepoint((sp) => send(sp, row, (ref) => opened.push(ref)));
        await recordReads();
        await tx`
          update notification_deliveries
          set status = 'delivered', attempts = ${attempts}, delivered_at = now(), last_error = null
          where id = ${row.id}`;
        await tx`
          insert into delivery_attempts (delivery_id, attempt, started_at, outcome, detail)
          values (${row.id}, ${attempt}, ${startedAt}, 'delivered', ${detail})`;
        log.info({ delivery: row.id, channel: row.channel, kind: row.kind, attempt }, 'delivered');
      } catch (err) {
        await recordReads();
        const failure =
          err instanceof DeliveryFailure ? err : new DeliveryFailure((err as Error).message, false);
        const dead = failure.permanent || attempts >= config.maxAttempts;
        const retryAt = new Date(Date.now() + backoff(config, attempts));
        await tx`
          update notification_deliveries
          set status = ${dead ? 'dead' : 'pending'}, attempts = ${attempts},
              next_attempt_at = ${dead ? sql`next_attempt_at` : retryAt}, last_error = ${failure.detail}
          where id = ${row.id}`;
        await tx`
          insert into delivery_attempts (delivery_id, attempt, started_at, outcome, detail)
          values (${row.id}, ${attempt}, ${startedAt}, ${dead ? 'dead' : 'failed'}, ${failure.detail})`;
        log.warn(
          { delivery: row.id, channel: row.channel, kind: row.kind, attempt, dead, error: failure.detail },
          dead ? 'delivery is a dead letter' : 'delivery failed; will retry',
        );
      }
      return true;
    });
  }

  async function run(signal: AbortSignal): Promise<void> {
    // A wait that ends early when the relay stops, and leaves no listener behind when it does not.
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
      });
    // Several lanes deliver side by side, each locking its own row. The first also plans new
    // outbox rows — when it finds nothing due, and at least every pollMs while busy — rather than
    // every lane before every delivery.
    let plannedAt = 0;
    const planNow = async (): Promise<number> => {
      plannedAt = Date.now();
      return plan();
    };
    const lane = async (index: number) => {
      const planner = index === 0;
      while (!signal.aborted) {
        try {
          if (planner && Date.now() - plannedAt >= config.pollMs) await planNow();
          if (await deliverOne()) continue;
          if (planner && (await planNow()) > 0) continue;
          await sleep(config.pollMs);
        } catch (err) {
          log.error({ err }, 'delivery relay: the database failed; trying again');
          await sleep(config.pollMs);
        }
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, (_, i) => lane(i)));
  }

  return { plan, deliverOne, run, close: () => mailer?.close() };
}
