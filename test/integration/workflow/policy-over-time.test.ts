import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../domain/policy.js';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { importCalendarYear } from '../../../infra/calendar-store.js';
import { expectFirings, plus, settled, skipTo } from '../../support/clock-events.js';
import {
  deployablePolicies,
  TEST_NOTICE_2027,
  withVerificationWithin,
} from '../../support/deployable-policies.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';
import { refusalOf } from '../../support/workflow-steps.js';

/**
 * Policy and calendar over time (issue 17), on the time-skipping server: an open report adopts a
 * newer policy version, or recomputes after next year's holiday notice is imported; its running
 * deadlines move from their recorded starts, with both provenances on the timeline and a row in
 * the audit table; steps already done keep theirs; the supervision timers follow the new instants.
 */
const { handlerA, admin } = people;
const clockOf = (v: ReportView, clock: ClockName) => v.clocks.findLast((c) => c.schedule.clock === clock)!;
const recomputed = (v: ReportView) =>
  v.timeline
    .filter((e) => e.type === 'deadline_recomputed')
    .map((e) => [e.data?.clock, e.data?.from, e.data?.to] as const);

describe('adopting a newer policy version (B2)', () => {
  let t: ReportEnv;
  let policies: Awaited<ReturnType<typeof deployablePolicies>>;
  beforeAll(async () => {
    policies = await deployablePolicies();
    // Monday 23 November 2026, 09:30 in Shanghai.
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z', policies: policies.registry });
  });
  afterAll(async () => {
    await t?.close();
    await policies?.remove();
  });

  /** District-default v8 as a district might publish it: 核查 within 3 working days instead of 7. */
  const v8 = (): Policy => withVerificationWithin(policies.registry.get('district-default', 7), 3);
  const verifying = async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    return { h, v: await t.step(h, 'startVerification', { actor: handlerA }) };
  };
  const adopt = (h: ReportHandle, changeId: string, version = 8) =>
    t.step(h, 'adoptPolicy', {
      actor: admin,
      policyId: 'district-default',
      policyVersion: version,
      reason: '区应急管理局通知：一般隐患核查时限缩短为3个工作日',
      changeId,
    });

  let early: { h: ReportHandle; before: ReportView; after: ReportView };
  let late: { h: ReportHandle; before: ReportView };

  it('moves the running verification deadline from its recorded start; the done acceptance stays', async () => {
    const first = await verifying();
    const second = await verifying();
    expect(clockOf(first.v, 'verification').schedule).toMatchObject({
      // 7 working days after Monday 23 November: the end of Wednesday 2 December.
      dueAt: '2026-12-02T15:59:59.999Z',
      provenance: { policyVersion: 7, rule: '7 working days' },
    });
    // An unknown version is refused and changes nothing.
    await expect(adopt(first.h, 'change-unknown', 99)).rejects.toThrow();
    expect((await t.view(first.h)).policy).toEqual({ id: 'district-default', version: 7 });

    await policies.deploy(v8());
    const after = await adopt(first.h, 'change-1');
    expect(after.policy).toEqual({ id: 'district-default', version: 8 });
    expect(after.timeline.find((e) => e.type === 'policy_adopted')?.data).toMatchObject({
      id: 'district-default',
      version: 8,
      from: { id: 'district-default', version: 7 },
      changeId: 'change-1',
    });
    const verification = clockOf(after, 'verification');
    // 3 working days after Monday 23 November: the end of Thursday 26 November.
    expect(verification.schedule).toMatchObject({
      startedAt: clockOf(first.v, 'verification').schedule.startedAt,
      dueAt: '2026-11-26T15:59:59.999Z',
      provenance: { policyVersion: 8, rule: '3 working days' },
    });
    const event = after.timeline.find(
      (e) => e.type === 'deadline_recomputed' && e.data?.clock === 'verification',
    );
    expect(event?.data).toMatchObject({
      from: '2026-12-02T15:59:59.999Z',
      to: '2026-11-26T15:59:59.999Z',
      fromProvenance: { policyVersion: 7 },
      toProvenance: { policyVersion: 8 },
      changeId: 'change-1',
    });
    // Done before the adoption: untouched, and not recorded as recomputed.
    expect(clockOf(after, 'acceptance')).toEqual(clockOf(first.v, 'acceptance'));
    expect(recomputed(after).map(([clock]) => clock)).not.toContain('acceptance');
    // The feedback limit is the same under v8: the deadline stays, its provenance names v8.
    expect(recomputed(after)).toContainEqual([
      'feedback',
      clockOf(first.v, 'feedback').schedule.dueAt,
      clockOf(first.v, 'feedback').schedule.dueAt,
    ]);
    early = { h: first.h, before: first.v, after };
    late = { h: second.h, before: second.v };
  });

  it('the audit table and the read model hold the move', async () => {
    await settled(t, early.h);
    const moves = await t.sql<{ clock: string; change_id: string; from_due_at: Date; to_due_at: Date }[]>`
      select clock, change_id, from_due_at, to_due_at from deadline_moves
      where report_id = ${early.h.workflowId} order by sequence`;
    expect(
      moves.map((m) => [m.clock, m.change_id, m.from_due_at.toISOString(), m.to_due_at.toISOString()]),
    ).toEqual(recomputed(early.after).map(([clock, from, to]) => [clock, 'change-1', from, to]));
    const [clock] = await t.sql<{ due_at: Date }[]>`
      select due_at from report_clocks where report_id = ${early.h.workflowId} and clock = 'verification'`;
    expect(clock?.due_at.toISOString()).toBe('2026-11-26T15:59:59.999Z');
  });

  it('the new deadline warns, is missed and climbs at its own instants', async () => {
    const schedule = clockOf(early.after, 'verification').schedule;
    await skipTo(t, plus(schedule.dueAt, HOUR));
    const v = await settled(t, early.h, (x) => clockOf(x, 'verification').overdue);
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, schedule.warnAt],
      ['deadline_missed', undefined, schedule.dueAt],
      ['escalated', 'urge', schedule.rungs[0]!.at],
    ]);
  });

  it('a deadline the adoption puts in the past fires at once, warning first', async () => {
    // Friday 27 November: past v8's deadline for a start on Monday, well before v7's.
    expect(clockOf(late.before, 'verification').overdue).toBe(false);
    const now = (await t.now()).toISOString();
    const after = await adopt(late.h, 'change-2');
    const v = await settled(t, late.h, (x) => clockOf(x, 'verification').overdue);
    expect(clockOf(after, 'verification').schedule.dueAt).toBe('2026-11-26T15:59:59.999Z');
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, now],
      ['deadline_missed', undefined, now],
      ['escalated', 'urge', now],
    ]);
  });

  it('a report already under the version is refused before history', async () => {
    expect(await refusalOf(adopt(early.h, 'change-3'))).toBe('wrong_stage');
  });

  it('a closed report adopts nothing: its workflow has ended', async () => {
    const { h } = await verifying();
    await t.step(h, 'cancelReport', { actor: admin, reason: '重复录入' });
    await expect(adopt(h, 'change-4')).rejects.toThrow();
    expect((await t.view(h)).policy.version).toBe(8);
  });
});

