import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anIntakeBody,
  createApiEnv,
  handleToRewardThroughApi,
  MONDAY_MORNING,
  reportUrl,
  type ApiEnv,
} from '../../support/api-env.js';

/**
 * 奖励 to the right person (district-default v4). Finance pays the reporter the reward goes to: a
 * merged duplicate's, where that one reported first — its identity, not the survivor's — and an
 * anonymous claimant the way their claim asked to be paid, sealed in the vault until finance reads
 * it (audited).
 */
const FIRST = { anonymous: false as const, name: '欧阳明', phone: '13900001111' };
const SURVIVOR = { anonymous: false as const, name: '上官燕', phone: '13900002222' };
const PAYOUT = {
  method: 'bank_transfer',
  payeeName: '匿名举报人',
  account: '6222020200112233445',
  bank: '工商银行',
};

describe('the payee of a reward', () => {
  let api: ApiEnv;
  const receive = async (reporter?: typeof FIRST) =>
    (await api.post('/v1/reports', 'intake', anIntakeBody(reporter ? { reporter } : {}))).json<{
      id: string;
      claimCode?: string;
    }>();
  const ok = async (id: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(id, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
    return res.json<{ stage: { name: string } }>();
  };
  const payee = (id: string, purpose: string) =>
    api.get(`${reportUrl(id)}/reporter?purpose=${purpose}`, 'finance');
  const audits = (id: string) =>
    api.t.sql<{ purpose: string; vault_ref: string }[]>`
      select purpose, vault_ref from identity_reads where report_id = ${id} order by id`;

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => api?.close());

  it('is the merged duplicate’s reporter where that one reported first; contact stays with the survivor’s', async () => {
    const first = (await receive(FIRST)).id;
    const survivor = (await receive(SURVIVOR)).id;
    await ok(first, 'accept-report', 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    // Merged while the survivor is still at intake: its acceptance comes later.
    await ok(first, 'merge-report', 'dispatcher', { intoReportId: survivor });
    await expect
      .poll(async () => (await api.get(reportUrl(survivor), 'dispatcher')).json().duplicates.length, {
        timeout: 20_000,
      })
      .toBe(1);
    await handleToRewardThroughApi(api, survivor, '', { claim: false });
    const view = (await api.get(reportUrl(survivor), 'finance')).json();
    expect(view.stage.name).toBe('reward_pending');
    expect(view.rewardRecipient).toEqual({
      reportId: first,
      reporter: { kind: 'named', vaultRef: expect.stringMatching(/^vault:/) as unknown },
    });

    const paying = await payee(survivor, 'reward_payment');
    expect(paying.statusCode, paying.body).toBe(200);
    expect(paying.json()).toMatchObject({
      anonymous: false,
      recipientReportId: first,
      name: FIRST.name,
      phone: FIRST.phone,
    });
    const contact = await payee(survivor, 'feedback_contact');
    expect(contact.json()).toMatchObject({ anonymous: false, name: SURVIVOR.name });
    expect(contact.json()).not.toHaveProperty('recipientReportId');
    const [payRead, contactRead] = await audits(survivor);
    expect(payRead).toEqual({ purpose: 'reward_payment', vault_ref: view.rewardRecipient.reporter.vaultRef });
    expect(contactRead).toEqual({ purpose: 'feedback_contact', vault_ref: view.reporter.vaultRef });
  });

  it('is paid as an anonymous claim asked, sealed until finance reads it; a claim that does not say how is refused', async () => {
    const { id, claimCode } = await receive();
    await handleToRewardThroughApi(api, id, claimCode!, { claim: false });
    const withoutPayout = await api.post(reportUrl(id, 'claim-reward'), 'intake', { claimCode });
    expect(withoutPayout.statusCode).toBe(400);
    expect(withoutPayout.json().detail).toMatch(/how to pay/);
    const cashless = await api.post(reportUrl(id, 'claim-reward'), 'intake', {
      claimCode,
      payout: { method: 'alipay', payeeName: '匿名举报人' },
    });
    expect(cashless.statusCode).toBe(400);
    await ok(id, 'claim-reward', 'intake', { claimCode, payout: PAYOUT });

    // Nothing of the payout is in the report, the read model or the workflow: only a reference.
    const view = (await api.get(reportUrl(id), 'supervisor')).body;
    expect(view).not.toContain(PAYOUT.account);
    expect(view).toMatch(/"payoutRef":"payout:[0-9a-f]{32}"/);
    const [sealed] = await api.t.sql<{ ciphertext: Buffer }[]>`
      select ciphertext from reporter_vault where ref like 'payout:%' order by created_at desc limit 1`;
    expect(sealed!.ciphertext.toString('utf8')).not.toContain(PAYOUT.account);

    const paying = await payee(id, 'reward_payment');
    expect(paying.json()).toEqual({ anonymous: true, payout: PAYOUT });
    expect(await audits(id)).toEqual([
      { purpose: 'reward_payment', vault_ref: expect.stringMatching(/^payout:/) as unknown },
    ]);
    // Contacting the reporter reveals nothing: an anonymous reporter is reached by the claim code only.
    expect((await payee(id, 'feedback_contact')).json()).toEqual({ anonymous: true });
  });

  it('keeps nothing of a refused claim: the account sealed for it is taken back', async () => {
    const payouts = async () =>
      (
        await api.t.sql<
          { n: number }[]
        >`select count(*)::int as n from reporter_vault where ref like 'payout:%'`
      )[0]!.n;
    const { id, claimCode } = await receive();
    const before = await payouts();
    // Too early: the workflow refuses a claim before a reward is approved.
    const early = await api.post(reportUrl(id, 'claim-reward'), 'intake', { claimCode, payout: PAYOUT });
    expect(early.statusCode).toBe(409);
    await handleToRewardThroughApi(api, id, claimCode!, { claim: false });
    // A wrong claim code, with an Idempotency-Key: refused, and so is its retry.
    const wrong = { claimCode: claimCode!.replace(/.$/, (c) => (c === '2' ? '3' : '2')), payout: PAYOUT };
    const refused = await api.app.inject({
      method: 'POST',
      url: reportUrl(id, 'claim-reward'),
      headers: { authorization: `Bearer ${api.keys.intake}`, 'idempotency-key': 'wrong-code-1' },
      payload: wrong,
    });
    expect(refused.statusCode, refused.body).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    expect(await payouts()).toBe(before);

    // The right claim, then its retry with the same key: one sealed payout, kept.
    const claim = () =>
      api.app.inject({
        method: 'POST',
        url: reportUrl(id, 'claim-reward'),
        headers: { authorization: `Bearer ${api.keys.intake}`, 'idempotency-key': 'right-code-1' },
        payload: { claimCode, payout: PAYOUT },
      });
    expect((await claim()).statusCode).toBe(200);
    expect((await claim()).statusCode).toBe(200);
    expect(await payouts()).toBe(before + 1);
    expect((await payee(id, 'reward_payment')).json()).toEqual({ anonymous: true, payout: PAYOUT });
  });
});
