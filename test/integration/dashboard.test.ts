import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { HOUR } from '../support/report-env.js';
import { REPO_ROOT } from '../support/processes.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../support/api-env.js';

/**
 * The supervisors' dashboard in headless Chromium on a laptop screen: log in, see the overdue
 * board and the charts drawn with data, open a report's timeline, save a screenshot.
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

  it('serves the page with a strict Content-Security-Policy, and no data without a token', async () => {
    const res = await fetch(`${base}/dashboard/`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${base}/v1/boards/overdue`)).status).toBe(401);
  });
});
