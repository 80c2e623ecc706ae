import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { escalationRows, expectFirings, firingsOf, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, DAY, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

// Monday 2026-09-28 09:30 Beijing time, the week before National Day: 10-01 to 10-07 are off,
// Saturday 10-10 is an adjusted workday (调休上班). The end of a Beijing day is 15:59:59.999Z.
const BEFORE_NATIONAL_DAY = '2026-09-28T01:30:00.000Z';
const WORKING_DAYS = 'district-working-days';
const { handlerA, admin } = people;

const deadline = (v: ReportView, clock: ClockName) => v.deadlines.find((d) => d.clock === clock)!;

describe('deadlines in working days across National Day 2026 (policy district-working-days)', () => {
  let t: ReportEnv;
  /** Fed back late: verified (unsubstantiated) at once, so only its feedback clock runs. */
  let feedbackLate: ReportHandle;
  /** Verified late: assigned at once and never verified. */
  let verificationLate: ReportHandle;
  /** The same report under the default policy, 7 calendar days. */
  let calendarDays: ReportHandle;

  beforeAll(async () => {
    t = await createReportEnv({ startTime: BEFORE_NATIONAL_DAY });
    feedbackLate = await t.start({ policyId: WORKING_DAYS });
    verificationLate = await t.start({ policyId: WORKING_DAYS });
    calendarDays = await t.start({ policyId: 'district-three-day' });
    await acceptAndAssign(t, feedbackLate);
    await t.step(feedbackLate, 'startVerification', { actor: handlerA });
    await t.step(feedbackLate, 'submitVerification', {
      actor: handlerA,
      outcome: 'unsubstantiated',
      findings: '现场未发现举报所述情况',
      hazardsFound: 0,
      majorHazard: false,
    });
    await acceptAndAssign(t, verificationLate);
  });
  afterAll(() => t?.close());

  it('七个工作日反馈 skips the holiday and counts the adjusted workday: due at the end of 10-13', async () => {
    let v = await t.view(feedbackLate);
    expect(v.stage).toEqual({ name: 'awaiting_feedback', unitId: 'unit-a' });
    expect(v.policy).toEqual({ id: WORKING_DAYS, version: 2 });
    // 09-29, 09-30, (10-01…10-07 off), 10-08, 10-09, 10-10 (Saturday, 调休), 10-12, 10-13.
    const provenance = {
      policyId: WORKING_DAYS,
      policyVersion: 2,
      calendarVersion: 'cn-2025.1+cn-2026.1',
      rule: '7 working days',
      startedAt: BEFORE_NATIONAL_DAY,
    };
    expect(deadline(v, 'feedback')).toMatchObject({
      startedAt: BEFORE_NATIONAL_DAY,
      warnAt: '2026-10-12T15:59:59.999Z',
      dueAt: '2026-10-13T15:59:59.999Z',
      provenance,
    });
    const fixed = v.timeline.find((e) => e.type === 'deadline_fixed' && e.data?.clock === 'feedback');
    expect(fixed?.data).toMatchObject({ dueAt: '2026-10-13T15:59:59.999Z', provenance });
    // The 七日反馈 policy counts 7 calendar days: due on 10-05, in the middle of the holiday.
    expect(deadline(await t.view(calendarDays), 'feedback')).toMatchObject({
      dueAt: '2026-10-05T01:30:00.000Z',
      provenance: { policyId: 'district-three-day', rule: '7 calendar days' },
    });
    await t.step(calendarDays, 'cancelReport', { actor: admin, reason: '仅作对照' });

    await skipTo(t, '2026-10-12T15:00:00.000Z');
    expect(firingsOf(await settled(t, feedbackLate), 'feedback')).toEqual([]);

    await skipTo(t, '2026-10-15T00:00:00.000Z');
    v = await settled(t, feedbackLate, (x) => deadline(x, 'feedback').rungsFired === 2);
    expectFirings(v, 'feedback', [
      ['deadline_warning', undefined, '2026-10-12T15:59:59.999Z'],
      ['deadline_missed', undefined, '2026-10-13T15:59:59.999Z'],
      ['escalated', 'urge', '2026-10-13T15:59:59.999Z'],
      ['escalated', 'circular', '2026-10-14T15:59:59.999Z'],
    ]);
    expect((await escalationRows(t, feedbackLate, 'feedback')).map((r) => [r.rung, r.due_at])).toEqual([
      ['urge', new Date('2026-10-13T15:59:59.999Z')],
      ['circular', new Date('2026-10-13T15:59:59.999Z')],
    ]);
  });

  it('a rung after N working days skips the holiday and counts 10-10: 函告 10-08, 约谈 10-10, 挂牌督办 10-13', async () => {
    let v = await t.view(verificationLate);
    const d = deadline(v, 'verification');
    // Three calendar days still fall on the holiday (10-01); the ladder counts working days after it.
    expect(Date.parse(d.dueAt) - Date.parse(d.startedAt)).toBe(3 * DAY);
    expect(d.dueAt.slice(0, 10)).toBe('2026-10-01');
    const ladder = [
      ['urge', d.dueAt],
      ['circular', '2026-10-08T15:59:59.999Z'],
      ['interview', '2026-10-10T15:59:59.999Z'],
      ['listed_supervision', '2026-10-13T15:59:59.999Z'],
    ] as const;
    expect(v.clocks.find((c) => c.schedule.clock === 'verification')?.schedule.rungs).toEqual(
      ladder.map(([rung, at]) => ({ rung, at })),
    );

    await skipTo(t, '2026-10-15T00:00:00.000Z');
    v = await settled(t, verificationLate, (x) => deadline(x, 'verification').rungsFired === 4);
    expectFirings(v, 'verification', [
      ['deadline_warning', undefined, d.warnAt],
      ['deadline_missed', undefined, d.dueAt],
      ...ladder.map(([rung, at]) => ['escalated', rung, at] as const),
    ]);
    expect((await escalationRows(t, verificationLate, 'verification')).map((r) => r.rung)).toEqual(
      ladder.map(([rung]) => rung),
    );
  });
});
