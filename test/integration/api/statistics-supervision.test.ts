import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * 督办 by people and 延期 in the statistics (district-default v5), counted by hand from two reports:
 * - R1: 催办 by the dispatcher, a 督办单 answered by unit A, an interview called and held, a listing
 *   by hand then lifted.
 * - R2: an extension of unit A's verification, refused, and unit B's support answered; R3: an
 *   extension approved.
 * - R4, R5: returns refused and approved; R6: two pauses asked for (v7), one refused, one approved.
 */
interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
}
interface Assessment {
  units: {
    unitId: string;
    onTime: Rate;
    onTimeBy: Record<string, Rate>;
    extensions: { requested: number; approved: number; shortened: number; refused: number };
    returns: { approved: number; refused: number };
    threeRates: Record<string, Rate>;
  }[];
}
interface Stats {
  supervision: {
    byAction: Record<string, number>;
    noticesAnswered: number;
    interviews: { called: number; held: number };
    listingsLifted: number;
  };
  extensions: { requested: number; approved: number; shortened: number; refused: number };
  pauses: { requested: number; approved: number; refused: number };
  jointHandling: { requests: number; replies: number };
  units: { unitId: string; onTimeRate: Rate }[];
  threeRatesBy: { unit: (Record<string, Rate> & { unitId: string })[] };
}

describe('督办 by people and 延期, counted', () => {
  let api: ApiEnv;
  let stats: Stats;
  let assessment: Assessment;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    const step = async (id: string, path: string, as: string, body?: unknown) => {
      const res = await api.post(reportUrl(id, path), as, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.json<{ deadlines: { clock: string; status: string; dueAt: string }[] }>();
    };
    const assigned = async () => {
      const id = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
      await step(id, 'accept-report', 'dispatcher', {
        urgency: 'general',
        category: 'fire',
        domain: 'e_bikes',
      });
      return step(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' }).then((v) => ({
        id,
        v,
      }));
    };
    const { id: r1 } = await assigned();
    await step(r1, 'supervise-report', 'dispatcher', { action: 'urge', reason: '请加快核查' });
    await step(r1, 'supervise-report', 'dispatcher', { action: 'supervision_notice', reason: '请说明进度' });
    await step(r1, 'reply-to-supervision', 'handler:unit-a', { summary: '明日到场' });
    const called = await api.post(reportUrl(r1, 'supervise-report'), 'supervisor', {
      action: 'interview',
      reason: '多次催办未果',
    });
    const calledAt = called
      .json<{ timeline: { type: string; at: string }[] }>()
      .timeline.find((e) => e.type === 'interview_called')!.at;
    await step(r1, 'record-interview', 'supervisor', {
      heldAt: calledAt,
      attendees: ['街道分管领导'],
      notes: '要求三日内核查完毕',
    });
    await step(r1, 'supervise-report', 'supervisor', {
      action: 'listed_supervision',
      reason: '群众反映强烈',
    });
    await step(r1, 'lift-listing', 'supervisor', { reason: '已到场核查' });

    const extend = async (id: string, dueAt: string, decision: 'approved' | 'refused') => {
      const proposedDueAt = new Date(Date.parse(dueAt) + 5 * 86_400_000).toISOString();
      await step(id, 'request-extension', 'handler:unit-a', {
        clock: 'verification',
        proposedDueAt,
        reason: '需检测',
      });
      await step(id, 'decide-extension', 'dispatcher', {
        decision,
        reason: decision === 'refused' ? '时限充足' : '同意',
      });
    };
    const dueOf = (v: { deadlines: { clock: string; status: string; dueAt: string }[] }) =>
      v.deadlines.find((d) => d.clock === 'verification' && d.status === 'running')!.dueAt;
    const r2 = await assigned();
    await extend(r2.id, dueOf(r2.v), 'refused');
    const r3 = await assigned();
    await extend(r3.id, dueOf(r3.v), 'approved');
    // R4 returned by unit A and refused; R5 returned by unit A and approved (to unit B).
    const r4 = await assigned();
    await step(r4.id, 'return-assignment', 'handler:unit-a', { reason: '非本单位辖区' });
    await step(r4.id, 'refuse-return', 'dispatcher', { reason: '属本单位辖区' });
    const r5 = await assigned();
    await step(r5.id, 'return-assignment', 'handler:unit-a', { reason: '非本单位辖区' });
    await step(r5.id, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'manual' });
    // R2 also has unit B's support (协办), answered; R6 two pauses asked for: one refused, one approved.
    await step(r2.id, 'request-support', 'dispatcher', { unitIds: ['unit-b'], request: '请协助核查' });
    await step(r2.id, 'reply-to-lead', 'handler:unit-b', { summary: '已协助核查' });
    const r6 = await assigned();
    const pause = { waitingFor: 'third_party', reason: '待检测' };
    await step(r6.id, 'pause-clock', 'handler:unit-a', pause);
    await step(r6.id, 'decide-pause', 'dispatcher', { decision: 'refused', reason: '时限充足' });
    await step(r6.id, 'pause-clock', 'handler:unit-a', pause);
    await step(r6.id, 'decide-pause', 'dispatcher', { decision: 'approved', reason: '同意' });
    stats = (await api.get('/v1/statistics', 'supervisor')).json<Stats>();
    assessment = (await api.get('/v1/statistics/assessment', 'supervisor')).json<Assessment>();
  });
  afterAll(() => api?.close());

  it('counts each action by kind, the notice answered, the interview called and held, the listing lifted', () => {
    expect(stats.supervision).toEqual({
      byAction: { urge: 1, supervision_notice: 1, interview: 1, listed_supervision: 1 },
      noticesAnswered: 1,
      interviews: { called: 1, held: 1 },
      listingsLifted: 1,
    });
  });

  it('counts extensions requested and how they were decided', () => {
    expect(stats.extensions).toEqual({ requested: 2, approved: 1, shortened: 0, refused: 1 });
  });

  it('counts pauses asked for and how they were decided, and support requests answered (v7)', () => {
    expect(stats.pauses).toEqual({ requested: 2, approved: 1, refused: 1 });
    expect(stats.jointHandling).toEqual({ requests: 1, replies: 1 });
  });

  it('年度考核: per unit, as counted by hand, and reconciling with the statistics', async () => {
    const unitA = assessment.units.find((u) => u.unitId === 'unit-a')!;
    expect(unitA.extensions).toEqual({ requested: 2, approved: 1, shortened: 0, refused: 1 });
    expect(unitA.returns).toEqual({ approved: 1, refused: 1 });
    for (const unit of assessment.units) {
      const counted = stats.units.find((u) => u.unitId === unit.unitId);
      expect(unit.onTime).toMatchObject({
        numerator: counted?.onTimeRate.numerator ?? 0,
        denominator: counted?.onTimeRate.denominator ?? 0,
      });
      const three = stats.threeRatesBy.unit.find((u) => u.unitId === unit.unitId);
      for (const name of ['responseRate', 'resolutionRate', 'satisfactionRate'])
        expect([
          unit.unitId,
          name,
          unit.threeRates[name]!.numerator,
          unit.threeRates[name]!.denominator,
        ]).toEqual([unit.unitId, name, three?.[name]?.numerator ?? 0, three?.[name]?.denominator ?? 0]);
    }
    const sheet = await api.get('/v1/exports/assessment.csv', 'supervisor');
    expect(sheet.statusCode).toBe(200);
    const lines = sheet.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^承办单位,按时率（全部环节）,核查按时率/);
    expect(lines.find((l) => l.startsWith('unit-a,'))).toContain(',2,1,1,1,1,');
  });
});
