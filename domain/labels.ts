import type { StageName } from './report/report-state.js';
import { TIMELINE_EVENTS, type TimelineEventType } from './report/timeline-events.js';
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
/** The timeline's labels live with its vocabulary (report/timeline-events.ts). */
export const EVENT_LABELS: Readonly<Record<TimelineEventType, string>> = TIMELINE_EVENTS;

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
