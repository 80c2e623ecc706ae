import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, HOUR, type ReportEnv } from '../../support/report-env.js';
import { people } from '../../support/reports.js';
import { refusalOf } from '../../support/workflow-steps.js';

/**
 * 派单治理 on the time-skipping server (district-default v5): the return window runs on the
 * workflow's clock; a recall moves the report and its unit-level clock.
 */
const { dispatcher, handlerA, admin } = people;

describe('退单 window and 改派', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
  });
  afterAll(() => t?.close());

  it('refuses a return 25 hours after the assignment, and changes nothing', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    await t.skip(25 * HOUR);
    const before = await t.view(h);
    expect(await refusalOf(t.step(h, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' }))).toBe(
      'out_of_window',
    );
    expect((await t.view(h)).timeline).toEqual(before.timeline);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });

  it('recall moves the report to another unit, which gets its own verification clock', async () => {
    const h = await t.start({ receivedAt: (await t.now()).toISOString() });
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    const v = await t.step(h, 'recallReport', {
      actor: dispatcher,
      unitId: 'unit-b',
      reason: '承办单位逾期未核查',
    });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    expect(v.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['recalled', 'reassigned']));
    expect(v.deadlines.filter((d) => d.status === 'running').map((d) => d.clock)).toEqual(
      expect.arrayContaining(['verification', 'unit_verification']),
    );
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
