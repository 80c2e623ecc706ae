-- Up Migration
-- Who a reward was paid to, as a reference (the vault entry of a named reporter, `vault:<ref>`, or
-- the report an anonymous reporter claimed on, `claim:<report id>`) — never an identity — and
-- finance's own voucher number. Payments made before this release have neither.
alter table reward_ledger add column payee_ref text, add column voucher text;

-- Down Migration
alter table reward_ledger drop column voucher, drop column payee_ref;
