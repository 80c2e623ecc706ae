import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Board } from '../../../api/supervision/boards.js';
import type { ReportListPage } from '../../../api/reports/report-list.js';
import type { Statistics } from '../../../api/supervision/statistics.js';
import { DAY, HOUR } from '../../support/report-env.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';
import { NOT_EXCLUDED } from '../../support/reports.js';

/**
 * Six reports driven through the API on Monday 2026-11-23 (09:30 Beijing), then 20 hours pass:
 *
 *   A  rejected at intake
 *   B  accepted, assigned to unit-a, verified unsubstantiated (0 hazards), feedback, 满意 → closed
 *   C  accepted, unit-a, substantiated with 2 hazards, rectified, feedback, 基本满意, reward of
 *      15% of a ¥100,000 fine proposed, approved and paid → closed
 *   D  accepted, unit-a, substantiated with 3 hazards, rectification ordered (due in 10 days)
 *   E  accepted, assigned to unit-a, returned by unit-a, reassigned to unit-b
 *   F  left at `received`: its same-day acceptance deadline passes (the urge rung fires)
 *
 * Every figure below is counted by hand from this table, then checked against the others and
 * against the list endpoint.
 */
const FINE_FEN = 10_000_000; // ¥100,000
const REWARD_FEN = 1_500_000; // 15 % of it

