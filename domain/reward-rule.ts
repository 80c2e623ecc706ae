import Type, { type Static, type TProperties } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The reward rule as policy data, and the pure computation of a proposed amount. No I/O, no clock:
 * safe in the workflow sandbox. Money is integer fen (分) throughout.
 *
 * Reading of 《安全生产领域举报奖励办法》(安监总财〔2018〕19号). Article numbers as recalled from
 * the published text; only 第四条 was checked against a copy here, confirm the others against the
 * gazetted text before quoting them to a reporter:
 * - 第十一条 (eligibility): a report of a 重大事故隐患 or 安全生产违法行为 that the unit and the
 *   supervisors had not found (or found and not handled), 经核查属实, earns a cash reward; staff with
 *   safety duties and their close relatives are excluded. Eligibility, including 第四条's 谁受理、谁奖励
 *   and the first real-name reporter of 第十二条, is decided upstream, not here.
 * - 第十四条 (amounts): (一) 重大事故隐患、违法生产经营建设: 15% of the administrative penalty
 *   (行政处罚金额), 最低 ¥3,000, 最高 ¥300,000. (二) 瞒报、谎报事故: by the finally confirmed accident
 *   grade, per substantiated concealed death ¥30,000 / 40,000 / 50,000 / 60,000 (一般/较大/重大/
 *   特别重大), 最高 ¥300,000.
 * The entitlement comes from substantiation, the penalty only measures it, and the floor is stated
 * without condition: a substantiated report with no fine (fineFen 0) gets the minimum. A caller whose
 * penalty decision is still pending should wait for it rather than pass 0.
 *
 * Rounding: 15% is taken exactly in fen and rounded half up to the fen (四舍五入; amounts are never
 * negative, so half up is half away from zero). Whole-yuan fines never round (15% of ¥N is 15·N fen);
 * rounding to the yuan would shave up to ¥0.50 off what the 办法 awards, so the fen it is.
 */

export const ACCIDENT_GRADES = {
  general: '一般事故',
  larger: '较大事故',
  major: '重大事故',
  especially_major: '特别重大事故',
} as const;
export type AccidentGrade = keyof typeof ACCIDENT_GRADES;

const Fen = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Closed = <P extends TProperties>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });

export const RewardRuleSchema = Closed({
  id: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  source: Type.String({ minLength: 1 }),
  fine: Closed({ rateBasisPoints: Type.Integer({ minimum: 0, maximum: 10_000 }), minFen: Fen, maxFen: Fen }),
  concealedAccident: Closed({
    perDeathFen: Closed({ general: Fen, larger: Fen, major: Fen, especially_major: Fen }),
    capFen: Fen,
  }),
});
export type RewardRule = Static<typeof RewardRuleSchema>;

/**
 * 最高 ¥300,000 a report (第十四条, both bases): the hard cap of the national rule. No rule may give
 * more, and no override, adjustment, approval or payment may pass it.
 */
export const LEGAL_MAX_REWARD_FEN = 30_000_000;

/** The most a report can be paid under `rule`, whatever the basis and however it is adjusted. */
export const maxRewardFen = (rule: RewardRule): number =>
  Math.min(LEGAL_MAX_REWARD_FEN, Math.max(rule.fine.maxFen, rule.concealedAccident.capFen));

/** The national defaults of 安监总财〔2018〕19号; a local policy is another value of the same schema. */
export const nationalRewardRule2018: RewardRule = Object.freeze({
  id: 'national-2018',
  version: 1,
  source: '《安全生产领域举报奖励办法》安监总财〔2018〕19号（国家安全监管总局、财政部，2018-01-04）',
  fine: Object.freeze({ rateBasisPoints: 1_500, minFen: 300_000, maxFen: 30_000_000 }),
  concealedAccident: Object.freeze({
    perDeathFen: Object.freeze({
      general: 3_000_000,
      larger: 4_000_000,
      major: 5_000_000,
      especially_major: 6_000_000,
    }),
    capFen: 30_000_000,
  }),
});

