import { describe, expect, it } from 'vitest';
import { recipientsOf } from '../../domain/report/escalation-recipients.js';
import { loadPolicy } from '../support/machine-fixtures.js';

/**
 * Who hears of a slipping deadline (district-default v6 names them per rung): the unit that owes
 * the step, at the rung's level, and the 安委办 from 函告 on; a step the dispatch centre owes is
 * never reported to the dispatch centre alone.
 */
const v6 = loadPolicy('district-default.v6.json');
const v5 = loadPolicy('district-default.v5.json');
const unit = (level: string) => ({ kind: 'unit', unitId: 'unit-a', level });

describe('the recipients of a clock event', () => {
  it('a unit’s step: its case officer is warned; each rung climbs its levels, the 安委办 from 函告 on', () => {
    const at = (
      kind: 'warning' | 'overdue' | 'rung',
      rung?: 'urge' | 'circular' | 'interview' | 'exposure',
    ) => recipientsOf(v6, { clock: 'verification', kind, ...(rung ? { rung } : {}) }, 'unit-a');
    expect(at('warning')).toEqual([unit('case_officer')]);
    expect(at('overdue')).toEqual([unit('case_officer')]);
    expect(at('rung', 'urge')).toEqual([unit('case_officer')]);
    expect(at('rung', 'circular')).toEqual([unit('section_chief'), { kind: 'supervisors' }]);
    expect(at('rung', 'interview')).toEqual([unit('leader'), { kind: 'supervisors' }]);
    expect(at('rung', 'exposure')).toEqual([unit('leader'), { kind: 'supervisors' }]);
  });

  it('the dispatch centre’s step: never reported to the dispatch centre alone past its deadline', () => {
    for (const policy of [v6, v5]) {
      expect(recipientsOf(policy, { clock: 'assignment', kind: 'warning' }, undefined)).toEqual([
        { kind: 'dispatch_centre' },
      ]);
      expect(recipientsOf(policy, { clock: 'assignment', kind: 'overdue' }, undefined)).toEqual([
        { kind: 'dispatch_centre' },
        { kind: 'supervisors' },
      ]);
      // A unit holding the report meanwhile is not who owes the callback.
      expect(recipientsOf(policy, { clock: 'callback', kind: 'rung', rung: 'urge' }, 'unit-a')).toEqual([
        { kind: 'dispatch_centre' },
        { kind: 'supervisors' },
      ]);
    }
  });

  it('before v6: the unit’s case officer, its leader from 约谈 on', () => {
    expect(recipientsOf(v5, { clock: 'verification', kind: 'rung', rung: 'circular' }, 'unit-a')).toEqual([
      unit('case_officer'),
    ]);
    expect(recipientsOf(v5, { clock: 'verification', kind: 'rung', rung: 'interview' }, 'unit-a')).toEqual([
      unit('leader'),
    ]);
  });
});

describe('协办 (district-default v7)', () => {
  const v7 = loadPolicy('district-default.v7.json');
  it('a supporting unit’s slip reaches the supporting unit and the lead; its warning only itself', () => {
    const of = (kind: 'warning' | 'overdue' | 'rung', rung?: 'urge' | 'circular') =>
      recipientsOf(v7, { clock: 'support_reply', kind, ...(rung ? { rung } : {}) }, 'unit-c', 'unit-a');
    const lead = { kind: 'unit', unitId: 'unit-a', level: 'case_officer' };
    expect(of('warning')).toEqual([{ kind: 'unit', unitId: 'unit-c', level: 'case_officer' }]);
    expect(of('overdue')).toEqual([{ kind: 'unit', unitId: 'unit-c', level: 'case_officer' }, lead]);
    expect(of('rung', 'circular')).toEqual([
      { kind: 'unit', unitId: 'unit-c', level: 'section_chief' },
      { kind: 'supervisors' },
      lead,
    ]);
  });
});
