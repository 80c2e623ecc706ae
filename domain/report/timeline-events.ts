/**
 * Every kind of event a report's timeline records, with the label people read (dashboard, case
 * write-up). A closed vocabulary: `record` takes only these, so an event without a label does not
 * compile. Wire values: they are in every recorded history; never rename one.
 */
export const TIMELINE_EVENTS = {
  received: '接件',
  policy_fixed: '确定适用政策',
  accepted: '受理',
  rejected: '不予受理',
  assigned: '交办',
  reassigned: '改派',
  returned: '退回',
  return_refused: '退回不予同意',
  recalled: '改派（收回）',
  disputed: '派单异议',
  dispute_resolved: '异议处理',
  verification_started: '开始核查',
  verified: '核查完成',
  listed_supervision: '挂牌督办',
  rectification_ordered: '责令整改',
  rectification_reported: '整改报告',
  rectified: '整改完成',
  review_rejected: '审核不通过',
  written_off: '销号',
  interim_reply_given: '阶段性答复',
  feedback_given: '反馈',
  satisfaction_recorded: '回访评价',
  callback_attempt_failed: '回访未接通',
  callback_unreachable: '回访无法联系',
  reopened: '重新办理',
  reward_pending: '待奖励',
  reward_claimed: '认领奖励',
  reward_proposed: '奖励提议',
  reward_approved: '奖励审批通过',
  reward_adjusted: '奖励审批调整',
  reward_rejected: '奖励审批不予奖励',
  reward_paid: '奖励发放',
  reward_unclaimed: '奖励认领期满未认领',
  closed: '办结',
  withdrawn: '撤回',
  contact_stopped: '举报人撤回（停止联系，继续核查）',
  reward_excluded: '举报人属负有安全监管职责人员或其近亲属，不予奖励',
  merged_into: '合并',
  duplicate_merged: '合并重复件',
  cancelled: '撤销',
  deadline_fixed: '确定时限',
  deadline_warning: '时限预警',
  deadline_missed: '逾期',
  escalated: '督办',
  clock_paused: '时限暂停',
  clock_resumed: '时限恢复',
  deadline_shifted: '时限顺延',
  extension_requested: '延期申请',
  extension_decided: '延期审批',
  clock_stopped: '环节完成',
  projection_failed: '读模型写入失败',
} as const;
export type TimelineEventType = keyof typeof TIMELINE_EVENTS;
export const TIMELINE_EVENT_TYPES = Object.keys(TIMELINE_EVENTS) as TimelineEventType[];

/**
 * Every kind of notification the outbox carries, with what it is. Closed like the timeline: a
 * notification of a kind not listed here does not compile, so no message leaves without a name a
 * delivery channel can choose a template by.
 */
export const NOTIFICATION_KINDS = {
  rejection_notice: '不予受理告知',
  assignment_notice: '交办通知',
  returned_notice: '退回通知',
  return_refused_notice: '退回不予同意通知',
  recalled_notice: '改派收回通知',
  extension_request: '延期申请待审批',
  extension_decision: '延期审批结果',
  dispute_notice: '派单异议通知',
  listed_supervision: '挂牌督办通知',
  review_requested: '整改审核请求',
  review_rejected: '整改审核不通过通知',
  reopened_notice: '重新办理通知',
  interim_reply: '阶段性答复',
  feedback_to_reporter: '办理结果反馈',
  reward_paid: '奖励发放通知',
  deadline_warning: '时限预警',
  deadline_missed: '逾期通知',
  escalated: '督办通知',
  projection_failed: '读模型写入失败告警',
} as const;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
