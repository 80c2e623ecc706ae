import { describe, expect, it } from 'vitest';
import { effectiveDueAt, runningClock } from '../../domain/report/clocks.js';
import type { ReportState } from '../../domain/report/report-state.js';
import { after, drive, loadPolicy, reportAt, verdict } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * 延期申请 (district-default v5): a unit asks, the dispatcher (ordinary hazard) or the supervisor
 * (major hazard) decides; an approved extension replaces the step's clock by one due at the new
 * date, a refused one leaves it; the policy limits how often and how far.
 */
const v5 = loadPolicy('district-default.v5.json');
const { dispatcher, handlerA, supervisor } = people;
const DAY = 24;

const dueOf = (s: ReportState, clock: 'verification' | 'rectification') =>
  new Date(effectiveDueAt(runningClock(s, clock)!)).toISOString();

function asked(stage: 'verifying' | 'rectifying' = 'verifying', majorHazard = false) {
  const { s, now } = reportAt(stage, { policy: v5, majorHazard });
  const clock = stage === 'verifying' ? 'verification' : 'rectification';
  const before = dueOf(s, clock);
  const proposedDueAt = after(10 * DAY, before);
  drive(s, 'requestExtension', { actor: handlerA, clock, proposedDueAt, reason: '需第三方检测' }, now, v5);
  return { s, now: after(1, now), before, proposedDueAt, clock } as const;
}

describe('延期申请', () => {
  it('waits for the dispatcher under a clock of its own, the step’s deadline unchanged meanwhile', () => {
    const { s, before } = asked();
    expect(s.extensions).toMatchObject([{ clock: 'verification', dueAt: before }]);
    expect(s.extensions![0]!.decision).toBeUndefined();
    expect(runningClock(s, 'extension_decision')).toBeDefined();
    expect(dueOf(s, 'verification')).toBe(before);
  });

  it('approved: the step runs under a new clock due at the proposed date, its start and provenance kept', () => {
    const { s, now, proposedDueAt } = asked();
    const old = runningClock(s, 'verification')!;
    drive(s, 'decideExtension', { actor: dispatcher, decision: 'approved', reason: '检测周期确需' }, now, v5);
    expect(old.endedHow).toBe('superseded');
    const extended = runningClock(s, 'verification')!;
    expect(extended.schedule).toMatchObject({
      occurrence: 2,
      startedAt: old.schedule.startedAt,
      dueAt: proposedDueAt,
    });
    expect(extended.schedule.provenance.rule).toMatch(/^extended to .* by dispatcher-1: 检测周期确需$/);
    expect(runningClock(s, 'extension_decision')).toBeUndefined();
    expect(s.extensions![0]!.decision).toMatchObject({ decision: 'approved', dueAt: proposedDueAt });
  });

  it('shortened: to a date between the deadline and the proposal', () => {
    const { s, now, before, proposedDueAt } = asked();
    const between = after(3 * DAY, before);
    expect(
      verdict(
        'decideExtension',
        s,
        { actor: dispatcher, decision: 'shortened', dueAt: proposedDueAt, reason: '缩短' },
        now,
        v5,
      ),
    ).toBe('invalid_input');
    drive(
      s,
      'decideExtension',
      { actor: dispatcher, decision: 'shortened', dueAt: between, reason: '给三天' },
      now,
      v5,
    );
    expect(dueOf(s, 'verification')).toBe(between);
  });

  it('refused: the deadline stands', () => {
    const { s, now, before } = asked();
    drive(s, 'decideExtension', { actor: dispatcher, decision: 'refused', reason: '时限充足' }, now, v5);
    expect(dueOf(s, 'verification')).toBe(before);
    expect(runningClock(s, 'verification')!.schedule.occurrence).toBe(1);
  });

  it('is limited by the policy: once per step, at most 30 days further', () => {
    const { s, now } = reportAt('verifying', { policy: v5 });
    const due = dueOf(s, 'verification');
    const ask = (days: number) => ({
      actor: handlerA,
      clock: 'verification' as const,
      proposedDueAt: after(days * DAY, due),
      reason: '延期',
    });
    expect(verdict('requestExtension', s, ask(31), now, v5)).toBe('invalid_input');
    expect(verdict('requestExtension', s, { ...ask(5), clock: 'rectification' }, now, v5)).toBe(
      'wrong_stage',
    );
    drive(s, 'requestExtension', ask(5), now, v5);
    expect(verdict('requestExtension', s, ask(6), after(1, now), v5)).toBe('wrong_stage'); // one waits already
    drive(
      s,
      'decideExtension',
      { actor: dispatcher, decision: 'refused', reason: '不同意' },
      after(1, now),
      v5,
    );
    expect(verdict('requestExtension', s, ask(6), after(2, now), v5)).toBe('not_allowed');
  });

  it('of a major hazard’s rectification, only the supervisor decides, and the stage shows the new deadline', () => {
    const { s, now, proposedDueAt } = asked('rectifying', true);
    expect(
      verdict('decideExtension', s, { actor: dispatcher, decision: 'approved', reason: '同意' }, now, v5),
    ).toBe('not_allowed');
    drive(s, 'decideExtension', { actor: supervisor, decision: 'approved', reason: '同意延期整改' }, now, v5);
    expect(s.stage).toMatchObject({ name: 'rectifying', dueAt: proposedDueAt });
    expect(s.rectification!.dueAt).toBe(proposedDueAt);
    expect(dueOf(s, 'rectification')).toBe(proposedDueAt);
  });

  it('is granted by no policy before version 5', () => {
    const v4 = loadPolicy('district-default.v4.json');
    const { s, now } = reportAt('verifying', { policy: v4 });
    const ask = {
      actor: handlerA,
      clock: 'verification',
      proposedDueAt: after(40 * DAY, now),
      reason: '延期',
    };
    expect(verdict('requestExtension', s, ask, now, v4)).toBe('not_allowed');
  });
  it('is still decided after the step was done meanwhile: the decision clock stops, no deadline moves', () => {
    const { s, now } = asked();
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
      v5,
    );
    expect(s.stage.name).toBe('awaiting_feedback');
    const effects = drive(
      s,
      'decideExtension',
      { actor: dispatcher, decision: 'approved', reason: '同意' },
      after(1, now),
      v5,
    );
    expect(runningClock(s, 'extension_decision')).toBeUndefined();
    expect(runningClock(s, 'verification')).toBeUndefined();
    expect(effects.some((e) => e.kind === 'start_clock')).toBe(false);
  });
});
