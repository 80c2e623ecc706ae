import { describe, expect, it } from 'vitest';
import {
  applyOverride,
  nationalRewardRule2018 as national,
  proposeRewardAmount,
  REWARD_RULE_ERROR_CODES as CODES,
  RewardRuleError,
  validateRewardRule,
  type RewardBasis,
  type RewardRule,
} from '../../domain/reward-rule.js';

const yuan = (n: number): number => n * 100;
const fine = (fineFen: number): RewardBasis => ({ kind: 'fine', fineFen });
const amountForFine = (fineFen: number): number => proposeRewardAmount(national, fine(fineFen)).amountFen;

function errorOf(run: () => unknown): RewardRuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof RewardRuleError) return error;
    throw error;
  }
  throw new Error('expected a RewardRuleError');
}

describe('reward for a substantiated hazard or violation: 15% of the fine, ¥3,000 to ¥300,000', () => {
  it('raises a small fine to the ¥3,000 minimum (fine ¥10,000 → ¥3,000)', () => {
    const proposal = proposeRewardAmount(national, fine(yuan(10_000)));
    expect(proposal.amountFen).toBe(yuan(3_000));
    expect(proposal.explanation).toContain('15% × ¥10,000.00 = ¥1,500.00');
    expect(proposal.explanation).toContain('raised to the minimum ¥3,000.00');
  });

  it('gives the minimum to a substantiated report that carried no fine', () => {
    expect(amountForFine(0)).toBe(yuan(3_000));
  });

  it('pays 15% between the bounds (fine ¥100,000 → ¥15,000)', () => {
    const proposal = proposeRewardAmount(national, fine(yuan(100_000)));
    expect(proposal).toEqual({
      amountFen: yuan(15_000),
      basis: { kind: 'fine', fineFen: yuan(100_000) },
      ruleId: 'national-2018',
      ruleVersion: 1,
      explanation: '罚款 15% × ¥100,000.00 = ¥15,000.00; fine 15% × ¥100,000.00 = ¥15,000.00',
    });
  });

  it('caps a large fine at ¥300,000 (fine ¥5,000,000 → ¥300,000)', () => {
    const proposal = proposeRewardAmount(national, fine(yuan(5_000_000)));
    expect(proposal.amountFen).toBe(yuan(300_000));
    expect(proposal.explanation).toContain('limited to the maximum ¥300,000.00');
  });

  it('meets the minimum exactly at a ¥20,000 fine; each yuan above adds 15 fen', () => {
    expect(amountForFine(yuan(20_000) - 100)).toBe(yuan(3_000));
    expect(amountForFine(yuan(20_000))).toBe(yuan(3_000));
    expect(amountForFine(yuan(20_001))).toBe(yuan(3_000) + 15);
  });

  it('meets the maximum exactly at a ¥2,000,000 fine and stays there', () => {
    expect(amountForFine(yuan(1_999_999))).toBe(yuan(300_000) - 15);
    expect(amountForFine(yuan(2_000_000))).toBe(yuan(300_000));
    expect(amountForFine(yuan(2_000_001))).toBe(yuan(300_000));
  });

  it('rounds 15% half up to the fen, and never rounds a whole-yuan fine', () => {
    expect(amountForFine(yuan(25_000))).toBe(yuan(3_750)); // ¥3,750.00, exact
    expect(amountForFine(yuan(20_000) + 3)).toBe(yuan(3_000)); // ¥3,000.0045 → ¥3,000.00
    expect(amountForFine(yuan(20_000) + 4)).toBe(yuan(3_000) + 1); // ¥3,000.006 → ¥3,000.01
    expect(amountForFine(yuan(20_000) + 10)).toBe(yuan(3_000) + 2); // ¥3,000.015 → ¥3,000.02 (half up)
    expect(amountForFine(3_333_333)).toBe(yuan(5_000)); // ¥33,333.33 × 15% = ¥4,999.9995 → ¥5,000.00
  });

  it('takes rate and bounds from the policy data, so a local rule can differ', () => {
    const localFine = { rateBasisPoints: 1_250, minFen: 0, maxFen: yuan(100) };
    const local: RewardRule = { ...national, id: 'local', fine: localFine };
    const proposal = proposeRewardAmount(local, fine(yuan(400)));
    expect(proposal.amountFen).toBe(yuan(50));
    expect(proposal.explanation).toContain('12.5% × ¥400.00 = ¥50.00');
    expect(proposal.ruleId).toBe('local');
  });
});

describe('reward for a concealed or falsely reported accident: a sum per concealed death, at most ¥300,000', () => {
  const accident = (grade: 'general' | 'larger' | 'major' | 'especially_major', concealedDeaths: number) =>
    proposeRewardAmount(national, { kind: 'concealed-accident', grade, concealedDeaths });

  it.each([
    ['general', '一般事故', 30_000],
    ['larger', '较大事故', 40_000],
    ['major', '重大事故', 50_000],
    ['especially_major', '特别重大事故', 60_000],
  ] as const)('pays a %s accident (%s) ¥%i per concealed death', (grade, zh, perDeath) => {
    expect(accident(grade, 1).amountFen).toBe(yuan(perDeath));
    const two = accident(grade, 2);
    expect(two.amountFen).toBe(yuan(2 * perDeath));
    expect(two.explanation).toContain(zh);
  });

  it('caps the total at ¥300,000 (6 deaths concealed in a 特别重大事故 → ¥300,000, not ¥360,000)', () => {
    const proposal = accident('especially_major', 6);
    expect(proposal.amountFen).toBe(yuan(300_000));
    expect(proposal.explanation).toBe(
      '特别重大事故瞒报谎报死亡 6 人 × ¥60,000.00 = ¥360,000.00，超过最高奖励，按 ¥300,000.00; ' +
        'especially major accident, 6 concealed death(s) × ¥60,000.00 = ¥360,000.00, limited to the maximum ¥300,000.00',
    );
  });

  it('reaches the cap exactly at 10 concealed deaths in a 一般事故', () => {
    expect(accident('general', 10).amountFen).toBe(yuan(300_000));
    expect(accident('general', 11).amountFen).toBe(yuan(300_000));
  });
});

