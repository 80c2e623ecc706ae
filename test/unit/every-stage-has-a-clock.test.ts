import { describe, expect, it } from 'vitest';
import { runningClock } from '../../domain/report/clocks.js';
import {
  STAGE_NAMES,
  TERMINAL_STAGES,
  type ReportState,
  type StageName,
} from '../../domain/report/report-state.js';
import { after, drive, loadPolicy, reportAt } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * No report waits unseen: under the default policy every stage a report can stop at has a running,
 * supervised clock — so it has a deadline, a warning and a ladder, and appears on the boards.
 * A stage added to the machine without one fails here (the list below is checked against
 * STAGE_NAMES). Paused clocks count: a pause is itself supervised by the clock it pauses.
 */
const policy = loadPolicy('district-default.v7.json');
const { dispatcher, handlerA } = people;

/** A report at each non-terminal stage, driven by the default policy. */
const REACH: { readonly [S in StageName]?: () => ReportState } = {
  received: () => reportAt('received', { policy }).s,
  accepted: () => reportAt('accepted', { policy }).s,
  assigned: () => reportAt('assigned', { policy }).s,
  returned: () => {
    const { s, now } = reportAt('assigned', { policy });
    drive(s, 'returnAssignment', { actor: handlerA, reason: '不属本单位职责' }, after(1, now), policy);
    return s;
  },
  disputed: () => {
    const { s, now } = reportAt('verifying', { policy });
    drive(s, 'disputeAssignment', { actor: handlerA, reason: '属住建部门职责' }, after(1, now), policy);
    return s;
  },
  verifying: () => reportAt('verifying', { policy }).s,
  verified: () => reportAt('verified', { policy }).s,
  rectifying: () => reportAt('rectifying', { policy }).s,
  rectification_reported: () => reportAt('rectification_reported', { policy, majorHazard: true }).s,
  awaiting_feedback: () => reportAt('awaiting_feedback', { policy }).s,
  feedback_given: () => reportAt('feedback_given', { policy }).s,
  reward_pending: () => reportAt('reward_pending', { policy }).s,
  reward_proposed: () => reportAt('reward_proposed', { policy }).s,
  reward_approved: () => reportAt('reward_approved', { policy }).s,
};

const open = STAGE_NAMES.filter((s) => !(TERMINAL_STAGES as readonly string[]).includes(s));

describe('no stage without a clock (district-default v7)', () => {
  it('reaches every stage a report can wait at', () => {
    expect(Object.keys(REACH).sort()).toEqual([...open].sort());
  });

  it.each(open)('%s has a running clock', (stage) => {
    const s = REACH[stage]!();
    expect(s.stage.name).toBe(stage);
    const running = s.clocks.filter((c) => c.stoppedAt === undefined).map((c) => c.schedule.clock);
    expect(running, `clocks at ${stage}: ${running.join(', ') || 'none'}`).not.toEqual([]);
  });

  it('has the step of each stage under its own clock, not only the report-level feedback clock', () => {
    const stepClock: { readonly [S in StageName]?: string } = {
      received: 'acceptance',
      accepted: 'assignment',
      assigned: 'verification',
      returned: 'assignment',
      disputed: 'dispute_decision',
      verifying: 'verification',
      verified: 'rectification_order',
      rectifying: 'rectification',
      rectification_reported: 'review',
      feedback_given: 'callback',
      reward_pending: 'reward_proposal',
      reward_proposed: 'reward_approval',
      reward_approved: 'reward_payment',
    };
    for (const [stage, clock] of Object.entries(stepClock)) {
      const s = REACH[stage as StageName]!();
      expect(runningClock(s, clock as never), `${stage} → ${clock}`).toBeDefined();
    }
  });

  it('after an interim reply, 待反馈 waits under the final reply’s clock', () => {
    const { s, now } = reportAt('rectifying', { policy });
    drive(s, 'giveInterimReply', { actor: handlerA, summary: '已责令整改' }, after(1, now), policy);
    drive(s, 'reportRectification', { actor: handlerA, summary: '已整改' }, after(2, now), policy);
    expect(s.stage.name).toBe('awaiting_feedback');
    expect(runningClock(s, 'feedback')).toBeUndefined();
    expect(runningClock(s, 'final_reply')).toBeDefined();
    drive(s, 'giveFeedback', { actor: handlerA, summary: '已整改完毕' }, after(3, now), policy);
    expect(runningClock(s, 'final_reply')).toBeUndefined();
    expect(runningClock(s, 'callback')).toBeDefined();
  });

  it('回访: three calls that reach nobody close the callback as unreachable, and the report goes on', () => {
    const { s, now } = reportAt('feedback_given', { policy });
    for (let i = 1; i <= 3; i += 1)
      drive(
        s,
        'recordCallbackUnreachable',
        { actor: dispatcher, note: `第${i}次未接通` },
        after(i, now),
        policy,
      );
    expect(s.timeline.filter((e) => e.type === 'callback_attempt_failed')).toHaveLength(3);
    expect(s.timeline.some((e) => e.type === 'callback_unreachable')).toBe(true);
    expect(runningClock(s, 'callback')).toBeUndefined();
    expect(s.satisfaction).toEqual([]);
    expect(s.stage.name).toBe('reward_pending');
  });
});
