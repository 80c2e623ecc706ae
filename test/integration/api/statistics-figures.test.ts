import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * Figures units are assessed on, counted by hand from five reports:
 * - R1 withdrawn before acceptance; R2 accepted, then merged into R3; R5 assigned, then cancelled:
 *   their steps were never done, so their clocks are `stopped` — neither on time nor late.
 * - R3 accepted, assigned to unit A, verified unsubstantiated and answered by unit A: its feedback
 *   clock (running from intake, before any unit) counts for unit A, which held it when it was done.
 * - R4 a major hazard at unit B: 挂牌督办 is a row of the escalations record, counted per rung.
 */
interface Step {
  clock: string;
  started: number;
  completed: number;
  onTime: number;
}
interface Stats {
  steps: Step[];
  units: { unitId: string; completed: number; onTime: number }[];
  escalationsByRung: Record<string, number>;
}

describe('statistics that count what was done, and who did it', () => {
  let api: ApiEnv;
  let stats: Stats;
  const ACCEPT = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    const receive = async () =>
      (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    const step = async (id: string, path: string, as: string, body?: unknown) => {
      const res = await api.post(reportUrl(id, path), as, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.json<ReportView>();
    };
    const [r1, r2, r3, r4, r5] = [
      await receive(),
      await receive(),
      await receive(),
      await receive(),
      await receive(),
    ];
    await step(r1, 'withdraw-report', 'intake', { reason: '已自行解决' });
    for (const r of [r2, r3, r4, r5]) await step(r, 'accept-report', 'dispatcher', ACCEPT);
    await step(r2, 'merge-report', 'dispatcher', { intoReportId: r3 });
    await step(r3, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(r3, 'start-verification', 'handler:unit-a');
    await step(r3, 'submit-verification', 'handler:unit-a', {
      outcome: 'unsubstantiated',
      findings: '现场未见',
      hazardsFound: 0,
      majorHazard: false,
    });
    await step(r3, 'give-feedback', 'handler:unit-a', { summary: '经核查不属实' });
    await step(r4, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'rule' });
    await step(r4, 'start-verification', 'handler:unit-b');
    await step(r4, 'submit-verification', 'handler:unit-b', {
      outcome: 'substantiated',
      findings: '重大事故隐患',
      hazardsFound: 1,
      majorHazard: true,
    });
    await step(r5, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(r5, 'cancel-report', 'admin', { reason: '重复录入' });
    stats = (await api.get('/v1/statistics', 'supervisor')).json<Stats>();
  });
  afterAll(() => api?.close());

  const stepOf = (clock: string) => stats.steps.find((s) => s.clock === clock);

  it('does not count a step stopped by withdrawal, merge or cancellation as done, on time or late', () => {
    // acceptance: five started; four accepted in time; R1's was stopped by the withdrawal.
    expect(stepOf('acceptance')).toMatchObject({ started: 5, completed: 4, onTime: 4 });
    // assignment: four started (R2–R5); R3, R4, R5 assigned; R2's stopped by the merge.
    expect(stepOf('assignment')).toMatchObject({ started: 4, completed: 3, onTime: 3 });
    // verification, from acceptance (v4): R2–R5 started; R3 and R4 done; R2's stopped by the
    // merge, R5's by the cancellation.
    expect(stepOf('verification')).toMatchObject({ started: 4, completed: 2, onTime: 2 });
    // feedback: five started at intake; only R3 answered; R1, R2, R5 stopped, R4 still running.
    expect(stepOf('feedback')).toMatchObject({ started: 5, completed: 1, onTime: 1 });
  });

  it('counts the feedback clock for the unit that held the report when it was done', () => {
    // Unit A: R3's 签收 (by starting verification), verification and feedback; its cancelled R5
    // counts for nothing.
    expect(stats.units.find((u) => u.unitId === 'unit-a')).toMatchObject({ completed: 3, onTime: 3 });
    // Unit B: R4's 签收 and verification; its feedback still runs.
    expect(stats.units.find((u) => u.unitId === 'unit-b')).toMatchObject({ completed: 2, onTime: 2 });
  });

  it('records 挂牌督办 of a major hazard in the escalations and counts it per rung', () => {
    expect(stats.escalationsByRung).toEqual({ listed_supervision: 1 });
  });
});
