-- Up Migration
-- 主办/协办 (policy version 7 on): the units asked to support the lead. Their handlers read the report
-- and answer the lead; a handler's list and its 404 check look here as well as at unit_id.
alter table reports add column supporting_unit_ids text[] not null default '{}';
create index reports_supporting_units_idx on reports using gin (supporting_unit_ids);

-- Down Migration
drop index reports_supporting_units_idx;
alter table reports drop column supporting_unit_ids;
