import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReportListPage } from '../../../api/reports/report-list.js';
import type { IntakeBody } from '../../../api/reports/intake-schema.js';
import { HOUR } from '../../support/report-env.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * GET /v1/reports: the supervisors' list, from the PostgreSQL read model. Eight reports in known
 * states; every filter is checked against the reports that must (and must not) come back.
 */
const PROBLEM = 'https://bihuan.dev/problems/';

describe('the report list', () => {
  let api: ApiEnv;
  /** name → report id */
  const ids: Record<string, string> = {};

  const receive = async (name: string, overrides: Partial<IntakeBody>) => {
    const res = await api.post('/v1/reports', 'intake', anIntakeBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    ids[name] = res.json<{ id: string }>().id;
  };
  const step = async (name: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(ids[name]!, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  };
  const accept = (name: string, urgency: string, domain: string) =>
    step(name, 'accept-report', 'dispatcher', { urgency, category: 'fire', domain });
  const assign = (name: string, unitId: string) =>
    step(name, 'assign-report', 'dispatcher', { unitId, routing: 'rule' });

  const list = async (query: string, as = 'supervisor') => {
    const res = await api.get(`/v1/reports${query ? `?${query}` : ''}`, as);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ReportListPage>();
  };
  /** The names of the reports a query lists, in list order. */
  const names = async (query: string, as?: string) => {
    const byId = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
    return (await list(query, as)).items.map((i) => byId[i.reportId] ?? i.reportId);
  };

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    // Minutes before the server's clock (intake refuses receivedAt in the future).
    const at = (minutes: number) =>
      new Date(Date.parse(MONDAY_MORNING) - (60 - minutes) * 60_000).toISOString();
    const puxing = { district: '浦东新区', street: '浦兴路街道' };
    await receive('ebike', {
      receivedAt: at(0),
      description: '楼道内电动自行车违规充电，堵塞消防通道',
      location: { address: '浦兴路100弄', ...puxing },
    });
    await receive('gas', {
      channel: 'suishenpai',
      urgency: 'emergency',
      receivedAt: at(1),
      description: '饭店后厨燃气管道泄漏有明显异味',
      location: { address: '金桥路8号', district: '浦东新区', street: '金桥镇' },
    });
    await receive('warehouse', {
      receivedAt: at(2),
      description: '仓库堆放易燃物品 50% 以上无人看管',
      location: { address: '浦兴路7号', ...puxing },
    });
    await receive('scaffold', {
      channel: 'web',
      receivedAt: at(3),
      description: '工地脚手架不牢固，存在坍塌风险',
      location: { address: '川沙路1号', district: '浦东新区', street: '川沙新镇' },
    });
    for (const n of [4, 5, 6, 7])
      await receive(`other${n}`, {
        receivedAt: at(n),
        description: `小区地下室违规住人 第${n}号`,
        location: { address: `某小区${n}号`, ...puxing },
      });

    await accept('ebike', 'general', 'e_bikes');
    await assign('ebike', 'unit-a');
    await accept('gas', 'emergency', 'gas');
    await assign('gas', 'unit-b');
    await step('gas', 'start-verification', 'handler:unit-b');
    await step('gas', 'submit-verification', 'handler:unit-b', {
      outcome: 'substantiated',
      findings: '燃气软管老化泄漏',
      hazardsFound: 1,
      majorHazard: true,
    });
    await step('warehouse', 'reject-report', 'dispatcher', { reason: '不属于安全生产范围' });
    for (const n of [4, 5, 6, 7]) await accept(`other${n}`, 'general', 'high_rise');
    // scaffold stays at `received` past its same-day acceptance deadline.
    await api.t.skip(20 * HOUR);
    // The intake's first projection and the overdue projection happen in the workflows; wait for both.
    const count = async (where: 'all' | 'overdue') =>
      (
        await api.t.sql<{ n: number }[]>`
        select count(*)::int as n from reports ${where === 'overdue' ? api.t.sql`where overdue` : api.t.sql``}`
      )[0]!.n;
    await vi.waitFor(async () => expect(await count('all')).toBe(8), { timeout: 20_000, interval: 200 });
    await vi.waitFor(async () => expect(await count('overdue')).toBeGreaterThan(0), {
      timeout: 20_000,
      interval: 200,
    });
  });
  afterAll(() => api?.close());

  it('lists every report newest first, with what a supervisor scans for', async () => {
    expect(await names('')).toEqual([
      'other7',
      'other6',
      'other5',
      'other4',
      'scaffold',
      'warehouse',
      'gas',
      'ebike',
    ]);
    const gas = (await list('')).items.find((i) => i.reportId === ids.gas);
    expect(gas).toMatchObject({
      channel: 'suishenpai',
      stage: 'verified',
      urgency: 'emergency',
      domain: 'gas',
      street: '金桥镇',
      unitId: 'unit-b',
      majorHazard: true,
      closedAt: null,
    });
  });

  it('filters by stage (repeat for several), unit, urgency, channel, domain, locality', async () => {
    expect(await names('stage=received')).toEqual(['scaffold']);
    expect(await names('stage=rejected&stage=assigned')).toEqual(['warehouse', 'ebike']);
    expect(await names('unitId=unit-b')).toEqual(['gas']);
    expect(await names('urgency=emergency')).toEqual(['gas']);
    expect(await names('channel=web&channel=suishenpai')).toEqual(['scaffold', 'gas']);
    expect(await names('domain=high_rise&limit=2')).toEqual(['other7', 'other6']);
    expect(await names(`street=${encodeURIComponent('川沙新镇')}`)).toEqual(['scaffold']);
    expect(await names(`district=${encodeURIComponent('浦东新区')}&stage=verified`)).toEqual(['gas']);
  });

  it('filters by major hazard and by overdue (a deadline that passed while the report waited)', async () => {
    expect(await names('majorHazard=true')).toEqual(['gas']);
    expect(await names('majorHazard=false&stage=verified')).toEqual([]);
    const overdue = await list('overdue=true');
    expect(overdue.items.map((i) => i.reportId)).toContain(ids.scaffold);
    expect(overdue.items.every((i) => i.overdue)).toBe(true);
    const scaffold = overdue.items.find((i) => i.reportId === ids.scaffold);
    expect(scaffold?.nextDueClock).toBe('acceptance');
    expect(Date.parse(scaffold!.nextDueAt!)).toBeLessThan((await api.t.now()).getTime());
    expect(await names('overdue=false&stage=received')).toEqual([]);
  });

  it('filters by the period the reports were received in: from inclusive, to exclusive', async () => {
    const at = (minutes: number) =>
      encodeURIComponent(new Date(Date.parse(MONDAY_MORNING) - (60 - minutes) * 60_000).toISOString());
    expect(await names(`receivedFrom=${at(1)}&receivedTo=${at(3)}`)).toEqual(['warehouse', 'gas']);
    expect(await names(`receivedFrom=${at(7)}`)).toEqual(['other7']);
  });

  it('searches the description and address for words, Chinese without spaces included', async () => {
    expect(await names(`q=${encodeURIComponent('燃气')}`)).toEqual(['gas']);
    expect(await names(`q=${encodeURIComponent('泄漏 后厨')}`)).toEqual(['gas']);
    expect(await names(`q=${encodeURIComponent('浦兴路7号')}`)).toEqual(['warehouse']);
    // Bigrams in the wrong order do not match: 漏泄 is not in 泄漏.
    expect(await names(`q=${encodeURIComponent('漏泄')}`)).toEqual([]);
    // % is a character, not a wildcard.
    expect(await names(`q=${encodeURIComponent('50%')}`)).toEqual(['warehouse']);
    expect(await names(`q=${encodeURIComponent('5%')}`)).toEqual([]);
    expect(await names(`q=${encodeURIComponent('地下室')}&limit=1`)).toEqual(['other7']);
  });

  it('pages with a cursor: every report once, in order, and no cursor after the last page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ReportListPage = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i) => i.reportId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual((await list('')).items.map((i) => i.reportId));
    // Filters hold across pages.
    const first = await list('stage=accepted&limit=2');
    const second = await list(`stage=accepted&limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((i) => i.stage)).toEqual(Array(4).fill('accepted'));
    expect(second.nextCursor).toBeNull();
  });

  it('shows a handler its own unit only, and refuses to list another unit for it', async () => {
    expect(await names('', 'handler:unit-a')).toEqual(['ebike']);
    expect(await names('stage=verified', 'handler:unit-a')).toEqual([]);
    const other = await api.get('/v1/reports?unitId=unit-b', 'handler:unit-a');
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ type: `${PROBLEM}not-allowed` });
  });

  it('answers a malformed filter with one 400 problem and lists nothing', async () => {
    for (const query of [
      'stage=nonsense',
      'overdue=maybe',
      'limit=0',
      'limit=201',
      'receivedFrom=yesterday',
      'cursor=not*base64',
      'cursor=bm90LWpzb24',
      'colour=red',
    ]) {
      const res = await api.get(`/v1/reports?${query}`, 'supervisor');
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json(), query).toMatchObject({ type: `${PROBLEM}invalid-input`, status: 400 });
    }
  });

  it('never lists a reporter: no identity or vault reference in any item', async () => {
    const body = JSON.stringify(await list(''));
    expect(body).not.toMatch(/vault:|claimCode|reporter/);
  });
});
