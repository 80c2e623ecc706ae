import { describe, expect, it } from 'vitest';
import type { Effect } from '../../domain/report/effects.js';
import { applyStep } from '../../domain/report/machine.js';
import { NEWEST_RULES } from '../../domain/report/rule-changes.js';
import { STEPS } from '../../domain/report/steps.js';
import type { ReportState } from '../../domain/report/report-state.js';
import type { ClockName } from '../../domain/vocabulary.js';
import {
  after,
  at,
  drive,
  policy,
  receivedReport,
  stepEvents,
  verdict,
} from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

const { dispatcher, handlerA, intake, reviewer, admin } = people;

/** Each run of a clock: when it stopped, whether it is paused and for how long it was. */
const runs = (s: ReportState, clock: ClockName) =>
  s.clocks
    .filter((c) => c.schedule.clock === clock)
    .map((c) => ({
      occurrence: c.schedule.occurrence,
      stoppedAt: c.stoppedAt,
      pausedSince: c.pausedSince,
      pausedMs: c.pausedMs,
    }));
const running = { stoppedAt: undefined, pausedSince: undefined };
/** Runs `end` and returns when each clock that was running then stopped. */
const stopTimesOfRunningClocks = (s: ReportState, end: () => void) => {
  const open = s.clocks.filter((c) => c.stoppedAt === undefined);
  end();
  expect(open.length).toBeGreaterThan(0);
  return [...new Set(open.map((c) => c.stoppedAt))];
};

describe('acceptance (受理)', () => {
  it('accepting classifies the report, stops the acceptance clock, starts the assignment clock and tells the reporter', () => {
    const s = receivedReport();
    const input = { actor: dispatcher, urgency: 'emergency', category: 'fire', domain: 'gas' } as const;
    const effects = drive(s, 'acceptReport', input, after(1));
    expect(s.stage).toEqual({ name: 'accepted' });
    expect(s.classification).toEqual({ urgency: 'emergency', category: 'fire', domain: 'gas' });
    expect(s.acceptedAt).toBe(after(1));
    expect(effects).toEqual([
      { kind: 'resolve_policy' },
      { kind: 'start_clock', clock: 'assignment' },
      {
        kind: 'notify',
        notification: {
          kind: 'acceptance_notice',
          recipient: { kind: 'reporter', via: 'channel' },
          payload: { urgency: 'emergency', category: 'fire' },
        },
      },
    ]);
    expect(runs(s, 'acceptance')).toMatchObject([{ stoppedAt: after(1) }]);
  });

  it('before 0.8 (a history recorded without the patch) accepting told the reporter nothing', () => {
    const s = receivedReport();
    const input = { actor: dispatcher, urgency: 'general', category: 'fire', domain: 'gas' } as const;
    const effects = applyStep(STEPS, 'acceptReport', s, input, {
      now: after(1),
      policy,
      rules: { ...NEWEST_RULES, acceptanceNotice: false },
    });
    expect(effects.some((e) => e.kind === 'notify')).toBe(false);
  });

  it('不予受理 ends the report with its reason, tells the reporter and stops every clock', () => {
    const s = receivedReport();
    let effects: Effect[] = [];
    const stopped = stopTimesOfRunningClocks(s, () => {
      effects = drive(s, 'rejectReport', { actor: dispatcher, reason: '非安全生产事项' }, after(1));
    });
    expect(s.stage).toEqual({ name: 'rejected', reason: '非安全生产事项' });
    expect(s.closedAt).toBe(after(1));
    expect(stopped).toEqual([after(1)]);
    expect(effects).toEqual([
      {
        kind: 'notify',
        notification: {
          kind: 'rejection_notice',
          recipient: { kind: 'reporter', via: 'channel' },
          payload: { reason: '非安全生产事项' },
        },
      },
    ]);
  });
});

