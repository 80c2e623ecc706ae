import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { KeyRing } from '../infra/vault.js';
import type { ReporterIdentity } from './intake-schema.js';

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
    insert into reporter_vault (ref, key_id, iv, tag, ciphertext)
    values (${ref}, ${sealed.keyId}, ${sealed.iv}, ${sealed.tag}, ${sealed.ciphertext})`;
}

/** Opens one identity; callers that may read it (feedback, reward, finance) log each read. */
export async function readReporter(
  sql: postgres.ISql,
  vault: KeyRing,
  ref: string,
): Promise<Identity | undefined> {
  const [row] = await sql<{ key_id: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }[]>`
    select key_id, iv, tag, ciphertext from reporter_vault where ref = ${ref}`;
  if (!row) return undefined;
  return JSON.parse(
    vault.open({ keyId: row.key_id, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext }, ref),
  ) as Identity;
}
