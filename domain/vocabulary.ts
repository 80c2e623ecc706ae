/**
 * The domain's vocabulary as wire values (see ../shared/DESIGN.md). Constants are `as const`
 * objects with a same-named type; the values travel in workflow histories and the API, so renaming
 * one is a versioning change.
 */

const values = <T extends Record<string, string>>(o: T) => Object.keys(o) as (keyof T & string)[];

/** 来源渠道 */
export const CHANNELS = {
  hotline_12345: '12345热线',
  suishenpai: '随申拍',
  web: '网站',
  phone: '电话',
  mailbox: '信箱',
  transfer: '上级转办',
  walk_in: '来访',
  open311: 'Open311 客户端',
} as const;
export type Channel = keyof typeof CHANNELS;
export const CHANNEL_VALUES = values(CHANNELS);

/** 紧急程度: emergency 紧急类, general 一般类, accident 事故类 (an accident, or one concealed). */
export const URGENCIES = { general: '一般类', emergency: '紧急类', accident: '事故类' } as const;
export type Urgency = keyof typeof URGENCIES;
export const URGENCY_VALUES = values(URGENCIES);

/** 隐患类别, as district statistics count them. */
export const CATEGORIES = {
  production_safety: '生产安全',
  fire: '消防安全',
  special_equipment: '特种设备',
  occupational_health: '职业健康',
  other: '其他',
} as const;
export type Category = keyof typeof CATEGORIES;
export const CATEGORY_VALUES = values(CATEGORIES);

/** 行业领域 */
export const DOMAINS = {
  hazardous_chemicals: '危化品',
  construction: '建筑施工',
  gas: '燃气',
  fire_safety: '消防',
  transport: '交通运输',
  special_equipment: '特种设备',
  industry_trade: '工贸',
  underground_pipelines: '地下管线',
  high_rise: '高层建筑',
  plants_warehouses: '厂房仓库',
  e_bikes: '电动自行车',
  hot_work: '电气焊作业',
  other: '其他',
} as const;
export type HazardDomain = keyof typeof DOMAINS;
export const DOMAIN_VALUES = values(DOMAINS);

/** 核查结论 */
export const VERIFICATION_OUTCOMES = {
  substantiated: '属实',
  partly: '部分属实',
  unsubstantiated: '不属实',
} as const;
export type VerificationOutcome = keyof typeof VERIFICATION_OUTCOMES;
export const VERIFICATION_OUTCOME_VALUES = values(VERIFICATION_OUTCOMES);

/** 整改措施 */
export const MEASURES = {
  order_rectification: '责令整改',
  warning_interview: '警示约谈',
  suspension: '停产停业',
  administrative_penalty: '行政处罚',
} as const;
export type Measure = keyof typeof MEASURES;
export const MEASURE_VALUES = values(MEASURES);

/** 回访满意度 */
export const SATISFACTION = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
} as const;
export type Satisfaction = keyof typeof SATISFACTION;
export const SATISFACTION_VALUES = values(SATISFACTION);

/** Who may act. A handler is scoped to its unit. */
export const ROLES = {
  intake: '接件',
  dispatcher: '指挥中心',
  handler: '承办单位',
  reviewer: '审核部门',
  reward_proposer: '核查组',
  reward_approver: '部门负责人',
  finance: '财政',
  supervisor: '督办',
  admin: '管理员',
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_VALUES = values(ROLES);

/** 督办 ladder rungs, in the order a policy normally lists them. */
export const RUNGS = {
  urge: '催办',
  circular: '函告/通报',
  interview: '约谈',
  listed_supervision: '挂牌督办',
  // From policy version 5 on, the last rung: public notice of the unit that let it slip.
  exposure: '曝光',
} as const;
export type Rung = keyof typeof RUNGS;

/** 督办 by people (policy version 5 on): what a supervisor or dispatcher may do to any open report. */
export const SUPERVISION_ACTIONS = {
  urge: '催办',
  supervision_notice: '督办单',
  circular: '通报',
  interview: '约谈',
  listed_supervision: '挂牌督办',
  exposure: '曝光',
} as const;
export type SupervisionAction = keyof typeof SUPERVISION_ACTIONS;
export const SUPERVISION_ACTION_VALUES = values(SUPERVISION_ACTIONS);
export const RUNG_VALUES = values(RUNGS);

/** The clocks a report can run; each has a deadline from the policy (rectification: from the handler). */
export const CLOCKS = {
  acceptance: '受理',
  assignment: '交办',
  verification: '核查',
  rectification: '整改',
  review: '审核销号',
  feedback: '反馈',
  reward_proposal: '奖励提议',
  reward_approval: '奖励审批',
  reward_payment: '奖励发放',
  // From policy version 3 on, so that no stage waits without a clock:
  dispute_decision: '派单异议处理',
  rectification_order: '责令整改',
  final_reply: '最终答复',
  callback: '回访',
  reward_claim: '奖励认领',
  // From policy version 4 on: verification runs from acceptance; a later unit has its own clock.
  unit_verification: '承办单位核查',
  // From policy version 5 on: an extension request waits for its decision.
  extension_decision: '延期审批',
  supervision_reply: '督办单回复',
  listing_review: '挂牌督办复核',
  interview: '约谈',
  // From policy version 6 on: the unit signs for an assignment.
  acknowledgement: '签收',
  // From policy version 7 on: a supporting unit (协办) answers the lead unit (主办).
  support_reply: '协办回复',
} as const;
export type ClockName = keyof typeof CLOCKS;
export const CLOCK_VALUES = values(CLOCKS);

/** The person behind a step, as the API authenticated them. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** Set for handlers: the unit they act for. */
  readonly unitId?: string;
}