describe('return (退回) and reassignment', () => {
  it('a returned report has no unit until the dispatcher reassigns it to another one', () => {
    const { s, now } = at('assigned');
    drive(s, 'returnAssignment', { actor: handlerA, reason: '非本单位辖区' }, now);
    expect(s.stage).toEqual({ name: 'returned', fromUnitId: 'unit-a', reason: '非本单位辖区' });
    expect(s.unitId).toBeUndefined();
    // Under the dispatcher's review: not yet misrouting.
    expect(s.assignments[0]!.ended).toEqual({ at: now, how: 'returned', review: 'pending' });
    const assign = (unitId: string) => ({ actor: dispatcher, unitId, routing: 'manual' });
    expect(verdict('assignReport', s, assign('unit-a'), now)).toBe('not_allowed');

    drive(s, 'assignReport', { actor: dispatcher, unitId: 'unit-b', routing: 'manual' }, after(1, now));
    expect(s.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    expect(s.assignments.map((a) => [a.unitId, a.ended?.how])).toEqual([
      ['unit-a', 'returned'],
      ['unit-b', undefined],
    ]);
    // Reassigning approves the return.
    expect(s.assignments[0]!.ended?.review).toBe('approved');
    expect(runs(s, 'verification')).toMatchObject([{ stoppedAt: now }, running]);
    expect(stepEvents(s).slice(-3)).toEqual(['returned', 'return_approved', 'reassigned']);
  });
});

describe('assignment dispute (派单异议)', () => {
  const disputedAtVerifying = () => {
    const { s, now } = at('verifying');
    drive(s, 'disputeAssignment', { actor: handlerA, reason: '应由消防部门办理' }, now);
    return { s, now };
  };

  it('a dispute holds the unit’s verification clock while the dispatcher decides', () => {
    const { s, now } = disputedAtVerifying();
    expect(s.stage).toEqual({
      name: 'disputed',
      unitId: 'unit-a',
      reason: '应由消防部门办理',
      resumeTo: 'verifying',
    });
    expect(runs(s, 'verification')).toMatchObject([{ stoppedAt: undefined, pausedSince: now }]);
  });

  it('an upheld assignment goes back to the prior stage, its clock shifted by the time in dispute', () => {
    const { s, now } = disputedAtVerifying();
    drive(s, 'resolveDispute', { actor: dispatcher, decision: 'assignment_upheld' }, after(3, now));
    expect(s.stage).toEqual({ name: 'verifying', unitId: 'unit-a' });
    expect(s.disputes[0]!.resolution).toEqual({
      at: after(3, now),
      by: dispatcher.id,
      decision: 'assignment_upheld',
    });
    expect(runs(s, 'verification')).toEqual([{ ...running, occurrence: 1, pausedMs: 3 * 3_600_000 }]);
  });

  it('a reassignment records misrouting, stops the first unit’s clock and starts the new unit’s', () => {
    const { s, now } = disputedAtVerifying();
    const input = { actor: dispatcher, decision: 'reassigned', unitId: 'unit-b' } as const;
    drive(s, 'resolveDispute', input, after(2, now));
    expect(s.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    expect(s.assignments[0]!.ended).toEqual({ at: after(2, now), how: 'reassigned_after_dispute' });
    expect(s.disputes[0]!.resolution?.decision).toBe('reassigned');
    expect(runs(s, 'verification')).toMatchObject([{ stoppedAt: after(2, now) }, running]);
  });
});

describe('verification, rectification and review', () => {
  it('a major hazard is put under listed supervision (挂牌督办) the moment it is verified', () => {
    const { s, now } = at('verifying');
    const effects = drive(
      s,
      'submitVerification',
      { actor: handlerA, outcome: 'substantiated', findings: '重大隐患', hazardsFound: 1, majorHazard: true },
      now,
    );
    expect(s.stage).toEqual({ name: 'verified', unitId: 'unit-a' });
    expect(s.escalations).toEqual([
      { clock: 'rectification', occurrence: 0, rung: 'listed_supervision', at: now, unitId: 'unit-a' },
    ]);
    // 挂牌督办 is an escalation like the ladder's: a row in the record, and a notice to the supervisors.
    expect(effects).toEqual([
      {
        kind: 'record_escalation',
        escalation: {
          clock: 'rectification',
          occurrence: 0,
          rung: 'listed_supervision',
          at: now,
          unitId: 'unit-a',
        },
      },
      expect.objectContaining({
        kind: 'notify',
        notification: expect.objectContaining({ kind: 'listed_supervision' }),
      }),
    ]);
  });

  it('a rejected review sends the rectification back under a new deadline; an approved one writes it off', () => {
    const { s, now } = at('rectification_reported', { majorHazard: true });
    const review = { actor: reviewer, approved: false, comment: '未整改到位' };
    expect(verdict('reviewRectification', s, review, now)).toBe('invalid_input');
    const newDueAt = after(24 * 20, now);
    drive(s, 'reviewRectification', { ...review, newDueAt }, now);
    expect(s.stage).toEqual({ name: 'rectifying', unitId: 'unit-a', dueAt: newDueAt });
    expect(runs(s, 'rectification')).toMatchObject([{ stoppedAt: expect.any(String) }, running]);
    expect(s.clocks.at(-1)!.schedule.dueAt).toBe(newDueAt);

    drive(s, 'reportRectification', { actor: handlerA, summary: '已全部整改' }, after(1, now));
    expect(s.stage).toEqual({ name: 'rectification_reported', unitId: 'unit-a' });
    drive(s, 'reviewRectification', { actor: reviewer, approved: true, comment: '同意销号' }, after(2, now));
    expect(s.stage).toEqual({ name: 'awaiting_feedback', unitId: 'unit-a' });
    expect(s.rectification?.writtenOffAt).toBe(after(2, now));
    expect(s.rectification?.reviews.map((r) => r.approved)).toEqual([false, true]);
    expect(stepEvents(s).slice(-3)).toEqual(['review_rejected', 'rectification_reported', 'written_off']);
  });
});

describe('feedback and the satisfaction callback (回访)', () => {
  const handledUnsubstantiated = (s: ReportState, now: string) => {
    drive(
      s,
      'submitVerification',
      {
        actor: handlerA,
        outcome: 'unsubstantiated',
        findings: '不属实',
        hazardsFound: 0,
        majorHazard: false,
      },
      now,
    );
    expect(s.stage).toEqual({ name: 'awaiting_feedback', unitId: 'unit-a' });
    drive(s, 'giveFeedback', { actor: handlerA, summary: '经核查不属实' }, now);
    drive(s, 'recordSatisfaction', { actor: intake, rating: 'unsatisfied', comment: '现场仍有隐患' }, now);
  };

  it('an unsatisfied reporter has the report reopened once, under fresh verification and feedback clocks', () => {
    const { s, now } = at('verifying');
    handledUnsubstantiated(s, now);
    expect(s.stage).toEqual({ name: 'verifying', unitId: 'unit-a' });
    expect(s.reopens).toBe(1);
    expect(s.verification).toBeUndefined();
    expect(runs(s, 'verification')).toMatchObject([{ stoppedAt: now }, { occurrence: 2, ...running }]);
    expect(runs(s, 'feedback')).toMatchObject([{ stoppedAt: now }, { occurrence: 2, ...running }]);
    expect(s.clocks.at(-1)!.schedule.startedAt).toBe(now);

    const later = after(24, now);
    handledUnsubstantiated(s, later);
    expect(s.stage).toEqual({ name: 'closed', outcome: 'unsubstantiated' });
    expect(s.satisfaction.map((r) => [r.at, r.rating])).toEqual([
      [now, 'unsatisfied'],
      [later, 'unsatisfied'],
    ]);
    expect(stepEvents(s).filter((t) => t === 'reopened')).toHaveLength(policy.maxReopens);
  });

  it('a satisfied reporter of a substantiated report is on to the reward', () => {
    const { s, now } = at('feedback_given');
    drive(s, 'recordSatisfaction', { actor: intake, rating: 'basically_satisfied', resolved: true }, now);
    expect(s.stage).toEqual({ name: 'reward_pending' });
  });
});

describe('pausing a step clock (补充材料)', () => {
  it('a pause shifts the step deadline by exactly the time paused', () => {
    const { s, now } = at('verifying');
    const due = s.clocks.at(-1)!.schedule.dueAt;
    drive(s, 'pauseClock', { actor: handlerA, waitingFor: 'reporter', reason: '待补充照片' }, now);
    expect(verdict('pauseClock', s, { actor: handlerA, waitingFor: 'reporter', reason: '再次' }, now)).toBe(
      'wrong_stage',
    );
    drive(s, 'resumeClock', { actor: handlerA }, after(5, now));
    expect(runs(s, 'verification')).toEqual([{ occurrence: 1, ...running, pausedMs: 5 * 3_600_000 }]);
    expect(s.clocks.at(-1)!.schedule.dueAt).toBe(due);
  });
});

describe('ending a report early', () => {
  it('withdrawal by the reporter (撤回) stops every clock', () => {
    const { s, now } = at('verifying');
    const stopped = stopTimesOfRunningClocks(s, () =>
      drive(s, 'withdrawReport', { actor: intake, reason: '已协商解决' }, now),
    );
    expect(s.stage).toEqual({ name: 'withdrawn', reason: '已协商解决' });
    expect(stopped).toEqual([now]);
    expect(s.closedAt).toBe(now);
  });

  it('a duplicate merged into another report (重复件) names its survivor and hands over its reporter', () => {
    const { s, now } = at('accepted');
    let effects: Effect[] = [];
    const stopped = stopTimesOfRunningClocks(s, () => {
      effects = drive(s, 'mergeReport', { actor: dispatcher, intoReportId: 'hotline_12345:GD-1' }, now);
    });
    expect(s.stage).toEqual({ name: 'merged', intoReportId: 'hotline_12345:GD-1' });
    expect(effects).toEqual([
      {
        kind: 'link_duplicate',
        intoReportId: 'hotline_12345:GD-1',
        duplicate: { reportId: s.reportId, reporter: s.reporter, acceptedAt: s.acceptedAt },
      },
    ]);
    expect(stopped).toEqual([now]);
  });

  it('an administrator cancels a report at any open stage, with a reason', () => {
    const { s, now } = at('rectifying');
    const stopped = stopTimesOfRunningClocks(s, () =>
      drive(s, 'cancelReport', { actor: admin, reason: '重复录入' }, now),
    );
    expect(s.stage).toEqual({ name: 'cancelled', reason: '重复录入' });
    expect(stopped).toEqual([now]);
  });
});
