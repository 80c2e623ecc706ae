import type { InjectOptions } from 'fastify';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import { freePort } from '../../../scripts/embedded/port.js';
import { DAY } from '../../support/report-env.js';
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
 * Nothing is accepted that the system cannot keep. Every input below was once accepted and then
 * wedged a report, broke a list for everyone, or paid money the law forbids; each is now refused
 * at the door with a 400 problem document (or answered as documented), and afterwards every list,
 * board, statistic and export still answers 200 with every report in it.
 */
const PROBLEM = 'https://bihuan.dev/problems/';
const ACCEPT = { urgency: 'general', category: 'fire', domain: 'e_bikes' };

type Injected = Awaited<ReturnType<ApiEnv['get']>>;

describe('hostile input is refused at the door and changes nothing', () => {
  let api: ApiEnv;
  const received: string[] = [];
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => api?.close());

  const expectProblem = (res: Injected, status: number, kind: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM}${kind}`, status, detail: expect.any(String) });
    return res.json<{ detail: string; errors?: { path: string; message: string }[] }>();
  };
  const receive = async (overrides = {}) => {
    const res = await api.post('/v1/reports', 'intake', anIntakeBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    const answer = res.json<{ id: string; claimCode: string }>();
    received.push(answer.id);
    return answer;
  };
  const step = async (id: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(id, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
    return res.json<ReportView>();
  };
  const count = async () => Number((await api.t.sql`select count(*)::int as n from intake_requests`)[0]!.n);

  describe('text the stores cannot hold', () => {
    it('refuses a NUL or another control character in any text field, and receives nothing', async () => {
      const before = await count();
      for (const description of ['楼道堆物\u0000测试', '响铃\u0007', 'DEL\u007f']) {
        const problem = expectProblem(
          await api.post('/v1/reports', 'intake', anIntakeBody({ description })),
          400,
          'invalid-input',
        );
        expect(problem.errors).toEqual([
          { path: 'body/description', message: expect.stringMatching(/U\+00/) },
        ]);
      }
      expectProblem(
        await api.post(
          '/v1/reports',
          'intake',
          anIntakeBody({ location: { address: 'a\u0000', district: '浦东新区' } }),
        ),
        400,
        'invalid-input',
      );
      expect(await count()).toBe(before);
    });

    it('keeps tab, line feed and carriage return, and brings text to NFC', async () => {
      const { id } = await receive({ description: '第一行\n第二行\r\n\t缩进 Cafe\u0301' });
      const view = (await api.get(reportUrl(id), 'dispatcher')).json<ReportView>();
      expect(view.intake.description).toBe('第一行\n第二行\r\n\t缩进 Caf\u00e9');
    });

    it('refuses a NUL in a step, and the report goes on', async () => {
      const { id } = await receive();
      expectProblem(
        await api.post(reportUrl(id, 'withdraw-report'), 'intake', { reason: '不再\u0000需要' }),
        400,
        'invalid-input',
      );
      expect((await step(id, 'accept-report', 'dispatcher', ACCEPT)).stage.name).toBe('accepted');
    });
  });

  describe('receivedAt outside reason', () => {
    it.each([
      ['0028-01-01T00:00:00Z', /pattern/],
      ['0010-06-01T00:00:00Z', /pattern/],
      ['0050-06-01T00:00:00Z', /pattern/],
      ['0000-01-01T00:00:00Z', /pattern/],
      ['9999-12-31T23:59:59Z', /pattern/],
      ['2026-06-30T23:59:60Z', /pattern/],
      ['2026-02-30T08:00:00+08:00', /format/],
      ['2020-01-01T00:00:00Z', /more than 30 days before now .* policy district-default v7/],
      ['2031-01-01T00:00:00Z', /more than 5 minutes after now .* policy district-default v7/],
    ])('refuses %s with a 400 that says why', async (receivedAt, why) => {
      const before = await count();
      const problem = expectProblem(
        await api.post('/v1/reports', 'intake', anIntakeBody({ receivedAt })),
        400,
        'invalid-input',
      );
      expect(JSON.stringify(problem)).toMatch(why);
      expect(await count()).toBe(before);
    });

    it('takes a ticket received a day ago, and one a minute ahead of our clock', async () => {
      await receive({ receivedAt: new Date(Date.parse(MONDAY_MORNING) - DAY).toISOString() });
      await receive({ receivedAt: new Date(Date.parse(MONDAY_MORNING) + 60_000).toISOString() });
    });
  });

  describe('money within the law: ¥300,000 a report at most', () => {
    let id: string;
    beforeAll(async () => {
      const answer = await receive();
      id = answer.id;
      await handleToRewardThroughApi(api, id, answer.claimCode, { fineFen: 5_000_000 });
    });

    it('refuses an override above the maximum, even with a reason', async () => {
      const problem = expectProblem(
        await api.post(reportUrl(id, 'propose-reward'), 'reward_proposer', {
          basis: { kind: 'fine', fineFen: 5_000_000 },
          declaration: NOT_EXCLUDED,
          override: { amountFen: 1_000_000_000_000, reason: '特别贡献' },
        }),
        400,
        'invalid-input',
      );
      expect(problem.detail).toMatch(/exceeds the maximum reward of ¥300,000\.00/);
    });

    it('refuses an adjustment above the maximum; the proposal stands', async () => {
      await step(id, 'propose-reward', 'reward_proposer', {
        basis: { kind: 'fine', fineFen: 5_000_000 },
        declaration: NOT_EXCLUDED,
        override: { amountFen: 30_000_000, reason: '重大贡献，按最高额' },
      });
      expectProblem(
        await api.post(reportUrl(id, 'decide-reward'), 'reward_approver', {
          decision: 'adjusted',
          amountFen: 10_000_000_000_000,
          reason: '追加',
        }),
        400,
        'invalid-input',
      );
      const v = await step(id, 'decide-reward', 'reward_approver', { decision: 'approved' });
      expect(v.stage).toMatchObject({ name: 'reward_approved', amountFen: 30_000_000 });
      expect((await step(id, 'pay-reward', 'finance')).stage).toEqual({
        name: 'closed',
        outcome: 'reward_paid',
      });
    });

    it('leaves no amount above the maximum in the ledger or the statistics', async () => {
      const [ledger] = await api.t.sql`select max(amount_fen)::bigint as max from reward_ledger`;
      expect(Number(ledger!.max)).toBe(30_000_000);
      const stats = (await api.get('/v1/statistics', 'supervisor')).json<{
        rewards: { paid: { count: number; sumFen: number } };
      }>();
      expect(stats.rewards.paid).toEqual({ count: 1, sumFen: 30_000_000 });
    });
  });

  describe('query values are checked before any SQL', () => {
    it.each([
      '/v1/reports?q=%00',
      '/v1/reports?unitId=%00',
      '/v1/reports?district=%00',
      '/v1/reports?street=%00',
      '/v1/reports?receivedFrom=0000-01-01T00:00:00Z',
      '/v1/statistics?q=%00',
      '/v1/statistics?district=%00',
      '/v1/statistics/trend?unitId=%00',
      '/v1/boards/overdue?unitId=%00',
      '/v1/boards/due?asOf=9999-12-31T23:59:59Z',
      '/v1/boards/due?withinHours=1e400',
      '/v1/audit/identity-reads?actorId=%00',
      '/v1/audit/identity-reads?before=99999999999999999999',
      '/v1/exports/reports.csv?q=%00',
      '/v1/exports/reports.xlsx?q=%00',
    ])('GET %s answers 400', async (url) => {
      expectProblem(await api.get(url, 'supervisor'), 400, 'invalid-input');
    });

    it('DELETE /v1/routing-rules/18446744073709551616 answers 400', async () => {
      expectProblem(
        await api.app.inject({
          method: 'DELETE',
          url: '/v1/routing-rules/18446744073709551616',
          headers: { authorization: `Bearer ${api.keys.admin}` },
        }),
        400,
        'invalid-input',
      );
    });
  });

  describe('every error is a problem document', () => {
    const inject = (opts: InjectOptions) => api.app.inject(opts);

    it('takes the bearer scheme in any case', async () => {
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const res = await inject({
          method: 'GET',
          url: '/v1/reports?limit=1',
          headers: { authorization: `${scheme} ${api.keys.dispatcher}` },
        });
        expect(res.statusCode, scheme).toBe(200);
      }
    });

    it('answers 405 with Allow for a known path asked with another method', async () => {
      const res = await inject({
        method: 'PUT',
        url: '/v1/reports',
        headers: { authorization: `Bearer ${api.keys.intake}` },
      });
      expectProblem(res, 405, 'method-not-allowed');
      expect(String(res.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
      expectProblem(
        await inject({ method: 'PATCH', url: reportUrl('report:web:x1') }),
        405,
        'method-not-allowed',
      );
      expectProblem(await inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not-found');
    });

    it('answers 415 for a text/plain body, and 400 for a malformed percent-escape', async () => {
      expectProblem(
        await inject({
          method: 'POST',
          url: '/v1/reports',
          headers: { authorization: `Bearer ${api.keys.intake}`, 'content-type': 'text/plain' },
          payload: 'hello',
        }),
        415,
        'unsupported-media-type',
      );
      expectProblem(
        await inject({ method: 'GET', url: '/v1/reports/%E0%A4%A', headers: {} }),
        400,
        'invalid-input',
      );
    });

    it('answers 414 for a path parameter too long, and 400 for a CORS preflight it refuses', async () => {
      expectProblem(
        await inject({ method: 'GET', url: `/v1/reports/report:web:${'x'.repeat(300)}` }),
        414,
        'uri-too-long',
      );
      expectProblem(
        await inject({
          method: 'OPTIONS',
          url: '/codec/decode',
          headers: { origin: 'http://localhost:8233' },
        }),
        400,
        'invalid-input',
      );
    });

    it('answers 431 as a problem when the headers are too large for the HTTP parser', async () => {
      const port = await freePort();
      await api.app.listen({ host: '127.0.0.1', port });
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/health', headers: { 'x-big': 'x'.repeat(20_000) } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode!, type: res.headers['content-type']!, body }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(431);
      expect(answer.type).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ type: `${PROBLEM}headers-too-large`, status: 431 });
    });

    it('answers another unit’s report exactly as a report that does not exist', async () => {
      const { id } = await receive();
      await step(id, 'accept-report', 'dispatcher', ACCEPT);
      await step(id, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'rule' });
      const strip = (res: Injected) => {
        const { instance: _i, requestId: _r, ...rest } = res.json<Record<string, unknown>>();
        return { status: res.statusCode, body: rest };
      };
      const theirs = strip(await api.get(reportUrl(id), 'handler:unit-a'));
      const missing = strip(await api.get(reportUrl('report:hotline_12345:NO-SUCH-1'), 'handler:unit-a'));
      expect(theirs).toEqual(missing);
      expect(theirs.status).toBe(404);
      const stepTheirs = strip(await api.post(reportUrl(id, 'start-verification'), 'handler:unit-a'));
      const stepMissing = strip(
        await api.post(reportUrl('report:hotline_12345:NO-SUCH-1', 'start-verification'), 'handler:unit-a'),
      );
      expect(stepTheirs).toEqual(stepMissing);
    });
  });

  describe('the OpenAPI document is the truth', () => {
    it('declares the files exports send, and no body for steps that need none', async () => {
      const doc = (await api.get('/docs/json')).json<{
        paths: Record<
          string,
          Record<
            string,
            { responses: Record<string, { content?: object }>; requestBody?: { required: boolean } }
          >
        >;
      }>();
      expect(
        Object.keys(doc.paths['/v1/exports/reports.{format}']!.get!.responses['200']!.content!).sort(),
      ).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
      expect(
        Object.keys(
          doc.paths['/v1/reports/{id}/case-write-up.{format}']!.get!.responses['200']!.content!,
        ).sort(),
      ).toEqual(['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/markdown']);
      expect(doc.paths['/v1/reports/{id}/pay-reward']!.post!.requestBody!.required).toBe(false);
      expect(doc.paths['/v1/reports/{id}/start-verification']!.post!.requestBody!.required).toBe(false);
      expect(doc.paths['/v1/reports/{id}/accept-report']!.post!.requestBody!.required).toBe(true);
    });
  });

  it('after all of it, every list, board, statistic and export answers 200, every report listed', async () => {
    const listed = new Set<string>();
    let cursor: string | null = null;
    do {
      const res = await api.get(`/v1/reports?limit=200${cursor ? `&cursor=${cursor}` : ''}`, 'supervisor');
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: { reportId: string }[]; nextCursor: string | null }>();
      for (const item of page.items) listed.add(item.reportId);
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of received) expect(listed, id).toContain(id);
    for (const url of [
      '/v1/boards/overdue',
      '/v1/boards/due',
      '/v1/statistics',
      '/v1/statistics/trend',
      `/v1/reports?q=${encodeURIComponent('电动自行车')}`,
      '/v1/exports/reports.csv',
      '/v1/exports/reports.xlsx',
      '/v1/exports/major-hazards.csv',
      '/v1/exports/statistics.xlsx',
    ])
      expect((await api.get(url, 'supervisor')).statusCode, url).toBe(200);
    const csv = (await api.get('/v1/exports/reports.csv', 'supervisor')).body;
    for (const id of received) expect(csv).toContain(id.split(':').at(-1));
  });
});
