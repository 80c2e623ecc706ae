import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../../api/platform/api-keys.js';
import { createLogger } from '../../../infra/logger.js';
import {
  anIntakeBody,
  createApiEnv,
  handleToRewardThroughApi,
  reportUrl,
  type ApiEnv,
} from '../../support/api-env.js';

/**
 * The two ways a report's outcome reaches those who cannot be sent a message: the citizen status
 * page for an anonymous reporter (by claim code: stage, public replies, reward claim, nothing about
 * any person), and the pull feed for a hotline system that polls instead of taking webhooks.
 */
describe('the citizen status page and the hotline feed', () => {
  let api: ApiEnv;
  const logLines: string[] = [];
  beforeAll(async () => {
    api = await createApiEnv({
      log: createLogger('info', {}, { write: (line: string) => void logLines.push(line) }),
    });
  });
  afterAll(() => api?.close());

  const file = async (body = anIntakeBody()) => {
    const res = await api.post('/v1/reports', 'intake', body);
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; claimCode?: string }>();
  };
  const status = (code: string, accept = 'application/json') =>
    api.app.inject({ method: 'GET', url: `/status/${code}`, headers: { accept } });

  it('shows an anonymous reporter the stage, the replies written for them and the reward to claim — nothing about a person', async () => {
    const { id, claimCode } = await file();
    await handleToRewardThroughApi(api, id, claimCode!, { claim: false });
    const res = await status(claimCode!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{
      stage: string;
      replies: { type: string; text?: string }[];
      reward: { status: string; claimBy?: string };
    }>();
    expect(body.stage).toBe('reward_pending');
    expect(body.replies.map((r) => r.type)).toEqual([
      'received',
      'accepted',
      'feedback_given',
      'reward_pending',
    ]);
    expect(body.replies.find((r) => r.type === 'feedback_given')?.text).toBe('已核查处理');
    expect(body.reward).toMatchObject({ status: 'claimable', claimBy: expect.any(String) });
    // No actor, unit staff, finding or reporter detail: only what the page is for.
    const text = res.body;
    for (const hidden of ['handler', 'dispatcher', 'actor', 'unit-a', '楼道内违规充电属实', 'vault'])
      expect(text).not.toContain(hidden);

    // The same in HTML, escaped, with a strict policy; the code itself never reaches a log.
    const html = await status(claimCode!, 'text/html');
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(html.body).toContain('待奖励');
    expect(html.body).toContain('已核查处理');
    expect(logLines.filter((l) => l.includes(claimCode!))).toEqual([]);
    expect(logLines.some((l) => l.includes('/status/[claim code]'))).toBe(true);
    // The request is logged by its fields, never whole (its raw headers hold API keys).
    expect(logLines.filter((l) => l.includes('rawHeaders') || l.includes('Bearer'))).toEqual([]);
  });

  it('escapes what a handler wrote, answers 404 for an unknown code and 400 for a malformed one', async () => {
    const { id, claimCode } = await file();
    expect(
      (
        await api.post(reportUrl(id, 'reject-report'), 'dispatcher', {
          reason: '<script>alert(1)</script>不属于受理范围',
        })
      ).statusCode,
    ).toBe(200);
    const html = await status(claimCode!, 'text/html');
    expect(html.body).not.toContain('<script>');
    expect(html.body).toContain('&lt;script&gt;');
    expect((await status('AAAA-BBBB-CCCC-DDDD')).statusCode).toBe(404);
    expect((await status('not-a-code')).statusCode).toBe(400);
  });

  it('is rate-limited per client', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 35; i += 1) codes.push((await status('AAAA-BBBB-CCCC-DDD0')).statusCode);
    expect(codes).toContain(429);
  });

  it('gives a polling hotline the outcomes of its own work orders, after a cursor, each with its webhook’s id', async () => {
    const other = await createApiKey(api.t.sql, {
      subject: 'hotline-other',
      role: 'intake',
      label: 'another hotline',
    });
    const rejected = await file(
      anIntakeBody({ reporter: { anonymous: false, name: '赵六', phone: '13600000000' } }),
    );
    await api.post(reportUrl(rejected.id, 'reject-report'), 'dispatcher', { reason: '不属于受理范围' });
    const answered = await file();
    await handleToRewardThroughApi(api, answered.id, answered.claimCode!, { claim: false });

    type Page = {
      items: { cursor: string; id: string; type: string; data: { reportId: string } }[];
      next: string;
    };
    // The feed holds back the last few seconds of the outbox (rows may still be committing around them).
    let all: Page = { items: [], next: '' };
    const mineOf = (page: Page) =>
      page.items.filter((i) => [rejected.id, answered.id].includes(i.data.reportId));
    await vi.waitFor(
      async () => {
        all = (await api.get('/v1/feed', 'intake')).json<Page>();
        expect(mineOf(all)).toHaveLength(3);
      },
      { timeout: 30_000, interval: 500 },
    );
    const mine = mineOf(all);
    expect(mine.map((i) => [i.data.reportId, i.type])).toEqual([
      [rejected.id, 'report.rejection_notice'],
      [answered.id, 'report.acceptance_notice'],
      [answered.id, 'report.feedback_to_reporter'],
    ]);
    expect(mine.every((i) => /^msg_[A-Za-z0-9_-]{32}$/.test(i.id))).toBe(true);

    // Page by page, from a cursor: the same items, none twice, none missed.
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (
        await api.get(`/v1/feed?limit=1${after ? `&after=${after}` : ''}`, 'intake')
      ).json<Page>();
      if (page.items.length === 0) {
        expect(page.next).toBe(after);
        break;
      }
      seen.push(...page.items.map((i) => i.cursor));
      after = page.next;
    }
    expect(seen).toEqual(all.items.map((i) => i.cursor));
    // Another intake client sees nothing of these.
    const others = await api.app.inject({
      method: 'GET',
      url: '/v1/feed',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(others.json<Page>().items).toEqual([]);
  });
});
