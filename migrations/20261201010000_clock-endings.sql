-- Up Migration
-- How each clock ended: `done` (its step was completed: on time or late), `stopped` (the report was
-- withdrawn, merged, cancelled or left the unit: the step was never done), `superseded` (a new
-- deadline replaced it). Figures count only `done`. Clocks stopped before this release were all
-- counted as done, and stay so.
alter table report_clocks add column ended_how text
  check (ended_how in ('done', 'stopped', 'superseded'));
update report_clocks set ended_how = 'done' where stopped_at is not null;

-- Down Migration
alter table report_clocks drop column ended_how;
