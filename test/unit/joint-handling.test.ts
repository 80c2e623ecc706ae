import { describe, expect, it } from 'vitest';
import { runningClock } from '../../domain/report/clocks.js';
import type { Effect } from '../../domain/report/effects.js';
import { supportingUnitIds } from '../../domain/report/joint-handling-steps.js';
import { summariseReport } from '../../domain/report/report-summary.js';
import { actorOf } from '../support/step-rules.js';
import { after, drive, loadPolicy, reportAt, verdict } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * 主办/协办 (district-default v7): the unit holding the report leads it; supporting units each reply
 * to the lead under a clock of their own, counted against the supporting unit, not the lead.
 */
const v7 = loadPolicy('district-default.v7.json');
const v6 = loadPolicy('district-default.v6.json');
const { dispatcher, handlerA, handlerB } = people;
const handlerC = actorOf('handler', 'unit-c');

function verifying() {
  const { s, now } = reportAt('verifying', { policy: v7 });
  return { s, now: after(1, now) };
}
const ask = { actor: dispatcher, unitIds: ['unit-b', 'unit-c'], request: '请协助核查该企业的燃气管道' };
const notices = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'notify' ? [[e.notification.kind, e.notification.recipient]] : []));

describe('主办/协办', () => {
  it('asked by the dispatcher: one reply clock per supporting unit, each unit told who leads', () => {
    const { s, now } = verifying();
    const effects = drive(s, 'requestSupport', ask, now, v7);
    const support = s.clocks.filter((c) => c.schedule.clock === 'support_reply');
    expect(support.map((c) => [c.unitId, c.schedule.occurrence])).toEqual([
      ['unit-b', 1],
      ['unit-c', 2],
    ]);
    expect(notices(effects)).toEqual([
      ['support_request', { kind: 'unit', unitId: 'unit-b' }],
      ['support_request', { kind: 'unit', unitId: 'unit-c' }],
    ]);
    expect(s.unitId).toBe('unit-a');
    expect(supportingUnitIds(s)).toEqual(['unit-b', 'unit-c']);
  });

  it('asked by the lead itself, not by another unit', () => {
    const { s, now } = verifying();
    const own = { ...ask, actor: handlerA };
    expect(verdict('requestSupport', s, own, now, v7)).toBe('accepted');
    expect(verdict('requestSupport', s, { ...ask, actor: handlerB }, now, v7)).toBe('not_allowed');
  });

  it('refuses the lead as its own supporter, a unit named twice, one still asked, and policies before v7', () => {
    const { s, now } = verifying();
    expect(verdict('requestSupport', s, { ...ask, unitIds: ['unit-a'] }, now, v7)).toBe('invalid_input');
    expect(verdict('requestSupport', s, { ...ask, unitIds: ['unit-b', 'unit-b'] }, now, v7)).toBe(
      'invalid_input',
    );
    expect(verdict('requestSupport', reportAt('verifying', { policy: v6 }).s, ask, now, v6)).toBe(
      'not_allowed',
    );
    drive(s, 'requestSupport', ask, now, v7);
    expect(verdict('requestSupport', s, { ...ask, unitIds: ['unit-c'] }, after(1, now), v7)).toBe(
      'wrong_stage',
    );
  });

  it('a supporting unit replies to the lead: its own clock stops, the other runs on', () => {
    const { s, now } = verifying();
    drive(s, 'requestSupport', ask, now, v7);
    const effects = drive(s, 'replyToLead', { actor: handlerB, summary: '管道检测合格' }, after(2, now), v7);
    expect(notices(effects)).toEqual([['support_reply', { kind: 'unit', unitId: 'unit-a' }]]);
    expect(runningClock(s, 'support_reply', 'unit-b')).toBeUndefined();
    expect(runningClock(s, 'support_reply', 'unit-c')).toBeDefined();
    expect(s.supports?.find((r) => r.unitId === 'unit-b')?.reply?.summary).toBe('管道检测合格');
    expect(supportingUnitIds(s)).toEqual(['unit-b', 'unit-c']);
    // Answered once; the lead and strangers have nothing to answer.
    for (const actor of [handlerB, handlerA, actorOf('handler', 'unit-d')])
      expect(verdict('replyToLead', s, { actor, summary: '再次答复' }, after(3, now), v7)).toBe(
        'not_allowed',
      );
    expect(verdict('replyToLead', s, { actor: handlerC, summary: '已协助' }, after(3, now), v7)).toBe(
      'accepted',
    );
  });

  it('counts a supporting unit’s reply against the supporting unit, in time or not', () => {
    const { s, now } = verifying();
    drive(s, 'requestSupport', ask, now, v7);
    drive(s, 'replyToLead', { actor: handlerB, summary: '已协助' }, after(2, now), v7);
    const clocks = summariseReport(s).clocks.filter((c) => c.clock === 'support_reply');
    expect(clocks.map((c) => [c.unitId, c.onTime])).toEqual([
      ['unit-b', true],
      ['unit-c', null],
    ]);
    expect(summariseReport(s).supportingUnitIds).toEqual(['unit-b', 'unit-c']);
  });

  it('closing the report stops every supporting unit’s clock', () => {
    const { s, now } = verifying();
    drive(s, 'requestSupport', ask, now, v7);
    drive(s, 'cancelReport', { actor: people.admin, reason: '重复录入' }, after(1, now), v7);
    expect(s.clocks.filter((c) => c.stoppedAt === undefined)).toEqual([]);
  });
});

