import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * 三率 from what reporters answered at the 回访, and returns counted against the dispatcher's
 * review (district-default v4), by hand from three reports:
 * - R6 (12345, fire) returned by unit A, the return refused: unit A verifies it, answers in time;
 *   the reporter says 满意, 已解决.
 * - R7 (12345, fire) returned by unit A, the return approved by reassigning it to unit B, which
 *   verifies it under its own clock and answers; the reporter says 基本满意, 未解决.
 * - R8 (随申拍, special equipment) handled by unit B; the reporter says 满意, 已解决.
 */
interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  formula: string;
}
interface ThreeRates {
  responseRate: Rate;
  resolutionRate: Rate;
  satisfactionRate: Rate;
}
interface Stats {
  threeRates: ThreeRates;
  threeRatesBy: {
    unit: (ThreeRates & { unitId: string })[];
    channel: (ThreeRates & { channel: string })[];
    category: (ThreeRates & { category: string })[];
  };
  units: { unitId: string; completed: number; onTime: number; misrouted: number }[];
  misrouting: { returns: number; returnsRefused: number; disputes: number; reports: number };
}

const figure = (r: Rate) => [r.numerator, r.denominator];

describe('三率 from the reporters’ answers; returns as the dispatcher decided them', () => {
  let api: ApiEnv;
  let stats: Stats;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    const step = async (id: string, path: string, as: string, body?: unknown) => {
      const res = await api.post(reportUrl(id, path), as, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.json<ReportView>();
    };
    const receive = async (channel: string, category: string, domain: string) => {
      const body = anIntakeBody({ channel: channel as 'hotline_12345' });
      const id = (await api.post('/v1/reports', 'intake', body)).json<{ id: string }>().id;
      await step(id, 'accept-report', 'dispatcher', { urgency: 'general', category, domain });
      await step(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
      return id;
    };
    const handle = async (id: string, unit: string, rating: string, resolved: boolean) => {
      await step(id, 'start-verification', `handler:${unit}`);
      await step(id, 'submit-verification', `handler:${unit}`, {
        outcome: 'unsubstantiated',
        findings: '现场未见',
        hazardsFound: 0,
        majorHazard: false,
      });
      await step(id, 'give-feedback', `handler:${unit}`, { summary: '经核查不属实' });
      await step(id, 'record-satisfaction', 'intake', { rating, resolved });
    };
    const r6 = await receive('hotline_12345', 'fire', 'e_bikes');
    await step(r6, 'return-assignment', 'handler:unit-a', { reason: '非本单位辖区' });
    await step(r6, 'refuse-return', 'dispatcher', { reason: '属本单位辖区，请继续办理' });
    await handle(r6, 'unit-a', 'satisfied', true);

    const r7 = await receive('hotline_12345', 'fire', 'e_bikes');
    await step(r7, 'return-assignment', 'handler:unit-a', { reason: '非本单位辖区' });
    await step(r7, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'manual' });
    await handle(r7, 'unit-b', 'basically_satisfied', false);

    const r8 = await receive('suishenpai', 'special_equipment', 'gas');
    await step(r8, 'return-assignment', 'handler:unit-a', { reason: '非本单位辖区' });
    await step(r8, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'manual' });
    await handle(r8, 'unit-b', 'satisfied', true);
    stats = (await api.get('/v1/statistics', 'supervisor')).json<Stats>();
  });
  afterAll(() => api?.close());

  it('counts 解决率 and 满意率 from the answers, not from the stage reached', () => {
    expect(figure(stats.threeRates.resolutionRate)).toEqual([2, 3]);
    expect(figure(stats.threeRates.satisfactionRate)).toEqual([3, 3]);
    expect(stats.threeRates.resolutionRate.formula).toMatch(/回访答“已解决”/);
  });

  it('breaks 三率 down by unit, channel and category', () => {
    const unit = (id: string) => stats.threeRatesBy.unit.find((u) => u.unitId === id)!;
    // Resolution and satisfaction go with the unit that last held the report.
    expect([figure(unit('unit-a').resolutionRate), figure(unit('unit-a').satisfactionRate)]).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect([figure(unit('unit-b').resolutionRate), figure(unit('unit-b').satisfactionRate)]).toEqual([
      [1, 2],
      [2, 2],
    ]);
    // A unit's response: contact with the reporter in time (R6 for A; R7, R8 for B).
    expect(figure(unit('unit-a').responseRate)).toEqual([1, 1]);
    expect(figure(unit('unit-b').responseRate)).toEqual([2, 2]);
    const channel = (c: string) => stats.threeRatesBy.channel.find((g) => g.channel === c)!;
    expect(figure(channel('hotline_12345').resolutionRate)).toEqual([1, 2]);
    expect(figure(channel('suishenpai').resolutionRate)).toEqual([1, 1]);
    // A channel's response: acceptance in time.
    expect(figure(channel('hotline_12345').responseRate)).toEqual([2, 2]);
    const category = (c: string) => stats.threeRatesBy.category.find((g) => g.category === c)!;
    expect(figure(category('fire').satisfactionRate)).toEqual([2, 2]);
    expect(figure(category('special_equipment').resolutionRate)).toEqual([1, 1]);
  });

  it('counts an approved return as misrouting, a refused one against the unit', () => {
    expect(stats.misrouting).toMatchObject({ returns: 2, returnsRefused: 1, reports: 2 });
    // Unit A answers for R6 (its 签收 by returning, its verification and its answer); R7 and R8 left
    // it by approved returns, so their 签收 clocks are misrouting. Unit B answers for its 签收 and own
    // verification clocks of R7 and R8 and the answers it gave.
    expect(stats.units.find((u) => u.unitId === 'unit-a')).toMatchObject({ completed: 3, onTime: 3 });
    expect(stats.units.find((u) => u.unitId === 'unit-b')).toMatchObject({ completed: 6, onTime: 6 });
  });
});
