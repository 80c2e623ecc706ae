import { describe, expect, it } from 'vitest';
import { runningClock } from '../../domain/report/clocks.js';
import { summariseReport } from '../../domain/report/report-summary.js';
import { after, drive, loadPolicy, reportAt, verdict } from '../support/machine-fixtures.js';
import { people } from '../support/reports.js';

/**
 * 派单治理 (district-default v5): a return only within its window and count; 改派 of a report a unit
 * sits on, which is not misrouting.
 */
const v5 = loadPolicy('district-default.v5.json');
const { dispatcher, handlerA, handlerB } = people;
const give = { actor: handlerA, reason: '非本单位辖区' };

describe('退单 within the policy’s window and count', () => {
  it('is refused as out_of_window more than 24 hours after the assignment', () => {
    const { s, now } = reportAt('assigned', { policy: v5 });
    const assignedAt = s.assignments[0]!.at;
    expect(verdict('returnAssignment', s, give, after(24, assignedAt), v5)).toBe('accepted');
    expect(verdict('returnAssignment', s, give, after(25, assignedAt), v5)).toBe('out_of_window');
    expect(verdict('returnAssignment', s, give, after(25, now), loadPolicy('district-default.v4.json'))).toBe(
      'accepted',
    );
  });

  it('is refused as not_allowed once the report was returned twice, refused or approved alike', () => {
    const { s, now } = reportAt('assigned', { policy: v5 });
    drive(s, 'returnAssignment', give, after(1, now), v5);
    drive(s, 'refuseReturn', { actor: dispatcher, reason: '属本单位' }, after(2, now), v5);
    drive(s, 'returnAssignment', give, after(3, now), v5);
    drive(s, 'assignReport', { actor: dispatcher, unitId: 'unit-b', routing: 'manual' }, after(4, now), v5);
    expect(verdict('returnAssignment', s, { ...give, actor: handlerB }, after(5, now), v5)).toBe(
      'not_allowed',
    );
  });
});

describe('改派: the dispatcher recalls a report a unit sits on', () => {
  it('gives it to another unit, the first unit’s time not excused', () => {
    const { s, now } = reportAt('verifying', { policy: v5 });
    const reportClock = runningClock(s, 'verification')!;
    drive(
      s,
      'recallReport',
      { actor: dispatcher, unitId: 'unit-b', reason: '逾期未核查' },
      after(1, now),
      v5,
    );
    expect(s.stage).toEqual({ name: 'assigned', unitId: 'unit-b' });
    expect(s.assignments.map((a) => [a.unitId, a.ended?.how])).toEqual([
      ['unit-a', 'recalled'],
      ['unit-b', undefined],
    ]);
    expect(runningClock(s, 'verification')).toBe(reportClock);
    expect(runningClock(s, 'unit_verification')?.schedule.startedAt).toBe(after(1, now));
    expect(summariseReport(s)).toMatchObject({ misrouted: false, returns: 0 });
    expect(
      verdict(
        'recallReport',
        s,
        { actor: dispatcher, unitId: 'unit-b', reason: '再改派' },
        after(2, now),
        v5,
      ),
    ).toBe('invalid_input');
  });
});
