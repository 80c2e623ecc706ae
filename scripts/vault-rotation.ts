import type postgres from 'postgres';
import type { KeyRing } from '../infra/vault.js';
import { sealedFromJson, sealedToJson } from '../infra/vault.js';
import { phoneIndex } from '../api/identity/reporter-vault.js';

/**
 * Key rotation of the reporter vault: every identity sealed under an older key is opened and
 * sealed again under the ring's current key (and its phone's blind index recomputed), and so is
 * every anonymous reporter's sealed claim code. Batches of rows, each batch one transaction with
 * the rows locked, so it can run beside the API and be stopped and started again: rows already
 * under the current key are not touched. Afterwards the old key can leave BIHUAN_VAULT_KEYS —
 * once no intake retry of a request fingerprinted with it is expected (intake_requests.body_hash
 * is a keyed fingerprint of a body that is not kept, so it cannot be recomputed).
 */
export async function rotateVault(
  sql: postgres.Sql,
  ring: KeyRing,
  opts: { batch?: number; progress?: (m: string) => void } = {},
): Promise<{ identities: number; claimCodes: number }> {
  const current = ring.currentKeyId();
  const batch = opts.batch ?? 500;
  let identities = 0;
  let claimCodes = 0;
  for (;;) {
    const n = await sql.begin(async (tx) => {
      const rows = await tx<{ ref: string; key_id: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }[]>`
        select ref, key_id, iv, tag, ciphertext from reporter_vault
        where key_id <> ${current} limit ${batch} for update skip locked`;
      for (const row of rows) {
        const plain = ring.open(
          { keyId: row.key_id, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext },
          row.ref,
        );
        const sealed = ring.seal(plain, row.ref);
        // An identity is found again by its phone number; a claim's payout has none.
        const { phone } = JSON.parse(plain) as { phone?: string };
        await tx`
          update reporter_vault set key_id = ${sealed.keyId}, iv = ${sealed.iv}, tag = ${sealed.tag},
            ciphertext = ${sealed.ciphertext}, phone_index = ${phone === undefined ? null : phoneIndex(ring, phone)}
          where ref = ${row.ref}`;
      }
      return rows.length;
    });
    identities += n;
    if (n > 0) opts.progress?.(`${identities} identities re-encrypted`);
    if (n < batch) break;
  }
  for (;;) {
    const n = await sql.begin(async (tx) => {
      const rows = await tx<
        {
          channel: string;
          external_id: string;
          report_id: string;
          claim_code: Parameters<typeof sealedFromJson>[0];
        }[]
      >`
        select channel, external_id, report_id, claim_code from intake_requests
        where claim_code is not null and claim_code ->> 'keyId' <> ${current}
        limit ${batch} for update skip locked`;
      for (const row of rows) {
        const code = ring.open(sealedFromJson(row.claim_code), row.report_id);
        await tx`
          update intake_requests set claim_code = ${tx.json(sealedToJson(ring.seal(code, row.report_id)))}
          where channel = ${row.channel} and external_id = ${row.external_id}`;
      }
      return rows.length;
    });
    claimCodes += n;
    if (n > 0) opts.progress?.(`${claimCodes} claim codes re-encrypted`);
    if (n < batch) break;
  }
  return { identities, claimCodes };
}
