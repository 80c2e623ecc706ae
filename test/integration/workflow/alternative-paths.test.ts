import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import { FIVE_POINTS, stepEvents } from '../../support/machine-fixtures.js';
import { createReportEnv, DAY, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';
import { driveTo, finishedResult, refusalOf } from '../../support/workflow-steps.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week, no holiday in sight.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';
const { dispatcher, handlerA, reviewer } = people;

describe('the report workflow off the main line', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  const outboxOf = async (h: ReportHandle) =>
    (await t.outbox(h.workflowId)).map((n) => [n.kind, n.recipient]);
  const deadlinesOf = (v: ReportView) => v.deadlines.map((d) => [d.clock, d.occurrence, d.status]);
  const rowOf = async (h: ReportHandle) =>
    (
      await t.sql`select stage, unit_id, closed_at, last_sequence from reports where report_id = ${h.workflowId}`
    )[0];
  const toUnitA = { kind: 'unit', unitId: 'unit-a' };
  const toUnitB = { kind: 'unit', unitId: 'unit-b' };
  const toReporter = { kind: 'reporter', via: 'channel' };

  it('不予受理: a report rejected at acceptance ends rejected, and the reporter is told why', async () => {
    const h = await t.start();
    const v = await t.step(h, 'rejectReport', { actor: dispatcher, reason: '不属于安全生产领域' });
    expect(v.stage).toEqual({ name: 'rejected', reason: '不属于安全生产领域' });
    expect(stepEvents(v)).toEqual(['received', 'rejected']);
    expect(v.deadlines.map((d) => d.status)).toEqual(['done', 'done']);
    expect(await finishedResult(t, h)).toEqual({ stage: { name: 'rejected', reason: '不属于安全生产领域' } });
    expect(await outboxOf(h)).toEqual([['rejection_notice', toReporter]]);
    expect(await rowOf(h)).toMatchObject({ stage: 'rejected', closed_at: new Date(v.closedAt!) });
  });

  it('退回: a returned report goes to another unit, never back to the one that returned it', async () => {
    const h = await t.start();
    await driveTo(t, h, 'assigned');
    let v = await t.step(h, 'returnAssignment', { actor: handlerA, reason: '不在本街道辖区' });
    expect(v.stage).toEqual({ name: 'returned', fromUnitId: 'unit-a', reason: '不在本街道辖区' });
    const back = t.step(h, 'assignReport', { actor: dispatcher, unitId: 'unit-a', routing: 'manual' });
    expect(await refusalOf(back)).toBe('not_allowed');

    v = await t.step(h, 'assignReport', { actor: dispatcher, unitId: 'unit-b', routing: 'manual' });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    expect(v.assignments.map((a) => [a.unitId, a.ended?.how])).toEqual([
      ['unit-a', 'returned'],
      ['unit-b', undefined],
    ]);
    expect(stepEvents(v)).toEqual([
      'received',
      'accepted',
      'assigned',
      'returned',
      'return_approved',
      'reassigned',
    ]);
    // Verification runs from acceptance (v4): the report's clock runs on; unit B has its own.
    expect(deadlinesOf(v).filter(([c]) => String(c).endsWith('verification'))).toEqual([
      ['verification', 1, 'running'],
      ['unit_verification', 1, 'running'],
    ]);
    expect(v.assignments[0]!.ended?.review).toBe('approved');
    expect(await outboxOf(h)).toEqual([
      ['acceptance_notice', { kind: 'reporter', via: 'channel' }],
      ['assignment_notice', toUnitA],
      ['returned_notice', { kind: 'dispatch_centre' }],
      ['assignment_notice', toUnitB],
    ]);
    expect(await rowOf(h)).toMatchObject({ stage: 'assigned', unit_id: 'unit-b' });
  });

  it('派单异议 reassigned: misrouting is recorded and the first unit’s verification clock stops', async () => {
    const h = await t.start();
    await driveTo(t, h, 'verifying');
    let v = await t.step(h, 'disputeAssignment', { actor: handlerA, reason: '应由区消防支队办理' });
    expect(v.stage).toMatchObject({ name: 'disputed', unitId: 'unit-a', resumeTo: 'verifying' });
    expect(v.deadlines.find((d) => d.clock === 'verification')?.status).toBe('paused');

    v = await t.step(h, 'resolveDispute', { actor: dispatcher, decision: 'reassigned', unitId: 'unit-b' });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    const resolvedAt = v.timeline.find((e) => e.type === 'dispute_resolved')!.at;
    expect(v.assignments[0]!.ended).toEqual({ at: resolvedAt, how: 'reassigned_after_dispute' });
    expect(v.disputes).toMatchObject([
      { unitId: 'unit-a', resolution: { decision: 'reassigned', by: dispatcher.id, at: resolvedAt } },
    ]);
    // The report's clock (from acceptance) runs on, no longer paused; unit B has its own.
    expect(deadlinesOf(v).filter(([c]) => String(c).endsWith('verification'))).toEqual([
      ['verification', 1, 'running'],
      ['unit_verification', 1, 'running'],
    ]);
    expect(stepEvents(v).slice(-3)).toEqual(['disputed', 'dispute_resolved', 'reassigned']);
    expect(await outboxOf(h)).toEqual([
      ['acceptance_notice', { kind: 'reporter', via: 'channel' }],
      ['assignment_notice', toUnitA],
      ['dispute_notice', { kind: 'dispatch_centre' }],
      ['assignment_notice', toUnitB],
    ]);
  });

  it('派单异议 upheld: the report goes back to its stage and the clock resumes, shifted by the dispute', async () => {
    const h = await t.start();
    await driveTo(t, h, 'assigned');
    await t.step(h, 'disputeAssignment', { actor: handlerA, reason: '非本单位职责' });
    await t.skip(2 * HOUR);
    const v = await t.step(h, 'resolveDispute', { actor: dispatcher, decision: 'assignment_upheld' });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(v.disputes[0]!.resolution?.decision).toBe('assignment_upheld');
    const at = (type: string) => Date.parse(v.timeline.find((e) => e.type === type)!.at);
    const verification = v.deadlines.find((d) => d.clock === 'verification')!;
    expect(verification.status).toBe('running');
    expect(verification.pausedMs).toBe(at('dispute_resolved') - at('disputed'));
    expect(verification.pausedMs).toBeGreaterThanOrEqual(2 * HOUR);
    expect(Date.parse(verification.dueAt) - Date.parse(verification.fixedDueAt)).toBe(verification.pausedMs);
    expect(stepEvents(v).slice(-2)).toEqual(['disputed', 'dispute_resolved']);
    expect(v.assignments[0]!.ended).toBeUndefined();
  });

  it('重大事故隐患: listed supervision at once, five fixed points, review before write-off', async () => {
    const h = await t.start();
    await driveTo(t, h, 'verifying');
    let v = await t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'substantiated',
      findings: '仓库违规储存危化品',
      hazardsFound: 1,
      majorHazard: true,
    });
    const verifiedAt = v.timeline.find((e) => e.type === 'verified')!.at;
    expect(v.escalations).toEqual([
      { clock: 'rectification', occurrence: 0, rung: 'listed_supervision', at: verifiedAt, unitId: 'unit-a' },
    ]);
    expect(stepEvents(v).slice(-2)).toEqual(['verified', 'listed_supervision']);
    expect(await outboxOf(h)).toContainEqual(['listed_supervision', { kind: 'supervisors' }]);

    // Deadlines and their 督办 rungs stay within 2026: the work calendar covers 2025 and 2026 only.
    const dueAt = new Date(Date.parse(verifiedAt) + 14 * DAY).toISOString();
    const order = { actor: handlerA, measures: ['suspension' as const], dueAt };
    expect(await refusalOf(t.step(h, 'orderRectification', order))).toBe('invalid_input');
    await t.step(h, 'orderRectification', { ...order, fivePoints: FIVE_POINTS });
    v = await t.step(h, 'reportRectification', { actor: handlerA, summary: '已停产整改' });
    expect(v.stage).toEqual({ name: 'rectification_reported', unitId: 'unit-a' });

    const newDueAt = new Date(Date.parse(dueAt) + 10 * DAY).toISOString();
    v = await t.step(h, 'reviewRectification', {
      actor: reviewer,
      approved: false,
      comment: '未落实',
      newDueAt,
    });
    expect(v.stage).toEqual({ name: 'rectifying', unitId: 'unit-a', dueAt: newDueAt });
    const rectification = v.deadlines.filter((d) => d.clock === 'rectification');
    expect(rectification.map((d) => [d.occurrence, d.status, d.dueAt])).toEqual([
      [1, 'done', dueAt],
      [2, 'running', newDueAt],
    ]);
    await t.step(h, 'reportRectification', { actor: handlerA, summary: '已全部整改到位' });
    v = await t.step(h, 'reviewRectification', { actor: reviewer, approved: true, comment: '同意销号' });
    expect(v.stage).toEqual({ name: 'awaiting_feedback', unitId: 'unit-a' });
    v = await t.step(h, 'giveFeedback', { actor: handlerA, summary: '重大隐患已整改销号' });
    expect(v.stage).toEqual({ name: 'feedback_given', unitId: 'unit-a' });
    expect(v.rectification?.reviews.map((r) => r.approved)).toEqual([false, true]);
    expect(stepEvents(v).slice(-7)).toEqual([
      'listed_supervision',
      'rectification_ordered',
      'rectification_reported',
      'review_rejected',
      'rectification_reported',
      'written_off',
      'feedback_given',
    ]);
    expect((await outboxOf(h)).map(([kind]) => kind)).toEqual([
      'acceptance_notice',
      'assignment_notice',
      'listed_supervision',
      'review_requested',
      'review_rejected',
      'review_requested',
      'feedback_to_reporter',
    ]);
    expect(await rowOf(h)).toMatchObject({ stage: 'feedback_given' });
    expect(v.majorHazard).toBe(true);
  });

  // Last in this file: it moves the shared server clock a day on.
  it('派单异议 after disputeWindowHours is refused as out_of_window, and the assignment stands', async () => {
    const h = await t.start();
    await driveTo(t, h, 'assigned');
    // Signed for (签收), so that no clock of the assignment fires while the window closes.
    const assigned = await t.step(h, 'acknowledgeAssignment', { actor: handlerA });
    await t.skip(25 * HOUR); // the default policy's window is 24 hours
    const late = t.step(h, 'disputeAssignment', { actor: handlerA, reason: '非本单位职责' });
    expect(await refusalOf(late)).toBe('out_of_window');
    const v = await t.view(h);
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(v.timeline).toEqual(assigned.timeline);
    expect(v.disputes).toEqual([]);
  });
});
