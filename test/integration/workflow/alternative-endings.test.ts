import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepEvents } from '../../support/machine-fixtures.js';
import { createReportEnv, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';
import { driveTo, finishedResult, refusalOf } from '../../support/workflow-steps.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week, no holiday in sight.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';
const { dispatcher, handlerA, intake, admin } = people;

describe('how a report ends other than on the main line', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  const outboxKinds = async (h: ReportHandle) => (await t.outbox(h.workflowId)).map((n) => n.kind);
  const rowOf = async (h: ReportHandle) =>
    (
      await t.sql`select stage, unit_id, accepted_at, closed_at, last_sequence from reports where report_id = ${h.workflowId}`
    )[0];

  it('重办: an unsatisfied reporter has the report reopened once; unsatisfied again, it closes', async () => {
    const h = await t.start();
    await driveTo(t, h, 'verifying');
    const handle = async () => {
      await t.step(h, 'submitVerification', {
        actor: handlerA,
        outcome: 'unsubstantiated',
        findings: '现场未发现违规充电',
        hazardsFound: 0,
        majorHazard: false,
      });
      await t.step(h, 'giveFeedback', { actor: handlerA, summary: '经核查不属实' });
      return t.step(h, 'recordSatisfaction', {
        actor: intake,
        rating: 'unsatisfied',
        resolved: false,
        comment: '夜间仍在充电',
      });
    };
    let v = await handle();
    expect(v.stage).toEqual({ name: 'verifying', unitId: 'unit-a' });
    expect(v.reopens).toBe(1);
    const reopenedAt = v.timeline.find((e) => e.type === 'reopened')!.at;
    const running = v.deadlines.filter((d) => d.status === 'running');
    expect(running.map((d) => [d.clock, d.occurrence, d.startedAt])).toEqual([
      ['verification', 2, reopenedAt],
      ['feedback', 2, reopenedAt],
    ]);

    v = await handle();
    expect(v.stage).toEqual({ name: 'closed', outcome: 'unsubstantiated' });
    expect(v.satisfaction.map((s) => [s.rating, s.comment])).toEqual([
      ['unsatisfied', '夜间仍在充电'],
      ['unsatisfied', '夜间仍在充电'],
    ]);
    expect(stepEvents(v).slice(3)).toEqual([
      'verification_started',
      'verified',
      'feedback_given',
      'satisfaction_recorded',
      'reopened',
      'verified',
      'feedback_given',
      'satisfaction_recorded',
      'closed',
    ]);
    expect(v.deadlines.every((d) => d.status === 'done')).toBe(true);
    expect(await finishedResult(t, h)).toEqual({ stage: { name: 'closed', outcome: 'unsubstantiated' } });
    expect(await outboxKinds(h)).toEqual([
      'acceptance_notice',
      'assignment_notice',
      'feedback_to_reporter',
      'reopened_notice',
      'feedback_to_reporter',
    ]);
    expect(await rowOf(h)).toMatchObject({ stage: 'closed', last_sequence: v.timeline.length });
  });

  it('撤回 after acceptance (有举必查): contact stops, verification goes on; the dispatcher closes it with a reason', async () => {
    const h = await t.start();
    await driveTo(t, h, 'assigned');
    let v = await t.step(h, 'withdrawReport', { actor: intake, reason: '已与物业协商解决' });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    expect(v.contactStopped).toEqual({ at: v.timeline.at(-1)!.at, reason: '已与物业协商解决' });
    expect(v.deadlines.map((d) => [d.clock, d.status, d.endedHow])).toEqual([
      ['acceptance', 'done', 'done'],
      ['feedback', 'done', 'stopped'],
      ['assignment', 'done', 'done'],
      ['verification', 'running', undefined],
      ['acknowledgement', 'running', undefined],
    ]);
    v = await t.step(h, 'closeWithdrawnReport', { actor: dispatcher, reason: '现场核实已整改' });
    expect(v.stage).toEqual({ name: 'withdrawn', reason: '现场核实已整改' });
    expect(stepEvents(v)).toEqual(['received', 'accepted', 'assigned', 'contact_stopped', 'withdrawn']);
    expect(v.deadlines.every((d) => d.status === 'done')).toBe(true);
    expect(v.closedAt).toBe(v.timeline.at(-1)!.at);
    expect(await finishedResult(t, h)).toEqual({ stage: v.stage });
    expect(await outboxKinds(h)).toEqual(['acceptance_notice', 'assignment_notice']);
    expect(await rowOf(h)).toMatchObject({ stage: 'withdrawn', closed_at: new Date(v.closedAt!) });
  });

  it('撤回 before acceptance: the report ends withdrawn with every clock stopped', async () => {
    const h = await t.start();
    const v = await t.step(h, 'withdrawReport', { actor: intake, reason: '已与物业协商解决' });
    expect(v.stage).toEqual({ name: 'withdrawn', reason: '已与物业协商解决' });
    expect(v.deadlines.map((d) => [d.clock, d.endedHow])).toEqual([
      ['acceptance', 'stopped'],
      ['feedback', 'stopped'],
    ]);
    expect(await finishedResult(t, h)).toEqual({ stage: v.stage });
  });

  it('重复件: a duplicate merged into another report links to it, and the survivor lists it', async () => {
    const a = await t.start();
    await driveTo(t, a, 'accepted');
    const b = await t.start({ reporter: { kind: 'named', vaultRef: 'vault:reporter:2' } });
    const bAccepted = await driveTo(t, b, 'accepted');

    const intoItself = t.step(a, 'mergeReport', { actor: dispatcher, intoReportId: a.workflowId });
    expect(await refusalOf(intoItself)).toBe('invalid_input');

    const v = await t.step(b, 'mergeReport', { actor: dispatcher, intoReportId: a.workflowId });
    expect(v.stage).toEqual({ name: 'merged', intoReportId: a.workflowId });
    expect(stepEvents(v).slice(-1)).toEqual(['merged_into']);
    expect(v.deadlines.every((d) => d.status === 'done')).toBe(true);
    expect(await finishedResult(t, b)).toEqual({ stage: { name: 'merged', intoReportId: a.workflowId } });

    // The survivor hears of it by signal, after the duplicate's step returned.
    await expect
      .poll(async () => (await t.view(a)).duplicates, { timeout: 20_000 })
      .toEqual([
        {
          reportId: b.workflowId,
          reporter: { kind: 'named', vaultRef: 'vault:reporter:2' },
          acceptedAt: bAccepted.acceptedAt,
        },
      ]);
    const survivor = await t.view(a);
    expect(survivor.stage).toEqual({ name: 'accepted' });
    expect(survivor.timeline.at(-1)).toMatchObject({
      type: 'duplicate_merged',
      data: { reportId: b.workflowId },
    });

    await expect
      .poll(async () => (await rowOf(a))?.last_sequence, { timeout: 20_000 })
      .toBe(survivor.timeline.length);
    expect(await rowOf(a)).toMatchObject({ stage: 'accepted', closed_at: null });
    expect(await rowOf(b)).toMatchObject({
      stage: 'merged',
      accepted_at: new Date(bAccepted.acceptedAt!),
      closed_at: new Date(v.closedAt!),
      last_sequence: v.timeline.length,
    });
    const [link] = await t.sql`
      select data from report_events where report_id = ${a.workflowId} and type = 'duplicate_merged'`;
    expect(link?.data).toEqual({ reportId: b.workflowId });
  });

  it('an administrator cancels a report at any open stage, with a reason, and every clock stops', async () => {
    const h = await t.start();
    await driveTo(t, h, 'rectifying');
    const v = await t.step(h, 'cancelReport', { actor: admin, reason: '同一事项重复录入，经核对作废' });
    expect(v.stage).toEqual({ name: 'cancelled', reason: '同一事项重复录入，经核对作废' });
    expect(v.timeline.at(-1)).toMatchObject({
      type: 'cancelled',
      actor: admin,
      data: { reason: '同一事项重复录入，经核对作废' },
    });
    expect(v.deadlines.every((d) => d.status === 'done')).toBe(true);
    expect(v.deadlines.map((d) => d.clock)).toContain('rectification');
    expect(await finishedResult(t, h)).toEqual({ stage: v.stage });
    expect(await rowOf(h)).toMatchObject({ stage: 'cancelled', closed_at: new Date(v.closedAt!) });
  });
});
