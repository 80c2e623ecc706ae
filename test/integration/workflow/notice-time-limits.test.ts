import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '../../../domain/report/report-view.js';
import type { ClockName } from '../../../domain/vocabulary.js';
import { clockOutbox, expectFirings, firingsOf, plus, settled, skipTo } from '../../support/clock-events.js';
import { acceptAndAssign } from '../../support/lifecycles.js';
import { createReportEnv, DAY, HOUR, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * The district notice (关于进一步加强安全生产举报受理处置工作的通知, 四（二）), as the default policy
 * (district-default v7) holds it: 紧急类 investigated and answered within 24 hours, 一般类 within 7
 * working days, 事故类 verified at once. Where rectification runs longer, an interim reply
 * (阶段性答复) answers in time, and the final reply follows the rectification.
 */
const { dispatcher, handlerA, admin } = people;
const deadlines = (v: ReportView, clock: ClockName) => v.deadlines.filter((d) => d.clock === clock);
const deadline = (v: ReportView, clock: ClockName) => deadlines(v, clock).at(-1)!;

describe('the notice’s time limits, from intake', () => {
  // Monday 2026-11-23 09:30 Beijing time.
  const MONDAY = '2026-11-23T01:30:00.000Z';
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY });
  });
  afterAll(() => t?.close());
  const cancel = (h: ReportHandle) => t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });

  it('紧急类: answered within 24 hours of intake, or the feedback clock is missed and urged at 24 hours', async () => {
    const h = await t.start({ receivedAt: MONDAY, urgencyHint: 'emergency' });
    let v = await acceptAndAssign(t, h, { urgency: 'emergency' });
    const due = plus(MONDAY, 24 * HOUR);
    expect(deadline(v, 'feedback')).toMatchObject({
      startedAt: MONDAY,
      dueAt: due,
      warnAt: plus(MONDAY, 12 * HOUR), // half-way: the step is shorter than the 24 h warning
      provenance: { policyId: 'district-default', policyVersion: 7, rule: '24 hours (emergency)' },
    });
    // Investigated within the same 24 hours (the verification clock of an emergency).
    expect(
      Date.parse(deadline(v, 'verification').dueAt) - Date.parse(deadline(v, 'verification').startedAt),
    ).toBe(24 * HOUR);
    await skipTo(t, plus(due, HOUR));
    v = await settled(t, h, (x) => deadline(x, 'feedback').rungsFired === 1);
    expectFirings(v, 'feedback', [
      ['deadline_warning', undefined, plus(MONDAY, 12 * HOUR)],
      ['deadline_missed', undefined, due],
      ['escalated', 'urge', due],
    ]);
    await cancel(h);
  });

  it('a report the dispatcher finds an emergency answers within 24 hours of intake, not 7 working days', async () => {
    const receivedAt = (await t.now()).toISOString();
    const h = await t.start({ receivedAt, urgencyHint: 'general' });
    expect(deadline(await t.view(h), 'feedback').provenance.rule).toBe('7 working days (general)');
    const v = await t.step(h, 'acceptReport', {
      actor: dispatcher,
      urgency: 'emergency',
      category: 'production_safety',
      domain: 'gas',
    });
    // The first deadline is superseded — neither on time nor late — and a new one runs from intake.
    expect(deadlines(v, 'feedback').map((d) => [d.occurrence, d.status, d.endedHow, d.onTime])).toEqual([
      [1, 'done', 'superseded', undefined],
      [2, 'running', undefined, undefined],
    ]);
    expect(deadline(v, 'feedback')).toMatchObject({
      startedAt: new Date(receivedAt).toISOString(),
      dueAt: plus(receivedAt, 24 * HOUR),
      provenance: { rule: '24 hours (emergency)' },
    });
    await cancel(h);
  });

  it('阶段性答复: an interim reply in time stops the feedback ladder; the final reply follows the rectification', async () => {
    const receivedAt = (await t.now()).toISOString();
    const h = await t.start({ receivedAt });
    await acceptAndAssign(t, h);
    await t.step(h, 'startVerification', { actor: handlerA });
    let v = await t.step(h, 'submitVerification', {
      actor: handlerA,
      outcome: 'substantiated',
      findings: '仓库内违规存放电池属实',
      hazardsFound: 1,
      majorHazard: false,
    });
    const rectificationDue = plus(v.timeline.at(-1)!.at, 30 * DAY);
    await t.step(h, 'orderRectification', {
      actor: handlerA,
      measures: ['order_rectification'],
      dueAt: rectificationDue,
    });
    v = await t.step(h, 'giveInterimReply', { actor: handlerA, summary: '经核查属实，已责令限期整改' });
    expect(v.stage.name).toBe('rectifying');
    expect(deadline(v, 'feedback')).toMatchObject({ status: 'done', endedHow: 'done', onTime: true });
    expect(v.feedback).toEqual([
      expect.objectContaining({ interim: true, summary: '经核查属实，已责令限期整改' }),
    ]);
    const reply = (await t.outbox(h.workflowId)).find((n) => n.kind === 'interim_reply');
    expect(reply).toMatchObject({
      recipient: { kind: 'reporter', via: 'channel' },
      payload: { finding: 'substantiated', rectificationDueAt: rectificationDue },
    });
    // A second interim reply has nothing to answer.
    await expect(
      t.step(h, 'giveInterimReply', { actor: handlerA, summary: '再次答复' }),
    ).rejects.toMatchObject({
      cause: { type: 'wrong_stage', message: expect.stringMatching(/answered already/) },
    });

    // Past the 7 working days: nothing fires on the feedback clock.
    await skipTo(t, plus(deadline(v, 'feedback').dueAt, 3 * DAY));
    v = await settled(t, h);
    expect(firingsOf(v, 'feedback')).toEqual([]);
    expect(await clockOutbox(t, h, 'feedback')).toEqual([]);

    await t.step(h, 'reportRectification', { actor: handlerA, summary: '已清理' });
    v = await t.step(h, 'giveFeedback', { actor: handlerA, summary: '已整改完毕' });
    expect(v.stage).toEqual({ name: 'feedback_given', unitId: 'unit-a' });
    expect(v.feedback.map((f) => f.interim ?? false)).toEqual([true, false]);
    await cancel(h);
  });
});

describe('the notice’s 7 working days across National Day 2026', () => {
  // Monday 2026-09-28 09:30 Beijing time: 10-01 to 10-07 are off, Saturday 10-10 is a workday.
  const BEFORE_NATIONAL_DAY = '2026-09-28T01:30:00.000Z';
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: BEFORE_NATIONAL_DAY });
  });
  afterAll(() => t?.close());

  it('一般类: due at the end of the 7th working day (10-13), and missed then, not during the holiday', async () => {
    const h = await t.start();
    let v = await t.view(h);
    const due = '2026-10-13T15:59:59.999Z';
    expect(deadline(v, 'feedback')).toMatchObject({
      dueAt: due,
      provenance: { policyId: 'district-default', rule: '7 working days (general)' },
    });
    await skipTo(t, '2026-10-13T12:00:00.000Z');
    v = await settled(t, h);
    expect(firingsOf(v, 'feedback').map(([type]) => type)).toEqual(['deadline_warning']);
    await skipTo(t, '2026-10-14T02:00:00.000Z');
    v = await settled(t, h, (x) => deadline(x, 'feedback').overdue);
    expect(firingsOf(v, 'feedback').map(([type, , at]) => [type, at >= due])).toEqual([
      ['deadline_warning', false],
      ['deadline_missed', true],
      ['escalated', true],
    ]);
    await t.step(h, 'cancelReport', { actor: admin, reason: '测试结束' });
  });
});
