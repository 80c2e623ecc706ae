import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherReportsOf, readReporter } from '../../../api/identity/reporter-vault.js';
import { rotateVault } from '../../../scripts/vault-rotation.js';
import { KeyRing, sealedFromJson } from '../../../infra/vault.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * The reporter vault's keys rotate: afterwards every identity opens with the new key alone and none
 * with the old; a repeat reporter is recognised by the blind index of the phone number, before and
 * after, whichever way the number was written.
 */
const A = { anonymous: false, name: '慕容雪', phone: '+86 139-5724-6813', idNumber: '310101198001011234' };
const A_AGAIN = { anonymous: false, name: '慕容雪', phone: '13957246813' };
const B = { anonymous: false, name: '上官云', phone: '021 6284 3197' };

describe('reporter vault: blind index and key rotation', () => {
  let api: ApiEnv;
  let oldRing: KeyRing;
  const newKey = { id: 'k2', key: randomBytes(32) };
  const id: Record<string, string> = {};

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    oldRing = new KeyRing(api.config.vaultKeys);
    for (const [name, reporter] of Object.entries({ A, A_AGAIN, B, anonymous: { anonymous: true } })) {
      const res = await api.post('/v1/reports', 'intake', anIntakeBody({ reporter } as never));
      expect(res.statusCode, res.body).toBe(201);
      id[name] = res.json<{ id: string }>().id;
    }
  });
  afterAll(() => api?.close());

  const refOf = async (reportId: string) =>
    (
      await api.t.sql<{ ref: string }[]>`
      select reporter_ref ->> 'vaultRef' as ref from intake_requests where report_id = ${reportId}`
    )[0]!.ref;

  it('recognises a repeat reporter by the phone number, however it was written, without decrypting others', async () => {
    const res = await api.get(`${reportUrl(id.A!)}/reporter?purpose=feedback_contact`, 'dispatcher');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().otherReports).toEqual([id.A_AGAIN]);
    const indexes = await api.t.sql<{ phone_index: string }[]>`select phone_index from reporter_vault`;
    expect(indexes.every((r) => /^[^:]+:[0-9a-f]{64}$/.test(r.phone_index))).toBe(true);
    expect(JSON.stringify(indexes)).not.toContain('13957246813');
  });

  it('re-encrypts every identity and claim code under the new key: the new key alone opens them, the old none', async () => {
    const rotated = new KeyRing([newKey, ...api.config.vaultKeys]);
    expect(await rotateVault(api.t.sql, rotated, { batch: 2 })).toEqual({ identities: 3, claimCodes: 1 });
    const keyIds = await api.t.sql<{ key_id: string }[]>`select distinct key_id from reporter_vault`;
    expect(keyIds).toEqual([{ key_id: 'k2' }]);

    const onlyNew = new KeyRing([newKey]);
    for (const name of ['A', 'A_AGAIN', 'B']) {
      const ref = await refOf(id[name]!);
      expect((await readReporter(api.t.sql, onlyNew, ref))?.name).toBe(name === 'B' ? B.name : A.name);
      await expect(readReporter(api.t.sql, oldRing, ref)).rejects.toThrow();
    }
    const [claim] = await api.t.sql<{ claim_code: Parameters<typeof sealedFromJson>[0] }[]>`
      select claim_code from intake_requests where report_id = ${id.anonymous!}`;
    expect(onlyNew.open(sealedFromJson(claim!.claim_code), id.anonymous!)).toMatch(/^[0-9A-Z-]+$/);
    expect(() => oldRing.open(sealedFromJson(claim!.claim_code), id.anonymous!)).toThrow();

    // The repeat reporter is still recognised under the new key alone.
    expect(await otherReportsOf(api.t.sql, onlyNew, await refOf(id.A_AGAIN!))).toEqual([id.A]);
  });

  it('is resumable: a second run finds nothing left to do', async () => {
    expect(await rotateVault(api.t.sql, new KeyRing([newKey]))).toEqual({ identities: 0, claimCodes: 0 });
  });
});