export type RewardBasis =
  | { readonly kind: 'fine'; readonly fineFen: number }
  | { readonly kind: 'concealed-accident'; readonly grade: AccidentGrade; readonly concealedDeaths: number };

export interface RewardOverride {
  /** What the rule computed, kept however often the amount is overridden. */
  readonly computedAmountFen: number;
  readonly amountFen: number;
  readonly reason: string;
}

export interface RewardProposal {
  /** The amount to approve: the computed one, or the override's when there is one. */
  readonly amountFen: number;
  readonly basis: RewardBasis;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly explanation: string;
  readonly override?: RewardOverride;
}

export const REWARD_RULE_ERROR_CODES = {
  negativeAmount: 'REWARD_NEGATIVE_AMOUNT',
  notAnInteger: 'REWARD_NOT_AN_INTEGER',
  noConcealedDeaths: 'REWARD_NO_CONCEALED_DEATHS',
  unknownGrade: 'REWARD_UNKNOWN_ACCIDENT_GRADE',
  unknownBasis: 'REWARD_UNKNOWN_BASIS',
  reasonRequired: 'REWARD_OVERRIDE_REASON_REQUIRED',
  invalidRule: 'REWARD_INVALID_RULE',
} as const;
export type RewardRuleErrorCode = (typeof REWARD_RULE_ERROR_CODES)[keyof typeof REWARD_RULE_ERROR_CODES];