describe('next year’s holiday notice reaching open reports (B4)', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    // Monday 28 December 2026, 09:00 in Shanghai: 2027 has no notice yet.
    t = await createReportEnv({ startTime: '2026-12-28T01:00:00Z' });
  });
  afterAll(() => t?.close());

  it('a deadline straddling New Year moves when the notice is imported, and fires at its new instant', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    const before = await t.step(h, 'startVerification', { actor: handlerA });
    const verification = clockOf(before, 'verification');
    // 29, 30, 31 December, then 1 January is 元旦 by the law (provisional), so 4–7 January.
    expect(verification.schedule.dueAt).toBe('2027-01-07T15:59:59.999Z');
    expect(verification.schedule.provenance.calendarProvisional).toMatch(/^cn-2027\.statutory-2025/);
    await settled(t, h);
    const uncertain = await t.sql<{ clock: string }[]>`
      select clock from report_clocks where report_id = ${h.workflowId} and uncertain_days and stopped_at is null
      order by clock`;
    expect(uncertain.map((r) => r.clock)).toEqual(['feedback', 'verification']);

    // A notice made up for the test (not the real one): 元旦 1–4 January, Monday 4 January a
    // bridging day off, and Saturday 9 January the make-up working day (调休). The count now skips
    // Monday 4 January too: 5–8 January.
    const imported = await importCalendarYear(t.sql, 2027, TEST_NOTICE_2027, admin.id);
    expect(imported).toMatchObject({ created: true, year: { version: 'cn-2027.1' } });
    const after = await t.step(h, 'recomputeDeadlines', {
      actor: admin,
      calendarVersion: 'cn-2027.1',
      reason: '导入2027年节假日安排',
      changeId: 'calendar-2027-1',
    });
    const moved = clockOf(after, 'verification').schedule;
    expect(moved.dueAt).toBe('2027-01-08T15:59:59.999Z');
    expect(moved.provenance.calendarVersion).toBe('cn-2025.1+cn-2026.1+cn-2027.1');
    expect(moved.provenance.calendarProvisional).toBeUndefined();
    expect(recomputed(after)).toEqual(
      expect.arrayContaining([
        ['verification', '2027-01-07T15:59:59.999Z', '2027-01-08T15:59:59.999Z'],
        ['feedback', '2027-01-07T15:59:59.999Z', '2027-01-08T15:59:59.999Z'],
      ]),
    );
    const event = after.timeline.find(
      (e) => e.type === 'deadline_recomputed' && e.data?.clock === 'verification',
    );
    expect(event?.data).toMatchObject({
      fromProvenance: { calendarVersion: 'cn-2025.1+cn-2026.1' },
      toProvenance: { calendarVersion: 'cn-2025.1+cn-2026.1+cn-2027.1' },
    });
    // Done before the import: untouched.
    expect(clockOf(after, 'acceptance')).toEqual(clockOf(before, 'acceptance'));
    await settled(t, h);
    expect(
      await t.sql`select 1 from report_clocks where report_id = ${h.workflowId} and uncertain_days and stopped_at is null`,
    ).toHaveLength(0);

    // Nothing fires on 7 January; the moved deadline is missed at the end of 8 January.
    await skipTo(t, plus(moved.dueAt, HOUR));
    const v = await settled(t, h, (x) => clockOf(x, 'verification').overdue);
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, moved.warnAt],
      ['deadline_missed', undefined, moved.dueAt],
      ['escalated', 'urge', moved.rungs[0]!.at],
    ]);
  });

  it('a calendar version no database holds fails the step and changes nothing', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    const before = await t.view(h);
    await expect(
      t.step(h, 'recomputeDeadlines', {
        actor: admin,
        calendarVersion: 'cn-2028.1',
        reason: '导入2028年节假日安排',
        changeId: 'calendar-2028-1',
      }),
    ).rejects.toThrow();
    expect((await t.view(h)).clocks).toEqual(before.clocks);
  });
});