describe('补充材料 through approval (v7)', () => {
  const pause = { actor: handlerA, waitingFor: 'third_party' as const, reason: '待第三方检测报告' };

  it('a unit’s pause is a request: the step’s clock runs on until the dispatcher approves', () => {
    const { s, now } = verifying();
    const effects = drive(s, 'pauseClock', pause, now, v7);
    expect(runningClock(s, 'verification')!.pausedSince).toBeUndefined();
    expect(runningClock(s, 'extension_decision')).toBeDefined();
    expect(notices(effects)).toEqual([['pause_request', { kind: 'dispatch_centre' }]]);
    drive(
      s,
      'decidePause',
      { actor: dispatcher, decision: 'approved', reason: '确需检测' },
      after(1, now),
      v7,
    );
    const clock = runningClock(s, 'verification')!;
    expect(clock.pausedSince).toBe(after(1, now));
    expect(clock.pauses).toBe(1);
    expect(clock.pauseUntil).toBeDefined();
    expect(runningClock(s, 'extension_decision')).toBeUndefined();
  });

  it('refused: nothing is paused', () => {
    const { s, now } = verifying();
    drive(s, 'pauseClock', pause, now, v7);
    drive(
      s,
      'decidePause',
      { actor: dispatcher, decision: 'refused', reason: '时限充足' },
      after(1, now),
      v7,
    );
    expect(runningClock(s, 'verification')!.pausedSince).toBeUndefined();
    expect(s.pauseRequests![0]!.decision).toMatchObject({ decision: 'refused' });
  });

  it('one request at a time, extension or pause; the dispatcher’s own pause needs none', () => {
    const { s, now } = verifying();
    drive(s, 'pauseClock', pause, now, v7);
    expect(verdict('pauseClock', s, pause, after(1, now), v7)).toBe('wrong_stage');
    const extension = {
      actor: handlerA,
      clock: 'verification' as const,
      proposedDueAt: after(24 * 20, now),
      reason: '需第三方检测',
    };
    expect(verdict('requestExtension', s, extension, after(1, now), v7)).toBe('wrong_stage');
    const direct = verifying();
    drive(direct.s, 'pauseClock', { ...pause, actor: dispatcher }, direct.now, v7);
    expect(runningClock(direct.s, 'verification')!.pausedSince).toBe(direct.now);
  });

  it('a major hazard’s pause is the supervisor’s to decide', () => {
    const { s, now } = reportAt('rectifying', { policy: v7, majorHazard: true });
    drive(s, 'pauseClock', pause, now, v7);
    const decision = { decision: 'approved' as const, reason: '确需' };
    expect(verdict('decidePause', s, { ...decision, actor: dispatcher }, after(1, now), v7)).toBe(
      'not_allowed',
    );
    expect(verdict('decidePause', s, { ...decision, actor: people.supervisor }, after(1, now), v7)).toBe(
      'accepted',
    );
  });

  it('approved after the step was done: lapsed, nothing paused', () => {
    const { s, now } = verifying();
    drive(s, 'pauseClock', pause, now, v7);
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
      after(1, now),
      v7,
    );
    drive(s, 'decidePause', { actor: dispatcher, decision: 'approved', reason: '同意' }, after(2, now), v7);
    expect(s.pauseRequests![0]!.decision).toMatchObject({ decision: 'approved', lapsed: true });
    expect(s.clocks.some((c) => c.pausedSince !== undefined)).toBe(false);
  });
  it('approved after the report went to another unit: lapsed, the new unit’s clock untouched', () => {
    const { s, now } = verifying();
    drive(s, 'pauseClock', pause, now, v7);
    drive(s, 'recallReport', { actor: dispatcher, unitId: 'unit-b', reason: '改派' }, after(1, now), v7);
    drive(s, 'decidePause', { actor: dispatcher, decision: 'approved', reason: '同意' }, after(2, now), v7);
    expect(s.pauseRequests![0]!.decision).toMatchObject({ decision: 'approved', lapsed: true });
    expect(s.clocks.some((c) => c.stoppedAt === undefined && c.pausedSince !== undefined)).toBe(false);
  });
});
