import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPath } from '../../../infra/project-paths.js';
import {
  anIntakeBody,
  createApiEnv,
  handleToRewardThroughApi,
  reportUrl,
  type ApiEnv,
} from '../../support/api-env.js';
import { NOT_EXCLUDED } from '../../support/reports.js';
import { HOUR } from '../../support/report-env.js';

/**
 * What-if on recorded facts, against a hand count. Three ordinary reports accepted on Monday
 * 2026-11-23 09:30 run under district-default v7 (核查 within 7 working days, from acceptance: due
 * at the end of Wednesday 12-02). Unit A verifies R1 on Wednesday 11-25 (day 2), R2 on Monday 11-30
 * (day 5) and R3 on Friday 12-04 (day 9, late).
 *
 * - 3 working days (due Thursday 11-26): R1 on time, R2 late — one breach appears; R3 late still.
 * - 10 working days (due Monday 12-07): all on time — R3's breach disappears.
 */
const v7 = JSON.parse(readFileSync(projectPath('policies', 'district-default.v7.json'), 'utf8')) as {
  clocks: { verification: { due: { general: unknown } } };
};
const proposal = (workingDays: number) => ({
  ...v7,
  id: 'district-proposed',
  version: 1,
  clocks: {
    ...v7.clocks,
    verification: {
      ...v7.clocks.verification,
      due: { ...v7.clocks.verification.due, general: { workingDays } },
    },
  },
});
const PERIOD = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
type Row = {
  clock: string;
  unitId: string | null;
  completed: number;
  onTimeBefore: number;
  onTimeAfter: number;
  breachesAppear: number;
  breachesDisappear: number;
};

describe('what-if: a proposed policy over recorded reports', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv();
    const step = async (id: string, path: string, as: string, body?: unknown) =>
      expect((await api.post(reportUrl(id, path), as, body)).statusCode, path).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id } = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>();
      await step(id, 'accept-report', 'dispatcher', {
        urgency: 'general',
        category: 'fire',
        domain: 'e_bikes',
      });
      await step(id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
      ids.push(id);
    }
    const verify = async (id: string) => {
      await step(id, 'start-verification', 'handler:unit-a');
      await step(id, 'submit-verification', 'handler:unit-a', {
        outcome: 'unsubstantiated',
        findings: '现场未见隐患',
        hazardsFound: 0,
        majorHazard: false,
      });
    };
    await api.t.skip(2 * 24 * HOUR); // Wednesday 11-25
    await verify(ids[0]!);
    await api.t.skip(5 * 24 * HOUR); // Monday 11-30
    await verify(ids[1]!);
    await api.t.skip(4 * 24 * HOUR); // Friday 12-04
    await verify(ids[2]!);
    // The read model has every report's finished verification clock.
    await vi.waitFor(
      async () =>
        expect(
          (await api.t.sql`select 1 from report_clocks where clock = 'verification' and ended_how = 'done'`)
            .length,
        ).toBe(3),
      { timeout: 20_000, interval: 100 },
    );
  });
  afterAll(() => api?.close());

  const whatIf = async (workingDays: number) => {
    const res = await api.post('/v1/policies/what-if', 'supervisor', {
      policy: proposal(workingDays),
      ...PERIOD,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ reports: number; byStep: Row[]; byUnit: Row[] }>();
  };
  const verificationOf = (rows: Row[]) => rows.find((r) => r.clock === 'verification');

  it('counts the breaches a shorter limit would add, step and unit alike', async () => {
    const result = await whatIf(3);
    expect(result.reports).toBe(3);
    const expected = {
      completed: 3,
      onTimeBefore: 2,
      onTimeAfter: 1,
      breachesAppear: 1,
      breachesDisappear: 0,
    };
    expect(verificationOf(result.byStep)).toEqual({ clock: 'verification', unitId: null, ...expected });
    expect(verificationOf(result.byUnit)).toEqual({ clock: 'verification', unitId: 'unit-a', ...expected });
  });

  it('counts the breaches a longer limit would remove', async () => {
    expect(verificationOf((await whatIf(10)).byStep)).toMatchObject({
      onTimeBefore: 2,
      onTimeAfter: 3,
      breachesAppear: 0,
      breachesDisappear: 1,
    });
  });

  it('changes nothing for steps whose limit is the same, and refuses a policy that does not validate', async () => {
    const same = await whatIf(7);
    expect(same.byStep.every((r) => r.breachesAppear === 0 && r.breachesDisappear === 0)).toBe(true);
    const bad = await api.post('/v1/policies/what-if', 'supervisor', {
      policy: { ...proposal(3), version: 0 },
      ...PERIOD,
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await api.post('/v1/policies/what-if', 'handler:unit-a', { policy: proposal(3), ...PERIOD }))
        .statusCode,
    ).toBe(403);
  });

  it('gives the same figures as a sheet', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/policies/what-if.xlsx',
      headers: { authorization: `Bearer ${api.keys.supervisor}`, 'content-type': 'application/json' },
      payload: { policy: proposal(3), ...PERIOD },
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows = book.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
    const verification = rows.find((r) => r[1] === '核查' && r[2] === '全部');
    expect(verification?.slice(3)).toEqual([3, 2, 1, 0.6667, 0.3333, 1, 0]);
  });
  it('lists the policy versions with their sources and the reports under each', async () => {
    const res = await api.get('/v1/policies', 'supervisor');
    expect(res.statusCode).toBe(200);
    const list = res.json<
      {
        id: string;
        version: number;
        current: boolean;
        source: string;
        reports: { total: number; open: number };
      }[]
    >();
    const v7 = list.find((p) => p.id === 'district-default' && p.version === 7)!;
    expect(v7).toMatchObject({ current: true, reports: { total: 3, open: 3 } });
    expect(v7.source).toContain('安监总财〔2018〕19号');
    expect(list.find((p) => p.id === 'district-default' && p.version === 6)).toMatchObject({
      current: false,
      reports: { total: 0, open: 0 },
    });
  });
});

describe('what-if: rewards under another rule', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv();
    // One report rewarded on a fine of ¥100,000: 15 % under the national rule is ¥15,000.
    const body = anIntakeBody();
    const { id, claimCode } = (await api.post('/v1/reports', 'intake', body)).json<{
      id: string;
      claimCode: string;
    }>();
    await handleToRewardThroughApi(api, id, claimCode, { fineFen: 10_000_000 });
    const proposed = await api.post(reportUrl(id, 'propose-reward'), 'reward_proposer', {
      basis: { kind: 'fine', fineFen: 10_000_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(proposed.statusCode, proposed.body).toBe(200);
    await vi.waitFor(
      async () =>
        expect((await api.t.sql`select 1 from report_events where type = 'reward_proposed'`).length).toBe(1),
      { timeout: 20_000, interval: 100 },
    );
  });
  afterAll(() => api?.close());

  it('computes each recorded proposal again under the proposed rule', async () => {
    const policy = proposal(7) as unknown as { reward: { rule: { fine: Record<string, number> } } };
    const tenPercent = {
      ...policy,
      reward: {
        ...policy.reward,
        rule: { ...policy.reward.rule, fine: { ...policy.reward.rule.fine, rateBasisPoints: 1000 } },
      },
    };
    const res = await api.post('/v1/policies/what-if', 'supervisor', { policy: tenPercent, ...PERIOD });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ rewards: unknown }>().rewards).toEqual({
      compared: 1,
      changed: 1,
      beforeFen: 1_500_000,
      afterFen: 1_000_000,
    });
  });
});
