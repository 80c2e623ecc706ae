-- Up Migration
-- The read model of the report lifecycle. Only activities write here, and every write is
-- idempotent: rows have natural keys, so an activity retried after it wrote changes nothing.

-- One row per report: its current state, denormalised for listings and statistics.
create table reports (
  report_id      text primary key,
  channel        text not null,
  external_id    text not null,
  stage          text not null,
  urgency        text not null,
  unit_id        text,
  major_hazard   boolean not null default false,
  overdue        boolean not null default false,
  received_at    timestamptz not null,
  accepted_at    timestamptz,
  closed_at      timestamptz,
  -- Sequence of the last event applied: a stale projection (older sequence) never overwrites a newer one.
  last_sequence  integer not null,
  snapshot       jsonb not null,
  updated_at     timestamptz not null default now(),
  unique (channel, external_id)
);
create index reports_stage_idx on reports (stage, received_at desc);
create index reports_unit_idx on reports (unit_id, stage);

-- Append-only timeline; (report, sequence) is unique so retries and replays never duplicate a row.
create table report_events (
  report_id   text not null,
  sequence    integer not null,
  type        text not null,
  at          timestamptz not null,
  actor       jsonb,
  data        jsonb not null default '{}',
  primary key (report_id, sequence)
);

-- Each warning and escalation rung of a deadline, recorded once.
create table escalations (
  report_id   text not null,
  clock       text not null,
  occurrence  integer not null,
  rung        text not null,
  due_at      timestamptz not null,
  fired_at    timestamptz not null,
  unit_id     text,
  primary key (report_id, clock, occurrence, rung)
);

-- Notifications waiting for delivery (SMS gateway, e-mail, 12345 feedback). The key makes a
-- retried enqueue a no-op; a sender marks rows delivered.
create table notification_outbox (
  id            bigint generated always as identity primary key,
  dedupe_key    text not null unique,
  report_id     text not null,
  kind          text not null,
  recipient     jsonb not null,
  payload       jsonb not null,
  created_at    timestamptz not null default now(),
  delivered_at  timestamptz
);
create index notification_outbox_pending_idx on notification_outbox (created_at) where delivered_at is null;

-- Reward payments: at most one per report, enforced here and not only in code.
create table reward_ledger (
  report_id          text primary key,
  amount_fen         bigint not null check (amount_fen >= 0),
  payment_reference  text not null unique,
  proposed_by        text not null,
  approved_by        text not null,
  paid_by            text not null,
  paid_at            timestamptz not null default now(),
  check (proposed_by <> approved_by and approved_by <> paid_by and proposed_by <> paid_by)
);

-- Down Migration
drop table reward_ledger;
drop table notification_outbox;
drop table escalations;
drop table report_events;
drop table reports;
