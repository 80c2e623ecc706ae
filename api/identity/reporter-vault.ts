import { createHash, randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { KeyRing } from '../../infra/vault.js';
import type { ReporterIdentity } from '../reports/intake-schema.js';

/**
 * The reporter vault (举报人信息保护): a named reporter's identity, sealed field-level with
 * AES-256-GCM under the current vault key, the reference bound in as additional data. Only the
 * reference (`vault:<uuid>`) travels into the workflow, the read model and the logs.
 */
export const newVaultRef = (): string => `vault:${randomUUID()}`;

type Identity = Omit<ReporterIdentity, 'anonymous'>;

export async function storeReporter(
  sql: postgres.ISql,
  vault: KeyRing,
  ref: string,
  who: Identity,
): Promise<void> {
  const identity: Identity = {
    name: who.name,
    phone: who.phone,
    ...(who.idNumber ? { idNumber: who.idNumber } : {}),
  };
  const sealed = vault.seal(JSON.stringify(identity), ref);
  await sql`
    insert into reporter_vault (ref, key_id, iv, tag, ciphertext, phone_index)
    values (${ref}, ${sealed.keyId}, ${sealed.iv}, ${sealed.tag}, ${sealed.ciphertext},
            ${phoneIndex(vault, identity.phone)})`;
}

/**
 * The phone number as one person writes it one way and another another: digits only, without
 * China's country code (+86 / 0086), so 139-5724-6813 and +86 139 5724 6813 are one reporter.
 */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length > 11 && digits.startsWith('0086')) return digits.slice(4);
  if (digits.length > 11 && digits.startsWith('86')) return digits.slice(2);
  return digits;
}

/** The blind index of a phone number under the ring's current key (or `keyId`'s). */
export const phoneIndex = (vault: KeyRing, phone: string, keyId?: string): string =>
  vault.fingerprint(`phone:${normalisePhone(phone)}`, keyId);

/**
 * The other reports of the reporter behind `ref`, recognised by the blind index of their phone
 * number — under every key of the ring, so reports indexed before a rotation are found too.
 */
export async function otherReportsOf(sql: postgres.ISql, vault: KeyRing, ref: string): Promise<string[]> {
  const identity = await readReporter(sql, vault, ref);
  if (!identity) return [];
  const indexes = vault.keyIds().map((id) => phoneIndex(vault, identity.phone, id));
  const rows = await sql<{ report_id: string }[]>`
    select i.report_id from reporter_vault v
    join intake_requests i on i.reporter_ref ->> 'vaultRef' = v.ref
    where v.phone_index in ${sql(indexes)} and v.ref <> ${ref}
    order by i.created_at`;
  return rows.map((r) => r.report_id);
}

/** Opens one identity; callers that may read it (feedback, reward, finance) log each read. */
export const readReporter = async (
  sql: postgres.ISql,
  vault: KeyRing,
  ref: string,
): Promise<Identity | undefined> => (await readSealed(sql, vault, ref)) as Identity | undefined;

/** Opens one sealed vault entry (an identity or a payout) as JSON. */
async function readSealed(sql: postgres.ISql, vault: KeyRing, ref: string): Promise<unknown> {
  const [row] = await sql<{ key_id: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }[]>`
    select key_id, iv, tag, ciphertext from reporter_vault where ref = ${ref}`;
  if (!row) return undefined;
  return JSON.parse(
    vault.open({ keyId: row.key_id, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext }, ref),
  ) as unknown;
}

/**
 * How an anonymous claimant is paid (奖励领取方式), as the claim gives it: sealed like an identity,
 * under a `payout:` reference. Only finance, paying, opens it (an audited identity read).
 */
export interface Payout {
  readonly method: 'bank_transfer' | 'alipay' | 'wechat_pay' | 'cash';
  readonly payeeName: string;
  readonly account?: string;
  readonly bank?: string;
}

/**
 * The vault reference of a claim's payout. A retried request (the same Update id) gets the same
 * reference, so a retry seals nothing twice; without an Idempotency-Key every claim is new.
 */
export const payoutRefFor = (updateId: string | undefined): string =>
  `payout:${createHash('sha256')
    .update(updateId ?? randomUUID())
    .digest('hex')
    .slice(0, 32)}`;

/** Seals how to pay a claimant under `ref`. True when this call sealed it (false: it was there). */
export async function storePayout(
  sql: postgres.ISql,
  vault: KeyRing,
  ref: string,
  payout: Payout,
): Promise<boolean> {
  const sealed = vault.seal(JSON.stringify(payout), ref);
  const inserted = await sql`
    insert into reporter_vault (ref, key_id, iv, tag, ciphertext)
    values (${ref}, ${sealed.keyId}, ${sealed.iv}, ${sealed.tag}, ${sealed.ciphertext})
    on conflict (ref) do nothing
    returning 1`;
  return inserted.length > 0;
}

/** Removes a payout no workflow took (its claim was refused). */
export async function forgetPayout(sql: postgres.ISql, ref: string): Promise<void> {
  await sql`delete from reporter_vault where ref = ${ref} and ref like 'payout:%'`;
}

export const readPayout = async (
  sql: postgres.ISql,
  vault: KeyRing,
  ref: string,
): Promise<Payout | undefined> => (await readSealed(sql, vault, ref)) as Payout | undefined;
