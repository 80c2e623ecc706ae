-- Up Migration
-- The directory a district runs on: its handling units with their contact sheet, its streets and
-- towns, and the routing rules (domain × locality → unit) the dispatcher's suggestion follows.
-- Edited through the admin endpoints; `npm start` seeds a demo district outside production.
create table units (
  id          text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name        text not null,
  kind        text not null check (kind in ('street_office', 'town_government', 'district_department', 'other')),
  district    text not null,
  -- 分管领导, 科长, 经办人: { leaderInCharge, sectionChief, caseOfficer } each { name, phone }
  contacts    jsonb not null,
  active      boolean not null default true,
  updated_at  timestamptz not null default now()
);

create table streets (
  id        text primary key,
  district  text not null,
  name      text not null,
  unique (district, name)
);

-- The most specific rule wins: a street's rule over the district-wide one (street null).
create table routing_rules (
  id          bigint generated always as identity primary key,
  domain      text not null,
  district    text not null,
  street      text,
  unit_id     text not null references units (id),
  updated_at  timestamptz not null default now(),
  unique nulls not distinct (domain, district, street)
);

-- Every policy document a worker has run with, as it was: a report names (id, version), and this
-- says what that meant. A version that changes content is refused by the worker.
create table policies (
  id               text not null,
  version          integer not null,
  sha256           text not null,
  document         jsonb not null,
  first_loaded_at  timestamptz not null default now(),
  primary key (id, version)
);

-- Down Migration
drop table policies;
drop table routing_rules;
drop table streets;
drop table units;