describe('override by the department head', () => {
  const proposal = proposeRewardAmount(national, fine(yuan(100_000)));

  it('records both the computed and the overriding amount, with the reason', () => {
    const adjusted = applyOverride(proposal, { amountFen: 1_000_000, reason: ' 举报线索仅部分属实 ' });
    expect(adjusted.amountFen).toBe(1_000_000);
    expect(adjusted.override).toEqual({
      computedAmountFen: 1_500_000,
      amountFen: 1_000_000,
      reason: '举报线索仅部分属实',
    });
    expect(adjusted.explanation).toBe(proposal.explanation);
  });

  it('keeps the computed amount through a second override', () => {
    const once = applyOverride(proposal, { amountFen: yuan(10_000), reason: 'partly substantiated' });
    const twice = applyOverride(once, { amountFen: yuan(12_000), reason: 'reviewed again' });
    expect(twice.override).toEqual({
      computedAmountFen: 1_500_000,
      amountFen: 1_200_000,
      reason: 'reviewed again',
    });
  });

  it.each(['', '   '])('refuses an override without a reason (%j)', (reason) => {
    const error = errorOf(() => applyOverride(proposal, { amountFen: yuan(10_000), reason }));
    expect(error.code).toBe(CODES.reasonRequired);
    expect(error.field).toBe('reason');
  });

  it('refuses a negative or fractional amount, and allows zero', () => {
    const codeFor = (amountFen: number) =>
      errorOf(() => applyOverride(proposal, { amountFen, reason: 'x' })).code;
    expect(codeFor(-1)).toBe(CODES.negativeAmount);
    expect(codeFor(1.5)).toBe(CODES.notAnInteger);
    expect(applyOverride(proposal, { amountFen: 0, reason: 'withdrawn' }).amountFen).toBe(0);
  });
});

describe('invalid input is refused with a stable code', () => {
  const propose = (basis: unknown) => () => proposeRewardAmount(national, basis as RewardBasis);

  const accident = (grade: string, concealedDeaths: number) => ({
    kind: 'concealed-accident',
    grade,
    concealedDeaths,
  });

  it.each([
    ['a negative fine', { kind: 'fine', fineFen: -100 }, CODES.negativeAmount, 'fineFen'],
    ['a fine in fractional fen', { kind: 'fine', fineFen: 100.5 }, CODES.notAnInteger, 'fineFen'],
    ['a fine that is not a number', { kind: 'fine', fineFen: '100' }, CODES.notAnInteger, 'fineFen'],
    ['zero concealed deaths', accident('major', 0), CODES.noConcealedDeaths, 'concealedDeaths'],
    ['fractional deaths', accident('major', 1.5), CODES.notAnInteger, 'concealedDeaths'],
    ['an unknown grade', accident('catastrophic', 1), CODES.unknownGrade, 'grade'],
    ['an inherited key as grade', accident('toString', 1), CODES.unknownGrade, 'grade'],
    ['an unknown basis', { kind: 'bonus' }, CODES.unknownBasis, 'kind'],
  ])('refuses %s', (_name, basis, code, field) => {
    const error = errorOf(propose(basis));
    expect(error).toBeInstanceOf(RewardRuleError);
    expect(error.name).toBe('RewardRuleError');
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
  });
});

describe('validateRewardRule', () => {
  const plain = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(national)) as Record<string, unknown>;

  it('accepts the national rule as plain data (e.g. read from configuration)', () => {
    expect(validateRewardRule(plain())).toEqual(national);
  });

  it('rejects a negative minimum, naming the field', () => {
    const data = plain();
    data['fine'] = { rateBasisPoints: 1_500, minFen: -1, maxFen: 30_000_000 };
    const error = errorOf(() => validateRewardRule(data));
    expect(error.code).toBe(CODES.invalidRule);
    expect(error.field).toBe('fine.minFen');
    expect(error.message).toBe('invalid reward rule: fine.minFen must be >= 0');
  });

  it('rejects a missing grade, an amount in yuan with decimals, and an unknown field', () => {
    const data = plain();
    data['concealedAccident'] = {
      perDeathFen: { general: 30_000.5, larger: 1, major: 1 },
      capFen: 1,
      cap: 1,
    };
    const { message } = errorOf(() => validateRewardRule(data));
    expect(message).toContain('concealedAccident.perDeathFen must have required properties especially_major');
    expect(message).toContain('concealedAccident.perDeathFen.general must be integer');
    expect(message).toContain('concealedAccident.cap is not a known field');
  });

  it('rejects a minimum above the maximum', () => {
    const data = plain();
    data['fine'] = { rateBasisPoints: 1_500, minFen: 2, maxFen: 1 };
    const error = errorOf(() => validateRewardRule(data));
    expect(error.field).toBe('fine.minFen');
    expect(error.message).toBe('invalid reward rule: fine.minFen must not exceed fine.maxFen');
  });

  it('rejects something that is not a rule at all', () => {
    expect(errorOf(() => validateRewardRule(null)).message).toBe(
      'invalid reward rule: (rule) must be object',
    );
  });
});
