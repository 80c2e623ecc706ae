-- Up Migration
-- A blind index of the reporter's phone number: an HMAC (keyed from the vault key named in it,
-- `<keyId>:<hex>`) of the normalised number, so a repeat reporter is recognised without
-- decrypting anyone. Rows from before this column have none until the next key rotation.
alter table reporter_vault add column phone_index text;
create index reporter_vault_phone_index_idx on reporter_vault (phone_index);

-- Down Migration
drop index reporter_vault_phone_index_idx;
alter table reporter_vault drop column phone_index;
