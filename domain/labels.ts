import type { StageName } from './report/report-state.js';
import {
  CATEGORIES,
  CHANNELS,
  CLOCKS,
  DOMAINS,
  MEASURES,
  SATISFACTION,
  URGENCIES,
  VERIFICATION_OUTCOMES,
} from './vocabulary.js';

/**
 * Chinese labels for what supervisors read in exports and write-ups. Wire values stay English
 * (they travel in histories); people read these.
 */
export const STAGE_LABELS: Record<StageName, string> = {
  received: '待受理',
  accepted: '已受理',
  assigned: '已交办',
  returned: '已退回',
  disputed: '派单异议',
  verifying: '核查中',
  verified: '已核查',
  rectifying: '整改中',
  rectification_reported: '整改已报告',
  awaiting_feedback: '待反馈',
  feedback_given: '已反馈',
  reward_pending: '待奖励',
  reward_proposed: '奖励已提议',
  reward_approved: '奖励已审批',
  closed: '已办结',
  rejected: '不予受理',
  withdrawn: '已撤回',
  merged: '已合并',
  cancelled: '已撤销',
};

export const CLOSURE_LABELS: Record<string, string> = {
  unsubstantiated: '举报不属实',
  handled: '已处理',
  reward_paid: '已奖励',
  reward_rejected: '不予奖励',
  reward_unclaimed: '奖励未领取',
  reward_ineligible: '不符合奖励条件',
};

/** What each timeline event is called (the workflow's event types). */
export const EVENT_LABELS: Record<string, string> = {
  received: '接件',
  accepted: '受理',
  rejected: '不予受理',
  assigned: '交办',
  returned: '退回',
  disputed: '派单异议',
  dispute_resolved: '异议处理',
  verification_started: '开始核查',
  verified: '核查完成',
  rectification_ordered: '责令整改',
  rectification_reported: '整改报告',
  rectified: '整改完成',
  written_off: '销号',
  review_rejected: '审核不通过',
  feedback_given: '反馈',
  satisfaction_recorded: '回访评价',
  reopened: '重新办理',
  reward_pending: '待奖励',
  reward_claimed: '认领奖励',
  reward_proposed: '奖励提议',
  reward_decided: '奖励审批',
  reward_paid: '奖励发放',
  closed: '办结',
  withdrawn: '撤回',
  merged_into: '合并',
  cancelled: '撤销',
  deadline_fixed: '确定时限',
  deadline_warning: '时限预警',
  deadline_missed: '逾期',
  clock_paused: '时限暂停',
  clock_resumed: '时限恢复',
  clock_stopped: '环节完成',
  duplicate_merged: '合并重复件',
  escalated: '督办',
  listed_supervision: '挂牌督办',
};

const tables: Record<string, Record<string, string>> = {
  stage: STAGE_LABELS,
  channel: CHANNELS,
  urgency: URGENCIES,
  category: CATEGORIES,
  domain: DOMAINS,
  clock: CLOCKS,
  measure: MEASURES,
  satisfaction: SATISFACTION,
  outcome: VERIFICATION_OUTCOMES,
  closure: CLOSURE_LABELS,
};

/** The label of a wire value, or the value itself when it has none (never an empty cell for a value). */
export const label = (kind: keyof typeof tables, value: string | null | undefined): string =>
  value == null ? '' : (tables[kind]?.[value] ?? value);

const BEIJING = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `2026-11-23 09:30`, Beijing time: how a district office writes an instant. */
export const beijingTime = (d: Date | string | null | undefined): string =>
  d == null ? '' : BEIJING.format(typeof d === 'string' ? new Date(d) : d);

/** `2026-11-23`, Beijing time. */
export const beijingDate = (d: Date | string | null | undefined): string => beijingTime(d).slice(0, 10);
