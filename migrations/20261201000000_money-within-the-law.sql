-- Up Migration
-- 最高 ¥300,000 a report (安监总财〔2018〕19号 第十四条): the last line of defence behind the workflow's
-- own checks, so that neither the ledger nor the read model (nor the statistics and exports that
-- read it) can ever hold a reward the law forbids. NOT VALID: rows written before this release are
-- left as they are; every new or updated row is checked.
alter table reward_ledger
  add constraint reward_ledger_amount_within_the_law check (amount_fen <= 30000000) not valid;
alter table reports
  add constraint reports_reward_within_the_law check (
    coalesce(reward_proposed_fen, 0) between 0 and 30000000
    and coalesce(reward_approved_fen, 0) between 0 and 30000000
    and coalesce(reward_paid_fen, 0) between 0 and 30000000
  ) not valid;

-- Down Migration
alter table reports drop constraint reports_reward_within_the_law;
alter table reward_ledger drop constraint reward_ledger_amount_within_the_law;
