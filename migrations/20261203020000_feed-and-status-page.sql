-- Up Migration
-- Which intake client filed each report (the API key's or token's subject): the pull feed
-- (GET /v1/feed) shows a client the outcomes of its own work orders. Reports filed before have none.
alter table intake_requests add column filed_by text;
-- When the report says it was received: an Open311 retry under the same Idempotency-Key is the same
-- body only with the first request's time (Open311 requests carry none of their own).
alter table intake_requests add column received_at timestamptz;
create index intake_requests_filed_by_idx on intake_requests (filed_by, report_id) where filed_by is not null;
-- The citizen status page finds an anonymous report by the hash of its claim code.
create index intake_requests_claim_code_idx on intake_requests ((reporter_ref ->> 'claimCodeHash'))
  where reporter_ref ->> 'kind' = 'anonymous';

-- Down Migration
drop index intake_requests_claim_code_idx;
drop index intake_requests_filed_by_idx;
alter table intake_requests drop column filed_by, drop column received_at;
