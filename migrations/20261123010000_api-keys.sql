-- Up Migration
-- API keys of the people and systems that call the API. Only the SHA-256 of a key is stored: a
-- leaked table opens nothing. A key acts as `subject` in `role`; a handler key also names its unit.
create table api_keys (
  id          bigint generated always as identity primary key,
  key_hash    text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  subject     text not null,
  role        text not null,
  unit_id     text,
  label       text not null,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz,
  -- a handler acts for exactly one unit; nobody else is scoped to one
  check ((role = 'handler') = (unit_id is not null))
);

-- Down Migration
drop table api_keys;
