-- Up Migration
-- 解决/未解决 as the reporter answered at the 回访 (policy version 4 on): 解决率 counts these answers.
-- Returns the dispatcher refused (退单审核), counted apart from the approved ones (misrouting).
alter table reports
  add column resolved boolean,
  add column returns_refused integer not null default 0,
  -- Some unit had the report by mistake, as the dispatcher decided (an approved return, a reassignment
  -- after dispute). Reports projected before 0.4 are recomputed by the next projection or a rebuild.
  add column misrouted boolean not null default false;
update reports set misrouted = true where returns > 0;

-- Down Migration
alter table reports drop column resolved, drop column returns_refused, drop column misrouted;
