import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { ReportView } from '../../domain/report/report-view.js';
import { HOUR } from '../support/report-env.js';
import { REPO_ROOT } from '../support/processes.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../support/api-env.js';

/**
 * The supervisors' dashboard in headless Chromium on a laptop screen: log in, see the overdue
 * board and the charts drawn with data, open a report's timeline, save a screenshot; and act on
 * reports from their panel (the supervisor's desk), through the same API.
 */
const SCREENSHOT = join(REPO_ROOT, 'test/.output/dashboard.png');

describe('the dashboard in a browser', () => {
  let api: ApiEnv;
  let browser: Browser;
  let base: string;
  let late: string;

  beforeAll(async () => {
    const found = inject('chromium');
    if ('missing' in found) throw new Error(`no Chromium for the browser test: ${found.missing}`);
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    const step = async (id: string, path: string, as: string, body?: unknown) =>
      expect((await api.post(reportUrl(id, path), as, body)).statusCode).toBe(200);
    late = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    const done = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    await step(done, 'accept-report', 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    await step(done, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(done, 'acknowledge-assignment', 'handler:unit-a'); // 签收: nothing of it falls due
    await api.t.skip(20 * HOUR); // `late` misses its same-day acceptance
    await vi.waitFor(
      async () => {
        const [row] = await api.t.sql<{ n: number }[]>`select count(*)::int as n from reports where overdue`;
        expect(row!.n).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 200 },
    );
    base = await api.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: found.path, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('logs in, shows the overdue board and charts with data, opens a timeline, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && failures.push(m.text())));
    await page.goto(`${base}/dashboard/`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('督办看板');
    await page.fill('#token', api.keys.supervisor!);
    await page.click('#login-form button');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });

    const overdueRows = page.locator('#overdue tbody tr');
    expect(await overdueRows.count()).toBe(1);
    expect(await overdueRows.first().textContent()).toContain('受理');
    expect(await overdueRows.first().textContent()).toContain('指挥中心'); // not yet with a unit
    expect(await page.locator('#overdue a').first().getAttribute('data-report')).toBe(late);
    expect(await page.locator('#overdue-summary').textContent()).toContain('受理 1');
    const drawn = await page.evaluate(() => {
      const charts = (
        globalThis as unknown as {
          bihuanCharts: Record<string, { data: { datasets: { data: number[] }[] } }>;
        }
      ).bihuanCharts;
      return Object.fromEntries(
        Object.entries(charts).map(([id, c]) => [
          id,
          c.data.datasets.map((d) => d.data.reduce((a, b) => a + b, 0)),
        ]),
      );
    });
    expect(drawn.trend![0]).toBe(2); // two received
    expect(drawn.trend![2]).toBe(1); // one deadline missed
    expect(drawn.ontime!.length).toBe(1);
    expect(await page.locator('#rates .card').count()).toBe(6);

    expect(await page.locator('#reports tbody tr').count()).toBe(2);
    await page.check('#filter-overdue');
    await page.click('#filters button');
    await page.waitForSelector('body[data-reports="1"]');
    expect(await page.locator('#reports a').first().getAttribute('data-report')).toBe(late);

    await page.click(`#overdue a[data-report="${late}"]`);
    await page.waitForSelector('#timeline li');
    expect(await page.locator('#timeline-report').textContent()).toBe(late);
    expect(await page.locator('#timeline li').first().textContent()).toContain('接件');
    expect(await page.locator('#timeline li[data-type="deadline_missed"]').textContent()).toContain(
      '逾期 受理',
    );
    expect(await page.locator('#timeline li[data-type="escalated"]').first().textContent()).toContain('催办');

    await mkdir(join(REPO_ROOT, 'test/.output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    const png = await readFile(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1366, 768]);
    expect(png.length).toBeGreaterThan(20_000);
    expect(failures).toEqual([]);

    await page.click('#logout');
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('is the supervisor’s desk: 催办, 挂牌督办, 约谈 called and recorded, 摘牌, 延期 decided from a report’s panel, and the dispatcher’s 退单审核', async () => {
    const step = async (id: string, path: string, as: string, body?: unknown) =>
      expect((await api.post(reportUrl(id, path), as, body)).statusCode).toBe(200);
    const receive = async () =>
      (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
    const desk = await receive();
    await step(desk, 'accept-report', 'dispatcher', accept);
    await step(desk, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(desk, 'start-verification', 'handler:unit-a');
    const proposedDueAt = new Date((await api.t.now()).getTime() + 20 * 24 * HOUR).toISOString();
    await step(desk, 'request-extension', 'handler:unit-a', {
      clock: 'verification',
      proposedDueAt,
      reason: '需第三方检测机构出具报告',
    });
    const back = await receive();
    await step(back, 'accept-report', 'dispatcher', accept);
    await step(back, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(back, 'return-assignment', 'handler:unit-a', { reason: '不属本单位辖区' });

    const page = await browser.newPage({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Asia/Shanghai',
    });
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    const login = async (role: string) => {
      await page.fill('#token', api.keys[role]!);
      await page.click('#login-form button');
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    };
    const open = async (id: string) => {
      await page.click(`#reports a[data-report="${id}"]`);
      await expect.poll(() => page.locator('#timeline-report').textContent()).toBe(id);
    };
    let acted = 0;
    const submit = async (form: string, step: string, button = `${form} button[type="submit"]`) => {
      await page.click(button);
      acted += 1;
      await page.waitForSelector(`body[data-acted="${acted}:${step}"]`, { timeout: 20_000 });
      expect(await page.locator('#desk-message').textContent()).toBe('已提交');
    };
    const supervise = async (action: string, reason: string) => {
      await page.selectOption('#desk-supervise select[name="action"]', action);
      await page.fill('#desk-supervise input[name="reason"]', reason);
      await submit('#desk-supervise', 'supervise-report');
    };

    await page.goto(`${base}/dashboard/`);
    await login('supervisor');
    await open(desk);
    expect(await page.locator('#desk-extension .pending').textContent()).toContain(
      '需第三方检测机构出具报告',
    );
    await supervise('urge', '核查进度滞后，请加快');
    await supervise('listed_supervision', '群众反复举报，挂牌督办');
    expect(await page.locator('#desk-lift').isVisible()).toBe(true);
    await supervise('interview', '多次催办未果，约谈分管领导');
    expect(await page.locator('#desk-interview').isVisible()).toBe(true);

    // Held an hour ago, Beijing time, as the supervisor's browser shows it.
    await api.t.skip(2 * HOUR);
    const held = new Date((await api.t.now()).getTime() - HOUR);
    const beijing = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 16);
    await page.fill('#desk-interview input[name="heldAt"]', beijing(held));
    await page.fill('#desk-interview input[name="attendees"]', '街道分管领导，企业负责人');
    await page.fill('#desk-interview input[name="notes"]', '要求三日内完成核查并书面报告');
    await submit('#desk-interview', 'record-interview');
    expect(await page.locator('#desk-interview').isVisible()).toBe(false);

    await page.selectOption('#desk-extension select[name="decision"]', 'approved');
    await page.fill('#desk-extension input[name="reason"]', '检测周期确需');
    await submit('#desk-extension', 'decide-extension');
    expect(await page.locator('#desk-extension').isVisible()).toBe(false);
    await page.fill('#desk-lift input[name="reason"]', '约谈后已落实整改责任');
    await submit('#desk-lift', 'lift-listing');
    expect(await page.locator('#timeline li[data-type="supervised"]').count()).toBe(3);
    expect(await page.locator('#timeline li[data-type="supervised"]').first().textContent()).toContain(
      '催办',
    );

    const view = (await api.get(reportUrl(desk), 'supervisor')).json<ReportView>();
    const supervised = view.timeline.filter((e) => e.type === 'supervised');
    expect(supervised.map((e) => [e.actor?.role, e.data?.action])).toEqual([
      ['supervisor', 'urge'],
      ['supervisor', 'listed_supervision'],
      ['supervisor', 'interview'],
    ]);
    expect(view.interviews?.[0]?.held).toMatchObject({
      at: new Date(Math.floor(held.getTime() / 60_000) * 60_000).toISOString(),
      attendees: ['街道分管领导', '企业负责人'],
    });
    expect(view.extensions?.[0]?.decision).toMatchObject({ decision: 'approved', dueAt: proposedDueAt });
    expect(view.listing?.lifted?.reason).toBe('约谈后已落实整改责任');

    // 退单审核 is the dispatcher's: the same panel, logged in as the dispatcher.
    await page.click('#logout');
    await login('dispatcher');
    await open(back);
    expect(await page.locator('#desk-return').isVisible()).toBe(true);
    await page.fill('#desk-return input[name="reason"]', '属本单位辖区，请继续办理');
    await submit('#desk-return', 'refuse-return', '#desk-return button[data-step="refuse-return"]');
    const refused = (await api.get(reportUrl(back), 'dispatcher')).json<ReportView>();
    expect(refused.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(refused.assignments[0]?.refusedReturns?.[0]?.reason).toBe('属本单位辖区，请继续办理');
    expect(failures).toEqual([]);
  });

  it('serves the page with a strict Content-Security-Policy, and no data without a token', async () => {
    const res = await fetch(`${base}/dashboard/`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${base}/v1/boards/overdue`)).status).toBe(401);
  });
});
