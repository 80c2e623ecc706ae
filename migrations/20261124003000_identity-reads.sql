-- Up Migration
-- The audit log of reporter identity (举报人信息): who opened which reporter's identity, when, and
-- why. The API writes the row before it answers with the identity, in the same request; nothing
-- ever changes or removes a row (a trigger refuses it), so the log is evidence.
create table identity_reads (
  id          bigint generated always as identity primary key,
  at          timestamptz not null default now(),
  actor_id    text not null,
  actor_role  text not null,
  actor_unit  text,
  report_id   text not null,
  vault_ref   text not null,
  purpose     text not null,
  note        text,
  request_id  text not null
);
create index identity_reads_report_idx on identity_reads (report_id, at desc);
create index identity_reads_actor_idx on identity_reads (actor_id, at desc);

create function identity_reads_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'identity_reads is append-only: % refused', tg_op;
end $$;
create trigger identity_reads_append_only before update or delete or truncate on identity_reads
  for each statement execute function identity_reads_append_only();

-- Down Migration
drop trigger identity_reads_append_only on identity_reads;
drop function identity_reads_append_only();
drop table identity_reads;