/** Invalid input to the reward rule; `code` is stable (map it to an ApplicationFailure type). */
export class RewardRuleError extends Error {
  override readonly name = 'RewardRuleError';
  constructor(
    readonly code: RewardRuleErrorCode,
    /** The offending field, dotted for policy data (`fine.minFen`). */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Validates policy data (e.g. a local rule from configuration); the message names every bad field. */
export function validateRewardRule(data: unknown): RewardRule {
  if (!Value.Check(RewardRuleSchema, data)) {
    // An unknown key yields an `additionalProperties` error on its parent and a `boolean` one on itself.
    const errors = Value.Errors(RewardRuleSchema, data).filter((e) => e.keyword !== 'additionalProperties');
    const problems = errors.map((e) => {
      const field = fieldOf(e.instancePath);
      return e.keyword === 'boolean' ? `${field} is not a known field` : `${field} ${e.message}`;
    });
    const field = fieldOf(errors[0]?.instancePath ?? '');
    const message = `invalid reward rule: ${[...new Set(problems)].join('; ')}`;
    throw new RewardRuleError(REWARD_RULE_ERROR_CODES.invalidRule, field, message);
  }
  if (data.fine.minFen > data.fine.maxFen) {
    const message = 'invalid reward rule: fine.minFen must not exceed fine.maxFen';
    throw new RewardRuleError(REWARD_RULE_ERROR_CODES.invalidRule, 'fine.minFen', message);
  }
  for (const [field, fen] of [
    ['fine.maxFen', data.fine.maxFen],
    ['concealedAccident.capFen', data.concealedAccident.capFen],
  ] as const) {
    if (fen > LEGAL_MAX_REWARD_FEN) {
      const message = `invalid reward rule: ${field} exceeds the legal maximum of ${yuan(LEGAL_MAX_REWARD_FEN)} a report`;
      throw new RewardRuleError(REWARD_RULE_ERROR_CODES.invalidRule, field, message);
    }
  }
  return data;
}

/** Proposes the amount the rule gives for a substantiated report. Eligibility is the caller's. */
export function proposeRewardAmount(rule: RewardRule, basis: RewardBasis): RewardProposal {
  const made = (amountFen: number, explanation: string): RewardProposal => {
    return { amountFen, basis, ruleId: rule.id, ruleVersion: rule.version, explanation };
  };
  switch (basis.kind) {
    case 'fine': {
      requireInteger('fineFen', basis.fineFen, 0, REWARD_RULE_ERROR_CODES.negativeAmount);
      const { rateBasisPoints: bp, minFen, maxFen } = rule.fine;
      // fine = q·10000 + r, so no product leaves the safe-integer range; + 5000 rounds half up.
      const q = Math.floor(basis.fineFen / 10_000);
      const r = basis.fineFen % 10_000;
      const computed = q * bp + Math.floor((r * bp + 5_000) / 10_000);
      const amount = Math.min(maxFen, Math.max(minFen, computed));
      const product = `${rate(bp)} × ${yuan(basis.fineFen)} = ${yuan(computed)}`;
      return made(amount, explain(`罚款 ${product}`, `fine ${product}`, computed, amount));
    }
    case 'concealed-accident': {
      const { grade, concealedDeaths: deaths } = basis;
      if (!Object.hasOwn(ACCIDENT_GRADES, grade)) {
        fail(REWARD_RULE_ERROR_CODES.unknownGrade, 'grade', `unknown accident grade "${String(grade)}"`);
      }
      requireInteger('concealedDeaths', deaths, 1, REWARD_RULE_ERROR_CODES.noConcealedDeaths);
      const per = rule.concealedAccident.perDeathFen[grade];
      const computed = deaths * per;
      const amount = Math.min(rule.concealedAccident.capFen, computed);
      const product = `× ${yuan(per)} = ${yuan(computed)}`;
      const zh = `${ACCIDENT_GRADES[grade]}瞒报谎报死亡 ${deaths} 人 ${product}`;
      const en = `${grade.replace('_', ' ')} accident, ${deaths} concealed death(s) ${product}`;
      return made(amount, explain(zh, en, computed, amount));
    }
    default: {
      const kind = String((basis as { kind?: unknown }).kind);
      return fail(REWARD_RULE_ERROR_CODES.unknownBasis, 'kind', `unknown basis "${kind}"`);
    }
  }
}

/**
 * The department head's adjustment (调整): any non-negative integer amount, with a non-empty reason.
 * The computed amount is kept, so a second override still records what the rule gave.
 */
export function applyOverride(
  proposal: RewardProposal,
  override: { readonly amountFen: number; readonly reason: string },
): RewardProposal {
  const { amountFen } = override;
  requireInteger('amountFen', amountFen, 0, REWARD_RULE_ERROR_CODES.negativeAmount);
  const reason = typeof override.reason === 'string' ? override.reason.trim() : '';
  if (reason === '') fail(REWARD_RULE_ERROR_CODES.reasonRequired, 'reason', 'an override needs a reason');
  const computedAmountFen = proposal.override?.computedAmountFen ?? proposal.amountFen;
  return { ...proposal, amountFen, override: { computedAmountFen, amountFen, reason } };
}

function explain(zh: string, en: string, computed: number, amount: number): string {
  const a = yuan(amount);
  if (amount > computed) return `${zh}，低于最低奖励，按 ${a}; ${en}, raised to the minimum ${a}`;
  if (amount < computed) return `${zh}，超过最高奖励，按 ${a}; ${en}, limited to the maximum ${a}`;
  return `${zh}; ${en}`;
}

function requireInteger(field: string, value: number, min: number, belowMin: RewardRuleErrorCode): void {
  if (!Number.isSafeInteger(value)) {
    fail(REWARD_RULE_ERROR_CODES.notAnInteger, field, `must be an integer, got ${String(value)}`);
  }
  if (value < min) fail(belowMin, field, `must be at least ${min}, got ${value}`);
}

function fail(code: RewardRuleErrorCode, field: string, detail: string): never {
  throw new RewardRuleError(code, field, `${field} ${detail}`);
}

function fieldOf(instancePath: string): string {
  return instancePath === '' ? '(rule)' : instancePath.slice(1).replaceAll('/', '.');
}

/** ¥1,234.56 from a non-negative amount in fen, without Intl (its data differs between hosts). */
export function yuan(fen: number): string {
  const whole = Math.floor(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `¥${whole}.${(fen % 100).toString().padStart(2, '0')}`;
}

function rate(bp: number): string {
  const frac = (bp % 100).toString().padStart(2, '0').replace(/0+$/, '');
  return `${Math.floor(bp / 100)}${frac ? `.${frac}` : ''}%`;
}
