import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../domain/policy.js';
import { anIntakeBody, createApiEnv, reportUrl, type ApiEnv } from '../../support/api-env.js';
import {
  deployablePolicies,
  TEST_NOTICE_2027,
  withVerificationWithin,
} from '../../support/deployable-policies.js';

/**
 * Policy and calendar over time through the API (issue 17): an admin adopts a newer policy version
 * for open reports — a dry run validates and previews, the adoption cites it — and imports next
 * year's holiday notice, which reaches the reports whose deadlines were provisional. Every refusal
 * is a problem document and changes nothing; every change is audited.
 */
type Outcome = { reportId: string; moved: { clock: string; from: string; to: string }[]; unchanged: number };
type Answer = {
  changeId: string;
  dryRun: boolean;
  totals: { reports: number; moved: number; failed: number };
  reports: Outcome[];
  validation?: { schema: string; whatIf: { reports: number; byStep: { clock: string }[] } };
};
const REASON = '区应急管理局通知：一般隐患核查时限缩短为3个工作日';

async function verifyingReport(api: ApiEnv, start = true): Promise<string> {
  const receivedAt = (await api.t.now()).toISOString();
  const { id } = (await api.post('/v1/reports', 'intake', anIntakeBody({ receivedAt }))).json<{
    id: string;
  }>();
  const step = async (path: string, as: string, body?: unknown) =>
    expect((await api.post(reportUrl(id, path), as, body)).statusCode, path).toBe(200);
  await step('accept-report', 'dispatcher', { urgency: 'general', category: 'fire', domain: 'e_bikes' });
  await step('assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
  if (start) await step('start-verification', 'handler:unit-a', {});
  return id;
}
const policyOf = async (api: ApiEnv, id: string) =>
  (await api.get(reportUrl(id), 'admin')).json<{ policy: { version: number } }>().policy.version;

describe('adopting a policy version for open reports', () => {
  let api: ApiEnv;
  let policies: Awaited<ReturnType<typeof deployablePolicies>>;
  let ids: string[];
  const adopt = (body: Record<string, unknown>, as = 'admin') =>
    api.post('/v1/policies/district-default/adopt', as, { version: 8, reason: REASON, ...body });

  beforeAll(async () => {
    policies = await deployablePolicies();
    api = await createApiEnv({ policies: policies.registry });
    ids = [await verifyingReport(api), await verifyingReport(api, false)];
    const v8: Policy = withVerificationWithin(policies.registry.get('district-default', 7), 3);
    await policies.deploy(v8);
  });
  afterAll(async () => {
    await api?.close();
    await policies?.remove();
  });

  it('refuses an adoption no dry run validated, an unknown version, and any role but admin', async () => {
    const unvalidated = await adopt({});
    expect(unvalidated.statusCode).toBe(409);
    expect(unvalidated.json()).toMatchObject({ type: 'https://bihuan.dev/problems/not-validated' });
    const forged = await adopt({ validatedBy: '6f1c1a53-4d0a-4f57-9a55-7d0d6c1d1e11' });
    expect(forged.statusCode).toBe(409);
    expect((await adopt({ version: 99, dryRun: true })).statusCode).toBe(404);
    expect((await adopt({ dryRun: true }, 'supervisor')).statusCode).toBe(403);
    expect((await adopt({ dryRun: true, extra: 1 })).statusCode).toBe(400);
    for (const id of ids) expect(await policyOf(api, id)).toBe(7);
    expect(await api.t.sql`select 1 from deadline_changes`).toHaveLength(0);
  });

  let dry: Answer;
  it('a dry run validates the version and lists what would move, changing no report', async () => {
    const res = await adopt({ dryRun: true });
    expect(res.statusCode).toBe(200);
    dry = res.json<Answer>();
    expect(dry.validation).toMatchObject({ schema: 'valid', whatIf: { reports: expect.any(Number) } });
    // Both: the verification clock runs from acceptance under v7, started or not.
    expect(dry.totals).toEqual({ reports: 2, moved: 2, failed: 0 });
    const verifying = dry.reports.find((r) => r.reportId === ids[0]);
    // 7 working days from Monday 23 November (end of Wednesday 2 December) → 3 (end of Thursday 26).
    expect(verifying?.moved).toEqual([
      {
        clock: 'verification',
        occurrence: 1,
        from: '2026-12-02T15:59:59.999Z',
        to: '2026-11-26T15:59:59.999Z',
      },
    ]);
    for (const id of ids) expect(await policyOf(api, id)).toBe(7);
  });

  it('an adoption must cite a dry run of the same change', async () => {
    const other = await adopt({ validatedBy: dry.changeId, filter: { unitId: 'unit-a' } });
    expect(other.statusCode).toBe(409);
    for (const id of ids) expect(await policyOf(api, id)).toBe(7);
  });

  it('the adoption moves what the dry run listed, audited in deadline_changes and deadline_moves', async () => {
    const res = await adopt({ validatedBy: dry.changeId });
    expect(res.statusCode).toBe(200);
    const real = res.json<Answer>();
    expect(real.totals).toEqual(dry.totals);
    expect(real.reports.map((r) => r.moved)).toEqual(dry.reports.map((r) => r.moved));
    for (const id of ids) expect(await policyOf(api, id)).toBe(8);
    const [row] = await api.t.sql<
      { validated_by: string; moved: number; requested_by: string; reason: string }[]
    >`
      select validated_by, moved, requested_by, reason from deadline_changes where change_id = ${real.changeId}`;
    expect(row).toMatchObject({ validated_by: dry.changeId, moved: 2, reason: REASON });
    await expect
      .poll(
        async () =>
          (
            await api.t.sql`
            select 1 from deadline_moves where change_id = ${real.changeId} and from_due_at <> to_due_at`
          ).length,
        { timeout: 20_000 },
      )
      .toBe(2);
    const listed = (await api.get('/v1/policies', 'admin')).json<
      { version: number; reports: { open: number } }[]
    >();
    expect(listed.find((p) => p.version === 8)?.reports.open).toBeGreaterThanOrEqual(2);
    expect(listed.find((p) => p.version === 7)?.reports.open).toBe(0);
  });

  it('adopting again reaches nobody: every open report already runs the version', async () => {
    const again = (await adopt({ dryRun: true })).json<Answer>();
    expect(again.totals.reports).toBe(0);
  });
});

describe('importing next year’s holidays into a running system', () => {
  let api: ApiEnv;
  let id: string;
  const notice = TEST_NOTICE_2027;
  beforeAll(async () => {
    // Monday 28 December 2026: deadlines of 7 working days run into 2027, which has no notice yet.
    api = await createApiEnv({ startTime: '2026-12-28T01:00:00Z' });
    id = await verifyingReport(api);
  });
  afterAll(() => api?.close());

  it('refuses a malformed notice and any role but admin, storing nothing', async () => {
    const friday = await api.put('/v1/calendars/2027', 'admin', {
      ...notice,
      adjustedWorkdays: [{ date: '2027-01-08', zh: '元旦', en: "New Year's Day" }],
    });
    expect(friday.statusCode).toBe(400);
    expect(friday.json<{ detail: string }>().detail).toMatch(/2027-01-08 is not a Saturday or Sunday/);
    const wrongYear = await api.put('/v1/calendars/2028', 'admin', notice);
    expect(wrongYear.statusCode).toBe(400);
    expect((await api.put('/v1/calendars/2027', 'supervisor', notice)).statusCode).toBe(403);
    expect(await api.t.sql`select 1 from work_calendar_years`).toHaveLength(0);
  });

  it('moves the provisional deadlines of open reports, with both calendar versions', async () => {
    const res = await api.put('/v1/calendars/2027', 'admin', notice);
    expect(res.statusCode).toBe(200);
    const body = res.json<Answer & { version: string; previousVersion: string; created: boolean }>();
    expect(body).toMatchObject({
      version: 'cn-2027.1',
      previousVersion: 'cn-2027.statutory-2025',
      created: true,
    });
    expect(body.totals).toEqual({ reports: 1, moved: 2, failed: 0 });
    expect(body.reports[0]?.moved).toEqual(
      expect.arrayContaining([
        {
          clock: 'verification',
          occurrence: 1,
          from: '2027-01-07T15:59:59.999Z',
          to: '2027-01-08T15:59:59.999Z',
        },
        {
          clock: 'feedback',
          occurrence: 1,
          from: '2027-01-07T15:59:59.999Z',
          to: '2027-01-08T15:59:59.999Z',
        },
      ]),
    );
    const report = (await api.get(reportUrl(id), 'admin')).json<{
      deadlines: { clock: string; status: string; dueAt: string; provenance: { calendarVersion: string } }[];
    }>();
    expect(report.deadlines.find((d) => d.clock === 'verification' && d.status === 'running')).toMatchObject({
      dueAt: '2027-01-08T15:59:59.999Z',
      provenance: { calendarVersion: 'cn-2025.1+cn-2026.1+cn-2027.1' },
    });
    // The due board reads the moved deadline.
    const board = (
      await api.get('/v1/boards/due?asOf=2027-01-06T00:00:00Z&withinHours=96', 'supervisor')
    ).json<{ items: { reportId: string; clock: string; dueAt: string }[] }>();
    expect(board.items.filter((i) => i.reportId === id && i.clock === 'verification')).toEqual([
      expect.objectContaining({ dueAt: '2027-01-08T15:59:59.999Z' }),
    ]);
    const calendars = (await api.get('/v1/calendars', 'supervisor')).json<{
      version: string;
      years: { year: number; origin: string; version: string }[];
    }>();
    expect(calendars.version).toBe('cn-2025.1+cn-2026.1+cn-2027.1');
    expect(calendars.years).toContainEqual(
      expect.objectContaining({ year: 2027, origin: 'imported', version: 'cn-2027.1' }),
    );
  });

  it('the same notice again stores nothing and reaches nobody', async () => {
    const again = (await api.put('/v1/calendars/2027', 'admin', notice)).json<
      Answer & { created: boolean }
    >();
    expect(again).toMatchObject({ created: false, totals: { reports: 0, moved: 0, failed: 0 } });
    expect(await api.t.sql`select 1 from work_calendar_years`).toHaveLength(1);
  });
});
