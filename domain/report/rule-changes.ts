/**
 * Changes to what a step decides, made after release 0.1.0. Reports live for weeks: a report
 * whose history was recorded under the old rules must replay exactly as it ran, so each change
 * has a Temporal patch id, and a workflow applies it only where `patched(id)` says the history
 * took (or is now taking) the new path. An Update validator always judges by the newest rules:
 * it does not run on replay, and a step it refuses leaves nothing in the history.
 *
 * Patch ids are wire names: never rename one, never reuse one.
 */
export const RULE_CHANGES = {
  /** 0.2: no reward override, adjustment, approval or payment above the rule's maximum. */
  rewardCap: 'bihuan-0.2-reward-cap',
  /** 0.3: a major hazard's 挂牌督办 at verification is a row in `escalations`, counted per rung. */
  listedSupervisionRow: 'bihuan-0.3-listed-supervision-row',
  /** 0.8: the reporter is told the report was accepted (受理告知), as the hotline is. */
  acceptanceNotice: 'bihuan-0.8-acceptance-notice',
  /** 0.9: an open report may adopt another policy version, and recompute after a calendar import. */
  deadlineRecompute: 'bihuan-0.9-deadline-recompute',
} as const;

export type RuleChange = keyof typeof RULE_CHANGES;
/** Which rule changes apply to the step at hand. */
export type RuleSet = { readonly [K in RuleChange]: boolean };

/** Every change applies: what a validator, and every new report, judges by. */
export const NEWEST_RULES: RuleSet = Object.freeze(
  Object.fromEntries(Object.keys(RULE_CHANGES).map((k) => [k, true])) as RuleSet,
);

/** The rule set a workflow applies now, given its `patched` (workflows/ passes the SDK's). */
export const rulesFor = (patched: (id: string) => boolean): RuleSet =>
  Object.fromEntries(
    (Object.keys(RULE_CHANGES) as RuleChange[]).map((k) => [k, patched(RULE_CHANGES[k])]),
  ) as RuleSet;
