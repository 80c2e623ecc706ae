-- Up Migration
-- Statistics over a period read only what the period holds (issue 18, P7).
--
-- GET /v1/statistics aggregates, for a quarter, ~10^5 reports and twice as many clocks. Before this,
-- every figure drawn from clocks joined all of report_clocks, and the report figures read the wide
-- report rows (snapshot, search text). Three narrow structures let each figure read its period alone.

-- A clock carries its report's received_at (set once, never changed: a report is received once), so
-- the clocks of a period are one range of an index rather than every clock in the table.
alter table report_clocks add column received_at timestamptz;
update report_clocks c set received_at = r.received_at from reports r where r.report_id = c.report_id;
alter table report_clocks alter column received_at set not null;
create index report_clocks_statistics_idx on report_clocks (received_at)
  include (report_id, clock, unit_id, started_at, stopped_at, due_at, ended_how, on_time, misrouted, overdue);

-- The report figures and the filters they are taken under, by received_at: an index-only scan of a
-- period instead of a read of the reports' wide rows.
create index reports_statistics_idx on reports (received_at)
  include (report_id, stage, unit_id, channel, category, urgency, domain, district, street, overdue,
           major_hazard, supporting_unit_ids, accepted_at, verified_at, verification_outcome, hazards_found,
           rectified_at, written_off_at, satisfaction, resolved, returns, returns_refused, disputes, misrouted,
           reward_proposed_fen, reward_approved_fen, reward_paid_fen, closed_at);

-- The timeline events figures count (督办, 延期, pauses, 协办, returns) are a small part of a
-- timeline: found by type rather than by reading every event of every selected report.
create index report_events_type_idx on report_events (type, report_id);

-- Down Migration
drop index report_events_type_idx;
drop index reports_statistics_idx;
drop index report_clocks_statistics_idx;
alter table report_clocks drop column received_at;
