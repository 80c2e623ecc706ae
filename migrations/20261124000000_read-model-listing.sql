-- Up Migration
-- The read model grows what listings, boards and statistics filter and count on, so none of them
-- has to open the `snapshot` document. Every column is derived from the workflow's state by
-- domain/report/report-summary.ts; a rebuild from Temporal reproduces it exactly.

alter table reports
  add column category                  text,
  add column domain                    text,
  add column district                  text not null default '',
  add column street                    text,
  add column grid                      text,
  -- What text search looks in (description and address, lower-cased), and its character bigrams:
  -- Chinese has no spaces and pg_trgm ignores CJK characters, so an array of bigrams with a GIN
  -- index narrows the search and `search_text like` confirms it.
  add column search_text               text not null default '',
  add column search_grams              text[] not null default '{}',
  add column verified_at               timestamptz,
  add column verification_outcome      text,
  add column hazards_found             integer not null default 0,
  -- What the major-hazard progress table and case write-ups show: the findings, the measures
  -- (责令整改, 停产停业 …) and the five fixed points (五落实) of a major hazard.
  add column findings                  text,
  add column measures                  text[] not null default '{}',
  add column five_points               jsonb,
  add column rectification_ordered_at  timestamptz,
  add column rectification_due_at      timestamptz,
  add column rectified_at              timestamptz,
  add column written_off_at            timestamptz,
  add column feedback_at               timestamptz,
  add column satisfaction              text,
  add column reward_proposed_fen       bigint,
  add column reward_approved_fen       bigint,
  add column reward_paid_fen           bigint,
  add column closure_outcome           text,
  -- Misrouting is counted apart: returns and disputes are not the unit's fault.
  add column returns                   integer not null default 0,
  add column disputes                  integer not null default 0,
  add column reopens                   integer not null default 0,
  -- The nearest running deadline, for "due soon" boards and the list's sort by urgency of work.
  add column next_due_at               timestamptz,
  add column next_due_clock            text,
  -- Highest escalation rung fired on a running clock (0: none).
  add column escalation_level          integer not null default 0;

-- The listing's order is (received_at desc, report_id desc) with keyset pagination; each filter
-- that narrows a lot gets an index that ends in that order so a page is an index range scan.
drop index reports_stage_idx;
drop index reports_unit_idx;
create index reports_received_idx on reports (received_at desc, report_id desc);
create index reports_stage_idx on reports (stage, received_at desc, report_id desc);
create index reports_unit_idx on reports (unit_id, received_at desc, report_id desc);
create index reports_unit_stage_idx on reports (unit_id, stage, received_at desc, report_id desc);
create index reports_channel_idx on reports (channel, received_at desc, report_id desc);
create index reports_overdue_idx on reports (received_at desc, report_id desc) where overdue;
create index reports_major_hazard_idx on reports (received_at desc, report_id desc) where major_hazard;
create index reports_locality_idx on reports (district, street, received_at desc);
create index reports_next_due_idx on reports (next_due_at) where next_due_at is not null;
create index reports_search_grams_idx on reports using gin (search_grams);

-- Every supervised clock of every report, as the workflow last projected it: the due and overdue
-- boards and the on-time statistics read this, not the snapshot.
create table report_clocks (
  report_id    text not null references reports (report_id) on delete cascade,
  clock        text not null,
  occurrence   integer not null,
  -- The unit responsible while the clock ran (the assignment in force when it started), if any.
  unit_id      text,
  started_at   timestamptz not null,
  warn_at      timestamptz not null,
  -- The deadline after pauses.
  due_at       timestamptz not null,
  stopped_at   timestamptz,
  paused       boolean not null,
  overdue      boolean not null,
  rungs_fired  integer not null,
  on_time      boolean,
  -- The clock ran under an assignment that ended in a return or an upheld dispute: misrouting,
  -- which statistics count apart instead of charging the unit.
  misrouted    boolean not null,
  primary key (report_id, clock, occurrence)
);
create index report_clocks_running_idx on report_clocks (due_at) where stopped_at is null;
create index report_clocks_unit_idx on report_clocks (unit_id, clock, started_at);

-- Down Migration
drop table report_clocks;
drop index reports_search_grams_idx;
drop index reports_next_due_idx;
drop index reports_locality_idx;
drop index reports_major_hazard_idx;
drop index reports_overdue_idx;
drop index reports_channel_idx;
drop index reports_unit_stage_idx;
drop index reports_unit_idx;
drop index reports_stage_idx;
drop index reports_received_idx;
create index reports_stage_idx on reports (stage, received_at desc);
create index reports_unit_idx on reports (unit_id, stage);
alter table reports
  drop column category, drop column domain, drop column district, drop column street, drop column grid,
  drop column search_text, drop column search_grams, drop column verified_at,
  drop column verification_outcome, drop column hazards_found, drop column findings,
  drop column measures, drop column five_points, drop column rectification_ordered_at,
  drop column rectification_due_at, drop column rectified_at, drop column written_off_at,
  drop column feedback_at, drop column satisfaction, drop column reward_proposed_fen,
  drop column reward_approved_fen, drop column reward_paid_fen, drop column closure_outcome,
  drop column returns, drop column disputes, drop column reopens, drop column next_due_at,
  drop column next_due_clock, drop column escalation_level;
