-- Up Migration
-- Delivering the outbox (issue 16). An outbox row is what the workflow decided to say; a delivery
-- is that message on one channel to one destination (the hotline's webhook, an SMS, an e-mail).
-- The relay plans a row's deliveries once (`planned_at`), then delivers each with its own retries,
-- backoff and dead letter, every attempt recorded. A delivery carries a stable idempotency key, so a
-- receiver drops the repeats that at-least-once delivery may send after a crash.
alter table notification_outbox add column planned_at timestamptz;
-- Rows from before delivery existed were never sent; they are planned like new ones.
create index notification_outbox_unplanned_idx on notification_outbox (id) where planned_at is null;

create table notification_deliveries (
  id               bigint generated always as identity primary key,
  outbox_id        bigint not null references notification_outbox (id),
  channel          text not null check (channel in ('webhook', 'email', 'sms', 'none')),
  -- Who it goes to, as people read it: a channel name, a unit's role, a vault reference; never a
  -- phone number or a name (the SMS adapter looks the phone up in the vault at send time).
  destination      text not null,
  idempotency_key  text not null unique,
  status           text not null default 'pending'
                   check (status in ('pending', 'delivered', 'dead', 'skipped')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz not null default now(),
  unique (outbox_id, channel, destination)
);
create index notification_deliveries_due_idx on notification_deliveries (next_attempt_at)
  where status = 'pending';
create index notification_deliveries_dead_idx on notification_deliveries (id) where status = 'dead';

create table delivery_attempts (
  delivery_id  bigint not null references notification_deliveries (id),
  attempt      integer not null,
  started_at   timestamptz not null,
  finished_at  timestamptz not null default now(),
  outcome      text not null check (outcome in ('delivered', 'failed', 'dead', 'skipped')),
  -- What the receiver answered (HTTP status, SMTP reply), or why it was not tried.
  detail       text,
  primary key (delivery_id, attempt)
);

-- Down Migration
drop table delivery_attempts;
drop table notification_deliveries;
drop index notification_outbox_unplanned_idx;
alter table notification_outbox drop column planned_at;
