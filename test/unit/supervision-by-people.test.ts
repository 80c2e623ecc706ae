import { describe, expect, it } from 'vitest';
import { runningClock } from '../../domain/report/clocks.js';
import type { Effect } from '../../domain/report/effects.js';
import { after, drive, loadPolicy, reportAt, verdict } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * 督办 by people (district-default v5): each action is on the timeline and in the outbox, the
 * weightier ones are the supervisor's, a 督办单 and an interview run under clocks of their own, and
 * a listing is lifted only by the supervisor with a reason.
 */
const v5 = loadPolicy('district-default.v5.json');
const { dispatcher, handlerA, handlerB, supervisor } = people;
const verifying = () => {
  const { s, now } = reportAt('verifying', { policy: v5 });
  return { s, now: after(1, now) };
};
const recipients = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'notify' ? [[e.notification.kind, e.notification.recipient]] : []));

describe('督办 by people', () => {
  it.each([
    ['urge', { kind: 'unit', unitId: 'unit-a', level: 'case_officer' }],
    ['circular', { kind: 'unit', unitId: 'unit-a', level: 'leader' }],
  ] as const)('%s reaches the unit at its level, and the timeline', (action, recipient) => {
    const { s, now } = verifying();
    const effects = drive(s, 'superviseReport', { actor: dispatcher, action, reason: '进度滞后' }, now, v5);
    expect(recipients(effects)).toEqual([['supervision', recipient]]);
    expect(s.timeline.at(-1)).toMatchObject({
      type: 'supervised',
      data: { action, reason: '进度滞后', unitId: 'unit-a' },
    });
  });

  it('约谈, 挂牌督办 and 曝光 are the supervisor’s; the dispatcher is refused', () => {
    const { s, now } = verifying();
    for (const action of ['interview', 'listed_supervision', 'exposure'] as const) {
      expect(verdict('superviseReport', s, { actor: dispatcher, action, reason: '严重滞后' }, now, v5)).toBe(
        'not_allowed',
      );
      expect(verdict('superviseReport', s, { actor: supervisor, action, reason: '严重滞后' }, now, v5)).toBe(
        'accepted',
      );
    }
  });

  it('a 督办单 runs a reply clock the unit stops by answering; one at a time', () => {
    const { s, now } = verifying();
    drive(
      s,
      'superviseReport',
      { actor: dispatcher, action: 'supervision_notice', reason: '请说明逾期原因' },
      now,
      v5,
    );
    expect(runningClock(s, 'supervision_reply')).toBeDefined();
    expect(
      verdict(
        'superviseReport',
        s,
        { actor: dispatcher, action: 'supervision_notice', reason: '再催' },
        now,
        v5,
      ),
    ).toBe('wrong_stage');
    expect(verdict('replyToSupervision', s, { actor: handlerB, summary: '不是我单位' }, now, v5)).toBe(
      'not_allowed',
    );
    drive(s, 'replyToSupervision', { actor: handlerA, summary: '已安排今日核查' }, after(2, now), v5);
    expect(runningClock(s, 'supervision_reply')).toBeUndefined();
    expect(s.supervisionNotices![0]!.reply).toMatchObject({ summary: '已安排今日核查' });
  });

  it('挂牌督办 by hand: listed under a review clock, lifted only by the supervisor with a reason', () => {
    const { s, now } = verifying();
    drive(
      s,
      'superviseReport',
      { actor: supervisor, action: 'listed_supervision', reason: '群众反映强烈' },
      now,
      v5,
    );
    expect(runningClock(s, 'listing_review')).toBeDefined();
    expect(verdict('liftListing', s, { actor: dispatcher, reason: '已整改' }, now, v5)).toBe('not_allowed');
    expect(verdict('liftListing', s, { actor: supervisor }, now, v5)).toBe('invalid_input');
    drive(s, 'liftListing', { actor: supervisor, reason: '隐患已消除' }, after(3, now), v5);
    expect(s.listing?.lifted).toMatchObject({ by: supervisor.id, reason: '隐患已消除' });
    expect(runningClock(s, 'listing_review')).toBeUndefined();
  });

  it('约谈 by hand: an interview to hold under its clock, recorded with who, when, notes and follow-up', () => {
    const { s, now } = verifying();
    drive(s, 'superviseReport', { actor: supervisor, action: 'interview', reason: '多次催办未果' }, now, v5);
    expect(s.interviews).toMatchObject([
      { calledAt: now, calledBy: { actor: supervisor.id }, unitId: 'unit-a' },
    ]);
    expect(runningClock(s, 'interview')).toBeDefined();
    const held = {
      actor: supervisor,
      heldAt: after(2, now),
      attendees: ['街道分管副主任', '安监所所长'],
      notes: '要求立即核查并书面说明',
      followUpDueAt: after(72, now),
    };
    expect(verdict('recordInterview', s, { ...held, heldAt: after(-1, now) }, after(3, now), v5)).toBe(
      'invalid_input',
    );
    drive(s, 'recordInterview', held, after(3, now), v5);
    expect(s.interviews![0]!.held).toMatchObject({
      attendees: held.attendees,
      followUpDueAt: held.followUpDueAt,
    });
    expect(runningClock(s, 'interview')).toBeUndefined();
  });

  it('is not offered under a policy before version 5', () => {
    const v4 = loadPolicy('district-default.v4.json');
    const { s, now } = reportAt('verifying', { policy: v4 });
    expect(verdict('superviseReport', s, { actor: dispatcher, action: 'urge', reason: '催' }, now, v4)).toBe(
      'not_allowed',
    );
  });
});
