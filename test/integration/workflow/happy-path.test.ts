import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportEnv, DAY, HOUR, type ReportEnv } from '../../support/report-env.js';
import { people, NOT_EXCLUDED } from '../../support/reports.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week, no holiday in sight.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';

describe('a substantiated report, handled in time, from intake to a paid reward', () => {
  let t: ReportEnv;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  it('closes the loop: accepted, assigned, verified, rectified, fed back, rewarded, paid, closed', async () => {
    const h = await t.start();
    let v = await t.view(h);
    expect(v.stage).toEqual({ name: 'received' });
    expect(v.deadlines.map((d) => [d.clock, d.dueAt])).toEqual([
      ['acceptance', '2026-11-23T15:59:59.999Z'], // 当日受理: end of the day, Beijing time
      ['feedback', '2026-12-02T15:59:59.999Z'], // 一般类: 7 working days from intake (Mon 11-23 → Wed 12-02)
    ]);

    v = await t.step(h, 'acceptReport', {
      actor: people.dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    expect(v.stage.name).toBe('accepted');
    v = await t.step(h, 'assignReport', { actor: people.dispatcher, unitId: 'unit-a', routing: 'rule' });
    expect(v.stage).toEqual({ name: 'assigned', unitId: 'unit-a' });
    const verification = v.deadlines.find((d) => d.clock === 'verification')!;
    // 一般类: investigated within 7 working days (the district notice), to the end of that day.
    expect(verification.provenance.rule).toBe('7 working days');
    expect(verification.dueAt).toBe('2026-12-02T15:59:59.999Z');

    await t.step(h, 'startVerification', { actor: people.handlerA });
    v = await t.step(h, 'submitVerification', {
      actor: people.handlerA,
      outcome: 'substantiated',
      findings: '楼道内充电属实',
      hazardsFound: 2,
      majorHazard: false,
      illegalActivity: true, // 违规经营: a basis of reward (an ordinary hazard alone earns none)
    });
    expect(v.stage.name).toBe('verified');
    const due = new Date(Date.parse(MONDAY_MORNING) + 10 * DAY).toISOString();
    v = await t.step(h, 'orderRectification', {
      actor: people.handlerA,
      measures: ['order_rectification', 'administrative_penalty'],
      fineFen: 5_000_000,
      penaltyDecision: { number: '浦应急罚〔2026〕18号', decidedOn: '2026-11-23' },
      dueAt: due,
    });
    expect(v.stage).toEqual({ name: 'rectifying', unitId: 'unit-a', dueAt: due });
    v = await t.step(h, 'reportRectification', {
      actor: people.handlerA,
      summary: '已清理电池并停止楼道充电',
    });
    expect(v.stage.name).toBe('awaiting_feedback');
    v = await t.step(h, 'giveFeedback', {
      actor: people.handlerA,
      summary: '经核查属实，已责令整改并处罚款',
    });
    expect(v.stage.name).toBe('feedback_given');
    v = await t.step(h, 'recordSatisfaction', { actor: people.intake, rating: 'satisfied', resolved: true });
    expect(v.stage.name).toBe('reward_pending');

    v = await t.step(h, 'proposeReward', {
      actor: people.proposer,
      basis: { kind: 'fine', fineFen: 5_000_000 },
      declaration: NOT_EXCLUDED,
    });
    expect(v.reward.proposal?.amountFen).toBe(750_000); // 15% × ¥50,000
    v = await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
    expect(v.stage).toEqual({ name: 'reward_approved', approvedBy: people.approver.id, amountFen: 750_000 });
    v = await t.step(h, 'payReward', { actor: people.finance });
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    expect(await h.result()).toEqual({ stage: { name: 'closed', outcome: 'reward_paid' } });

    const [ledger] =
      await t.sql`select amount_fen, paid_by from reward_ledger where report_id = ${h.workflowId}`;
    expect(ledger).toEqual({ amount_fen: '750000', paid_by: people.finance.id });
    const [row] =
      await t.sql`select stage, unit_id, last_sequence from reports where report_id = ${h.workflowId}`;
    expect(row).toMatchObject({ stage: 'closed', unit_id: 'unit-a', last_sequence: v.timeline.length });
    const events =
      await t.sql`select type from report_events where report_id = ${h.workflowId} order by sequence`;
    expect(events.map((e) => e.type)).toEqual(v.timeline.map((e) => e.type));
    expect(v.deadlines.every((d) => d.status === 'done' && d.onTime)).toBe(true);
    expect((await t.outbox(h.workflowId)).map((n) => n.kind)).toEqual([
      'acceptance_notice',
      'assignment_notice',
      'feedback_to_reporter',
      'reward_paid',
    ]);
    expect(HOUR).toBeGreaterThan(0);
  });
});
