-- Up Migration
-- The reporter vault: a named reporter's identity, encrypted field-level (AES-256-GCM) under the
-- key `key_id` of BIHUAN_VAULT_KEYS, with `ref` as additional authenticated data. Workflows carry
-- only `ref`; nothing here is readable without the key.
create table reporter_vault (
  ref         text primary key,
  key_id      text not null,
  iv          bytea not null,
  tag         bytea not null,
  ciphertext  bytea not null,
  created_at  timestamptz not null default now()
);

-- One row per intake request, keyed by the intake system's own ticket: a retry finds the row and
-- gets the same answer; another body under the same key is a conflict. `body_hash` is a keyed
-- fingerprint (HMAC, key id first), not a plain hash, because the body holds the reporter's
-- identity. `reporter_ref` is what the workflow got; `claim_code` is sealed like the vault.
-- `started_at` is set once the workflow surely exists; a retry of a request whose start failed
-- starts it (idempotently) again.
create table intake_requests (
  channel       text not null,
  external_id   text not null,
  report_id     text not null unique,
  body_hash     text not null,
  reporter_ref  jsonb not null,
  claim_code    jsonb,
  response      jsonb not null,
  created_at    timestamptz not null default now(),
  started_at    timestamptz,
  primary key (channel, external_id)
);

-- Down Migration
drop table intake_requests;
drop table reporter_vault;
