import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import {
  anIntakeBody,
  createApiEnv,
  handleToRewardThroughApi,
  MONDAY_MORNING,
  reportUrl,
  type ApiEnv,
} from '../../support/api-env.js';
import { NOT_EXCLUDED } from '../../support/reports.js';

/**
 * A client that timed out does not know whether its step was done. With an `Idempotency-Key`, it
 * sends the step again and gets the first answer — the step is done once however often it is
 * sent, in sequence or all at once; without one, a repeat is a new request (409 once the stage
 * has moved on).
 */
const ACCEPT = { urgency: 'general', category: 'fire', domain: 'e_bikes' };

describe('Idempotency-Key on steps', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => api?.close());

  const receive = async () => {
    const res = await api.post('/v1/reports', 'intake', anIntakeBody());
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; claimCode: string }>();
  };
  const send = (id: string, step: string, as: string, body: unknown, key?: string) =>
    api.app.inject({
      method: 'POST',
      url: reportUrl(id, step),
      headers: {
        authorization: `Bearer ${api.keys[as]}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const ok = async (id: string, step: string, as: string, body?: unknown, key?: string) => {
    const res = await send(id, step, as, body, key);
    expect(res.statusCode, `${step}: ${res.body}`).toBe(200);
    return res;
  };
  const countOf = (v: ReportView, type: string) => v.timeline.filter((e) => e.type === type).length;

  it('answers a sequential retry with the first answer, and does the step once', async () => {
    const { id } = await receive();
    const first = await ok(id, 'accept-report', 'dispatcher', ACCEPT, 'accept-1');
    const again = await ok(id, 'accept-report', 'dispatcher', ACCEPT, 'accept-1');
    const third = await ok(id, 'accept-report', 'dispatcher', ACCEPT, 'accept-1');
    expect(again.body).toBe(first.body);
    expect(third.body).toBe(first.body);
    const view = (await api.get(reportUrl(id), 'dispatcher')).json<ReportView>();
    expect(countOf(view, 'accepted')).toBe(1);
  });

  it('answers five parallel copies with one answer, and does the step once', async () => {
    const { id } = await receive();
    await ok(id, 'accept-report', 'dispatcher', ACCEPT);
    const assign = { unitId: 'unit-a', routing: 'rule' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => send(id, 'assign-report', 'dispatcher', assign, 'assign-7')),
    );
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    const view = (await api.get(reportUrl(id), 'dispatcher')).json<ReportView>();
    expect(countOf(view, 'assigned')).toBe(1);
    expect(view.assignments).toHaveLength(1);
  });

  it('without a key, or with the key and another body, a repeat is a new request: 409', async () => {
    const { id } = await receive();
    await ok(id, 'accept-report', 'dispatcher', ACCEPT);
    expect((await send(id, 'accept-report', 'dispatcher', ACCEPT)).statusCode).toBe(409);
    await ok(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' }, 'k');
    const other = await send(id, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'manual' }, 'k');
    expect(other.statusCode).toBe(409);
  });

  it('refuses a malformed key', async () => {
    const { id } = await receive();
    const res = await send(id, 'accept-report', 'dispatcher', ACCEPT, 'no spaces allowed');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a repeated claim, and a payment retried after it closed the report, answer as the first did', async () => {
    const { id, claimCode } = await receive();
    await handleToRewardThroughApi(api, id, claimCode, { fineFen: 5_000_000, claim: false });
    const claim = await ok(
      id,
      'claim-reward',
      'intake',
      { claimCode, payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' } },
      'claim-1',
    );
    expect(
      (
        await ok(
          id,
          'claim-reward',
          'intake',
          { claimCode, payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' } },
          'claim-1',
        )
      ).body,
    ).toBe(claim.body);
    await ok(id, 'propose-reward', 'reward_proposer', {
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    await ok(id, 'decide-reward', 'reward_approver', { decision: 'approved' });
    const paid = await ok(id, 'pay-reward', 'finance', undefined, 'pay-1');
    expect(paid.json<ReportView>().stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    const retried = await ok(id, 'pay-reward', 'finance', undefined, 'pay-1');
    expect(retried.body).toBe(paid.body);
    const ledger = await api.t.sql`select count(*)::int as n from reward_ledger where report_id = ${id}`;
    expect(ledger[0]!.n).toBe(1);
  });
});
