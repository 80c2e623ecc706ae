import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../api/platform/api-keys.js';
import type { ReportView } from '../../../domain/report/report-view.js';
import { DAY, HOUR } from '../../support/report-env.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';
import { NOT_EXCLUDED } from '../../support/reports.js';

const PROBLEM = 'https://bihuan.dev/problems/';
const ACCEPT = { urgency: 'general', category: 'fire', domain: 'e_bikes' };

describe('the steps of a report through the API', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => api?.close());

  const receive = async (overrides = {}) => {
    const res = await api.post('/v1/reports', 'intake', anIntakeBody(overrides));
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; claimCode?: string }>();
  };
  /** Runs a step that must succeed; answers the new state. */
  const step = async (id: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(id, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
    return res.json<ReportView>();
  };
  const assigned = async () => {
    const { id } = await receive();
    await step(id, 'accept-report', 'dispatcher', ACCEPT);
    await step(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    return id;
  };
  const expectProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
    kind: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: `${PROBLEM}${kind}`,
      status,
      title: expect.any(String),
      detail: expect.any(String),
    });
  };

  it('closes the loop of an anonymous report: each step by its role, the caller recorded as the actor, the reward claimed with the code', async () => {
    const { id, claimCode } = await receive();
    let v = await step(id, 'accept-report', 'dispatcher', ACCEPT);
    expect(v.stage).toEqual({ name: 'accepted' });
    const actorOf = (type: string) => v.timeline.find((e) => e.type === type)?.actor;
    expect(actorOf('accepted')).toEqual({ id: 'dev-dispatcher', role: 'dispatcher' });
    await step(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    v = await step(id, 'start-verification', 'handler:unit-a'); // no body needed
    expect(v.stage).toEqual({ name: 'verifying', unitId: 'unit-a' });
    expect(actorOf('verification_started')).toEqual({
      id: 'dev-handler-unit-a',
      role: 'handler',
      unitId: 'unit-a',
    });
    await step(id, 'submit-verification', 'handler:unit-a', {
      outcome: 'substantiated',
      findings: '楼道内充电属实',
      hazardsFound: 2,
      majorHazard: false,
      illegalActivity: true,
    });
    const dueAt = new Date(Date.parse(MONDAY_MORNING) + 10 * DAY).toISOString();
    await step(id, 'order-rectification', 'handler:unit-a', {
      measures: ['order_rectification'],
      fineFen: 5_000_000,
      penaltyDecision: { number: '浦应急罚〔2026〕18号', decidedOn: '2026-11-23' },
      dueAt,
    });
    await step(id, 'report-rectification', 'handler:unit-a', { summary: '已清理电池' });
    await step(id, 'give-feedback', 'handler:unit-a', { summary: '经核查属实，已整改' });
    v = await step(id, 'record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
    expect(v.stage).toEqual({ name: 'reward_pending' });

    // the reward waits for the anonymous reporter's claim, made with the code as a citizen types it
    expectProblem(
      await api.post(reportUrl(id, 'propose-reward'), 'reward_proposer', {
        basis: { kind: 'fine', fineFen: 5_000_000 },
        declaration: NOT_EXCLUDED,
      }),
      422,
      'not-eligible',
    );
    expectProblem(
      await api.post(reportUrl(id, 'claim-reward'), 'intake', {
        claimCode: 'AAAA-AAAA-AAAA-AAAA',
        payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
      }),
      422,
      'not-eligible',
    );
    await step(id, 'claim-reward', 'intake', {
      claimCode: claimCode!.toLowerCase(),
      payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
    });
    v = await step(id, 'propose-reward', 'reward_proposer', {
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(v.reward.proposal!.amountFen).toBe(750_000);
    await step(id, 'decide-reward', 'reward_approver', { decision: 'approved' });
    v = await step(id, 'pay-reward', 'finance');
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });

    const timeline = await api.get(`${reportUrl(id)}/timeline`, 'supervisor');
    expect(timeline.statusCode).toBe(200);
    expect(timeline.json<ReportView>().timeline.map((e) => e.type)).toEqual(v.timeline.map((e) => e.type));
    // a closed report takes no more steps: the wrong stage, not a missing report
    expectProblem(
      await api.post(reportUrl(id, 'cancel-report'), 'admin', { reason: '重复' }),
      409,
      'wrong-stage',
    );
  });

  it('reaches the report whether its id is percent-encoded or not', async () => {
    const { id } = await receive();
    expect((await api.get(`/v1/reports/${id}`, 'dispatcher')).json().reportId).toBe(id);
    expect((await api.get(reportUrl(id), 'dispatcher')).json().reportId).toBe(id);
  });

  it('400 invalid-input: a malformed body, an actor in the body, or an input the workflow refuses', async () => {
    const { id } = await receive();
    const missing = await api.post(reportUrl(id, 'accept-report'), 'dispatcher', { urgency: 'general' });
    expectProblem(missing, 400, 'invalid-input');
    expect(missing.json().errors[0].path).toBe('body');
    const actor = { ...ACCEPT, actor: { id: 'someone-else', role: 'admin' } };
    expectProblem(await api.post(reportUrl(id, 'accept-report'), 'dispatcher', actor), 400, 'invalid-input');
    // valid by schema, refused by the workflow's rule: a report cannot be merged into itself
    const self = await api.post(reportUrl(id, 'merge-report'), 'dispatcher', { intoReportId: id });
    expectProblem(self, 400, 'invalid-input');
    expect(self.json().detail).toMatch(/merged into itself/);
    // a report no one knows is nothing to merge into: said in words, and nothing changes
    const nowhere = await api.post(reportUrl(id, 'merge-report'), 'dispatcher', {
      intoReportId: 'report:hotline_12345:NO-SUCH-TICKET',
    });
    expectProblem(nowhere, 409, 'unknown-report');
    expect((await api.get(reportUrl(id), 'dispatcher')).json().stage.name).toBe('received');
    expectProblem(
      await api.post(reportUrl('not-a-report-id', 'accept-report'), 'dispatcher', ACCEPT),
      400,
      'invalid-input',
    );
  });

  it('401 unauthenticated: no credentials, an unknown key, a revoked key (within the key cache’s 5 s), a token signed with another secret', async () => {
    const { id } = await receive();
    for (const as of [undefined, 'bh_unknownunknownunknownunknownunknownunknownun', 'not-even-a-key']) {
      const res = await api.post(reportUrl(id, 'accept-report'), as, ACCEPT);
      expectProblem(res, 401, 'unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const forged = api.app.jwt.sign({ sub: 'x', role: 'admin' }).replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
    expectProblem(await api.get(reportUrl(id), forged), 401, 'unauthenticated');
    const key = await createApiKey(api.t.sql, { subject: 'temp', role: 'dispatcher', label: 'temp' });
    expect((await api.get(reportUrl(id), key)).statusCode).toBe(200);
    await revokeApiKey(api.t.sql, key);
    // Trusted for API_KEY_CACHE_MS at most (5 s by default), then refused.
    await expect
      .poll(async () => (await api.get(reportUrl(id), key)).statusCode, { timeout: 10_000, interval: 500 })
      .toBe(401);
    expectProblem(await api.get(reportUrl(id), key), 401, 'unauthenticated');
  });

  it('403 not-allowed: a role the step is not for, refused before the workflow sees it', async () => {
    const { id } = await receive();
    expectProblem(await api.post(reportUrl(id, 'accept-report'), 'finance', ACCEPT), 403, 'not-allowed');
    expect((await api.get(reportUrl(id), 'dispatcher')).json().stage).toEqual({ name: 'received' });
  });

  it('404 report-not-found: an unknown report, and another unit’s report, answered alike', async () => {
    const id = await assigned();
    const unknown = await api.get(reportUrl('report:hotline_12345:NOPE-1'), 'handler:unit-b');
    const foreign = await api.get(reportUrl(id), 'handler:unit-b');
    expectProblem(unknown, 404, 'report-not-found');
    expectProblem(foreign, 404, 'report-not-found');
    const strip = ({ instance: _i, requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(foreign.json())).toEqual(strip(unknown.json()));
    expectProblem(
      await api.post(reportUrl(id, 'start-verification'), 'handler:unit-b'),
      404,
      'report-not-found',
    );
    expect((await api.get(reportUrl(id), 'handler:unit-a')).statusCode).toBe(200);
    expectProblem(await api.get('/v1/nothing-here', 'dispatcher'), 404, 'not-found');
  });

  it('409 wrong-stage and same-person: the workflow’s refusals keep their stable types', async () => {
    const { id } = await receive();
    await step(id, 'accept-report', 'dispatcher', ACCEPT);
    expectProblem(await api.post(reportUrl(id, 'accept-report'), 'dispatcher', ACCEPT), 409, 'wrong-stage');

    // one person holding two reward roles, through JWTs with the same subject
    const proposer = api.app.jwt.sign({ sub: 'li-ming', role: 'reward_proposer' });
    const approver = api.app.jwt.sign({ sub: 'li-ming', role: 'reward_approver' });
    const named = await receive({ reporter: { anonymous: false, name: '李四', phone: '13800000000' } });
    await step(named.id, 'accept-report', 'dispatcher', ACCEPT);
    await step(named.id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(named.id, 'start-verification', 'handler:unit-a');
    await step(named.id, 'submit-verification', 'handler:unit-a', {
      outcome: 'substantiated',
      findings: '属实',
      hazardsFound: 1,
      majorHazard: false,
      illegalActivity: true,
    });
    const dueAt = new Date(Date.parse(MONDAY_MORNING) + 5 * DAY).toISOString();
    await step(named.id, 'order-rectification', 'handler:unit-a', {
      measures: ['order_rectification'],
      fineFen: 100_000,
      penaltyDecision: { number: '浦应急罚〔2026〕19号', decidedOn: '2026-11-23' },
      dueAt,
    });
    await step(named.id, 'report-rectification', 'handler:unit-a', { summary: '已整改' });
    await step(named.id, 'give-feedback', 'dispatcher', { summary: '已反馈' });
    await step(named.id, 'record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
    const v = await step(named.id, 'propose-reward', proposer, {
      basis: { kind: 'fine', fineFen: 100_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(v.reward.proposal!.by).toBe('li-ming');
    expectProblem(
      await api.post(reportUrl(named.id, 'decide-reward'), approver, { decision: 'approved' }),
      409,
      'same-person',
    );
  });

  it('413 payload-too-large and 415 unsupported-media-type, as problem documents', async () => {
    const { id } = await receive();
    const big = await api.post(reportUrl(id, 'reject-report'), 'dispatcher', {
      reason: 'x'.repeat(300 * 1024),
    });
    expectProblem(big, 413, 'payload-too-large');
    const text = await api.app.inject({
      method: 'POST',
      url: reportUrl(id, 'reject-report'),
      headers: { authorization: `Bearer ${api.keys.dispatcher}`, 'content-type': 'application/xml' },
      payload: '<reason/>',
    });
    expectProblem(text, 415, 'unsupported-media-type');
  });

  it('409 out-of-window: a dispute after the 24-hour dispute window', async () => {
    const id = await assigned();
    await api.t.skip(25 * HOUR);
    expectProblem(
      await api.post(reportUrl(id, 'dispute-assignment'), 'handler:unit-a', { reason: '不属于本单位' }),
      409,
      'out-of-window',
    );
  });
  it('主办/协办: a supporting unit reads the report, finds it in its list and answers the lead; other units still get 404', async () => {
    const id = await assigned();
    await step(id, 'request-support', 'handler:unit-a', {
      unitIds: ['unit-b'],
      request: '请协助核查燃气管道检测情况',
    });
    // Its access comes from the read model, which the workflow projects just after the step.
    await expect
      .poll(async () => (await api.get(reportUrl(id), 'handler:unit-b')).statusCode, { timeout: 20_000 })
      .toBe(200);
    const listed = await api.get('/v1/reports?limit=100', 'handler:unit-b');
    expect(listed.json<{ items: { reportId: string }[] }>().items.map((r) => r.reportId)).toContain(id);
    expectProblem(await api.get(reportUrl(id), 'handler:unit-c'), 404, 'report-not-found');
    // Supporting is not leading: unit B cannot verify, only answer the lead.
    expectProblem(await api.post(reportUrl(id, 'start-verification'), 'handler:unit-b'), 403, 'not-allowed');
    const replied = await step(id, 'reply-to-lead', 'handler:unit-b', {
      summary: '管道检测合格，报告已送达',
    });
    expect(replied.supports).toMatchObject([
      { unitId: 'unit-b', leadUnitId: 'unit-a', reply: { by: expect.any(String) } },
    ]);
  });
});
