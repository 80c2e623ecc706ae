-- Up Migration
-- Policy and calendar over time (issue 17).

-- Years of the work calendar imported into the running system (PUT /v1/calendars/:year), beside the
-- years shipped in domain/calendar/. Each import of changed content is a new revision; the newest
-- revision of a year is the one deadlines count with. Never updated, never deleted.
create table work_calendar_years (
  year integer not null check (year between 2000 and 2200),
  revision integer not null check (revision >= 1),
  version text not null unique,
  sha256 text not null,
  document jsonb not null,
  imported_by text not null,
  imported_at timestamptz not null default now(),
  primary key (year, revision)
);

-- Every change that moves open reports' deadlines: a policy adoption (or its dry run, which is
-- what a real adoption must cite) and a calendar import. The audit trail of who, why and what.
create table deadline_changes (
  change_id uuid primary key,
  kind text not null check (kind in ('policy_adoption', 'calendar_import')),
  dry_run boolean not null default false,
  policy_id text,
  policy_version integer,
  calendar_version text,
  filter jsonb not null default '{}',
  reason text not null,
  requested_by text not null,
  -- A dry run's validation (schema, what-if summary); the dry run a real adoption cites.
  validation jsonb,
  validated_by uuid references deadline_changes (change_id),
  reports integer not null default 0,
  moved integer not null default 0,
  failed integer not null default 0,
  outcome jsonb,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

-- One row per deadline fixed again, written by the projection from the report's timeline
-- (deadline_recomputed events), so it holds exactly what each workflow did, once.
create table deadline_moves (
  report_id text not null,
  sequence integer not null,
  change_id text not null,
  clock text not null,
  occurrence integer not null,
  unit_id text,
  from_due_at timestamptz not null,
  to_due_at timestamptz not null,
  from_provenance jsonb not null,
  to_provenance jsonb not null,
  moved_at timestamptz not null,
  primary key (report_id, sequence)
);
create index deadline_moves_change_idx on deadline_moves (change_id);

-- Which running deadlines counted days the calendar did not yet know (provisional or fallback):
-- the reports a calendar import must reach.
alter table report_clocks add column calendar_version text;
alter table report_clocks add column uncertain_days boolean not null default false;
create index report_clocks_uncertain_idx on report_clocks (report_id) where uncertain_days and stopped_at is null;

-- Down Migration
drop index report_clocks_uncertain_idx;
alter table report_clocks drop column uncertain_days, drop column calendar_version;
drop table deadline_moves;
drop table deadline_changes;
drop table work_calendar_years;