describe('statistics and boards over lifecycles driven through the API', () => {
  let api: ApiEnv;
  const id: Record<string, string> = {};

  const step = async (name: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(id[name]!, path), as, body);
    expect(res.statusCode, `${name} ${path}: ${res.body}`).toBe(200);
  };
  const get = async <T>(url: string, as = 'supervisor') => {
    const res = await api.get(url, as);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json<T>();
  };

  beforeAll(async () => {
    // Hand counts of the 当日受理、三日核查、七日反馈 deadlines.
    api = await createApiEnv({ startTime: MONDAY_MORNING, defaultPolicy: 'district-three-day' });
    const claimCodes: Record<string, string> = {};
    for (const name of ['A', 'B', 'C', 'D', 'E', 'F']) {
      const res = await api.post('/v1/reports', 'intake', anIntakeBody());
      expect(res.statusCode).toBe(201);
      id[name] = res.json<{ id: string }>().id;
      claimCodes[name] = res.json<{ claimCode: string }>().claimCode;
    }
    const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
    const toUnitA = { unitId: 'unit-a', routing: 'rule' };
    await step('A', 'reject-report', 'dispatcher', { reason: '非安全生产事项' });
    for (const n of ['B', 'C', 'D', 'E']) {
      await step(n, 'accept-report', 'dispatcher', accept);
      await step(n, 'assign-report', 'dispatcher', toUnitA);
    }
    for (const n of ['B', 'C', 'D']) await step(n, 'start-verification', 'handler:unit-a');
    await step('B', 'submit-verification', 'handler:unit-a', {
      outcome: 'unsubstantiated',
      findings: '现场未发现所述情况',
      hazardsFound: 0,
      majorHazard: false,
    });
    await step('C', 'submit-verification', 'handler:unit-a', {
      outcome: 'substantiated',
      findings: '楼道充电属实',
      hazardsFound: 2,
      majorHazard: false,
    });
    await step('D', 'submit-verification', 'handler:unit-a', {
      outcome: 'substantiated',
      findings: '仓库堆放易燃物',
      hazardsFound: 3,
      majorHazard: false,
    });
    const dueIn10Days = new Date(Date.parse(MONDAY_MORNING) + 10 * DAY).toISOString();
    for (const n of ['C', 'D'])
      await step(n, 'order-rectification', 'handler:unit-a', {
        measures: ['order_rectification', 'administrative_penalty'],
        fineFen: FINE_FEN,
        dueAt: dueIn10Days,
      });
    await step('C', 'report-rectification', 'handler:unit-a', { summary: '已清理' });
    await step('B', 'give-feedback', 'handler:unit-a', { summary: '经核查不属实' });
    await step('C', 'give-feedback', 'handler:unit-a', { summary: '已整改' });
    await step('B', 'record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
    await step('C', 'record-satisfaction', 'intake', { rating: 'basically_satisfied', resolved: true });
    await step('C', 'claim-reward', 'intake', {
      claimCode: claimCodes.C,
      payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
    });
    await step('C', 'propose-reward', 'reward_proposer', {
      basis: { kind: 'fine', fineFen: FINE_FEN },
      declaration: NOT_EXCLUDED,
    });
    await step('C', 'decide-reward', 'reward_approver', { decision: 'approved' });
    await step('C', 'pay-reward', 'finance');
    await step('E', 'return-assignment', 'handler:unit-a', { reason: '不属于本街道' });
    await step('E', 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'manual' });

    await api.t.skip(20 * HOUR);
    await vi.waitFor(
      async () => {
        const [row] = await api.t.sql<{ n: number }[]>`select count(*)::int as n from reports where overdue`;
        expect(row!.n).toBe(1);
        const [esc] = await api.t.sql<{ n: number }[]>`select count(*)::int as n from escalations`;
        expect(esc!.n).toBe(1);
      },
      { timeout: 20_000, interval: 200 },
    );
  });
  afterAll(() => api?.close());

  it('counts what happened, as counted by hand', async () => {
    const s = await get<Statistics>('/v1/statistics');
    expect(s.counts).toEqual({
      received: 6,
      accepted: 4,
      rejected: 1,
      open: 3,
      closed: 2,
      withdrawn: 0,
      merged: 0,
      cancelled: 0,
      verified: 3,
      substantiated: 2,
      unsubstantiated: 1,
      reportsWithHazards: 2,
      hazardsFound: 5,
      majorHazards: 0,
      rectifiedReports: 1,
      hazardsRectified: 2,
      writtenOff: 0,
      overdue: 1,
    });
    expect(s.rates.rectificationRate).toMatchObject({ value: 0.4, numerator: 2, denominator: 5 });
    expect(s.rates.rectificationRate.formula).toMatch(/^整改率 = /);
    expect(s.rates.substantiationRate).toMatchObject({ value: 0.6667, numerator: 2, denominator: 3 });
    expect(s.threeRates.satisfactionRate).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
    expect(s.threeRates.resolutionRate).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
    // A's rejection and B–E's acceptance all came at once: 5 of 5 on time; F still runs, overdue.
    expect(s.threeRates.responseRate).toMatchObject({ value: 1, numerator: 5, denominator: 5 });
    expect(s.satisfaction).toEqual({ rated: 2, satisfied: 1, basicallySatisfied: 1, unsatisfied: 0 });
    expect(s.escalationsByRung).toEqual({ urge: 1 });
    expect(s.misrouting).toEqual({ returns: 1, returnsRefused: 0, disputes: 0, reports: 1 });
    expect(s.rewards).toEqual({
      proposed: { count: 1, sumFen: REWARD_FEN },
      approved: { count: 1, sumFen: REWARD_FEN },
      paid: { count: 1, sumFen: REWARD_FEN },
    });
  });

  it('times each step, leaving out the time a misrouted report spent at the wrong unit', async () => {
    const s = await get<Statistics>('/v1/statistics');
    const step = (clock: string) => s.steps.find((x) => x.clock === clock)!;
    expect(step('acceptance')).toMatchObject({ started: 6, completed: 5, onTime: 5, runningOverdue: 1 });
    // B, C, D verified; E's first verification clock ran at unit-a, which returned it: misrouting.
    expect(step('verification')).toMatchObject({ started: 5, completed: 3, onTime: 3, misrouted: 1 });
    expect(step('verification').onTimeRate.value).toBe(1);
    // All steps ran at the same instant of the test clock: no time passed between them.
    expect(step('verification').meanHours).toBe(0);
    expect(step('verification').p90Hours).toBe(0);
    const unitA = s.units.find((u) => u.unitId === 'unit-a')!;
    expect(unitA.misrouted).toBe(1);
    expect(unitA.onTimeRate.value).toBe(1);
  });

  it('reconciles: the parts add up, and the list shows exactly what the figures count', async () => {
    const s = await get<Statistics>('/v1/statistics');
    const c = s.counts;
    expect(c.open + c.closed + c.rejected + c.withdrawn + c.merged + c.cancelled).toBe(c.received);
    expect(c.substantiated + c.unsubstantiated).toBe(c.verified);
    expect(s.rates.rectificationRate.value).toBe(c.hazardsRectified / c.hazardsFound);
    const listed = async (query: string) =>
      (await get<ReportListPage>(`/v1/reports?limit=200${query}`)).items.length;
    expect(await listed('')).toBe(c.received);
    expect(await listed('&stage=rejected')).toBe(c.rejected);
    expect(await listed('&stage=closed')).toBe(c.closed);
    expect(await listed('&overdue=true')).toBe(c.overdue);
    expect(await listed('&majorHazard=true')).toBe(c.majorHazards);
    // The same filters narrow both alike.
    const unitB = await get<Statistics>('/v1/statistics?unitId=unit-b');
    expect(unitB.counts.received).toBe(await listed('&unitId=unit-b'));
    expect(unitB.counts.received).toBe(1);
  });

  it('gives a handler the figures of its own unit only', async () => {
    const mine = await get<Statistics>('/v1/statistics', 'handler:unit-a');
    expect(mine.counts.received).toBe(3); // B, C, D — E went on to unit-b
    expect((await api.get('/v1/statistics?unitId=unit-b', 'handler:unit-a')).statusCode).toBe(403);
  });

  it('draws the trend per Beijing day: received, closed and deadlines missed', async () => {
    const trend = await get<{ period: string; received: number; closed: number; overdue: number }[]>(
      '/v1/statistics/trend?bucket=day',
    );
    expect(trend).toEqual([{ period: '2026-11-23', received: 6, closed: 2, overdue: 1 }]);
    const s = await get<Statistics>('/v1/statistics');
    expect(trend.reduce((n, d) => n + d.received, 0)).toBe(s.counts.received);
    expect(trend.reduce((n, d) => n + d.closed, 0)).toBe(s.counts.closed);
  });

  it('shows the overdue board per step, unit and rung, and the due board for the coming hours', async () => {
    const asOf = encodeURIComponent((await api.t.now()).toISOString());
    const overdue = await get<Board>(`/v1/boards/overdue?asOf=${asOf}`);
    expect(overdue.items).toEqual([
      expect.objectContaining({
        reportId: id.F,
        clock: 'acceptance',
        unitId: null,
        stage: 'received',
        rungsFired: 1,
      }),
    ]);
    expect(overdue.items[0]!.overdueHours).toBeGreaterThan(0);
    expect(overdue.byClock).toEqual([{ clock: 'acceptance', count: 1 }]);
    expect(overdue.byRung).toEqual([{ rungsFired: 1, count: 1 }]);
    // E's verification at unit-b: 3 calendar days from Monday 09:30, i.e. within the next 72 hours.
    const due = await get<Board>(`/v1/boards/due?asOf=${asOf}&withinHours=72`);
    expect(due.items.map((i) => [i.reportId, i.clock, i.unitId])).toEqual([[id.E, 'verification', 'unit-b']]);
    expect((await get<Board>(`/v1/boards/due?asOf=${asOf}&withinHours=24`)).items).toEqual([]);
    expect((await get<Board>(`/v1/boards/due?asOf=${asOf}&withinHours=72`, 'handler:unit-a')).items).toEqual(
      [],
    );
    expect(
      (await get<Board>(`/v1/boards/due?asOf=${asOf}&withinHours=72`, 'handler:unit-b')).items,
    ).toHaveLength(1);
    expect((await api.get('/v1/boards/overdue', 'finance')).statusCode).toBe(403);
  });

  it('exports the statistics as XLSX with each rate and its formula', async () => {
    const res = await api.get('/v1/exports/statistics.xlsx', 'supervisor');
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows = book.worksheets[0]!.getSheetValues().slice(2) as unknown[][];
    const byFigure = Object.fromEntries(rows.map((r) => [r[1], [r[2], r[3]]]));
    expect(byFigure['接收件数']![0]).toBe(6);
    expect(byFigure['整改率']![0]).toBe('40.00%');
    expect(byFigure['整改率']![1]).toMatch(/2 ÷ 5$/);
  });

  it('counts over a period the reports received in it and only their clocks', async () => {
    const at = (ms: number) => encodeURIComponent(new Date(Date.parse(MONDAY_MORNING) + ms).toISOString());
    const all = await get<Statistics>('/v1/statistics');
    const monday = await get<Statistics>(`/v1/statistics?receivedFrom=${at(-HOUR)}&receivedTo=${at(DAY)}`);
    expect({ ...monday, filter: undefined }).toEqual({ ...all, filter: undefined });
    const afterwards = await get<Statistics>(`/v1/statistics?receivedFrom=${at(DAY)}`);
    expect(afterwards.counts.received).toBe(0);
    expect(afterwards.steps).toEqual([]);
    expect(afterwards.units).toEqual([]);
    expect(afterwards.threeRatesBy).toEqual({ unit: [], channel: [], category: [] });
    const before = await get<Statistics>(`/v1/statistics?receivedTo=${at(-HOUR)}`);
    expect(before.counts.received).toBe(0);
    expect(before.steps).toEqual([]);
  });
});
