import type postgres from 'postgres';
import type { Policy } from '../../domain/policy.js';
import type { RewardBasis } from '../../domain/reward-rule.js';
import type { ClockName, Urgency } from '../../domain/vocabulary.js';
import { CLOCKS } from '../../domain/vocabulary.js';
import { whatIfTally, type ReportFact, type WhatIfResult, type WhatIfRow } from '../../domain/what-if.js';
import type { Table } from './tabular.js';
import { workCalendar } from '../../domain/work-calendar.js';
import type { DeadlineCalendar } from '../../domain/deadline-schedule.js';

/**
 * Reads the recorded facts of every report received in [from, to) — its urgency, the handler's
 * rectification deadline, the policy version it ran under (its last `policy_fixed` event) and its
 * clocks — in batches, and runs the what-if over them (domain/what-if.ts).
 */
export async function runWhatIf(
  sql: postgres.Sql,
  policyOf: (id: string, version: number) => Policy,
  proposal: Policy,
  period: { from: Date; to: Date },
  opts: { batchSize?: number; calendar?: DeadlineCalendar } = {},
): Promise<WhatIfResult> {
  const batchSize = opts.batchSize ?? 5000;
  // The calendar the system counts with now (imported years included), else the shipped one.
  const tally = whatIfTally(proposal, opts.calendar ?? workCalendar);
  let after = '';
  for (;;) {
    const reports = await sql<
      {
        report_id: string;
        urgency: Urgency;
        rectification_due_at: Date | null;
        policy: { id: string; version: number } | null;
        reward: { basis?: RewardBasis; computedAmountFen?: number } | null;
      }[]
    >`
      select r.report_id, r.urgency, r.rectification_due_at,
        (select e.data from report_events e
          where e.report_id = r.report_id and e.type in ('policy_fixed', 'policy_adopted')
          order by e.sequence desc limit 1) as policy,
        (select e.data from report_events e
          where e.report_id = r.report_id and e.type = 'reward_proposed'
          order by e.sequence desc limit 1) as reward
      from reports r
      where r.received_at >= ${period.from} and r.received_at < ${period.to} and r.report_id > ${after}
      order by r.report_id limit ${batchSize}`;
    if (reports.length === 0) break;
    after = reports.at(-1)!.report_id;
    const clocks = await sql<
      {
        report_id: string;
        clock: ClockName;
        occurrence: number;
        unit_id: string | null;
        started_at: Date;
        due_at: Date;
        stopped_at: Date | null;
        ended_how: string | null;
        misrouted: boolean;
      }[]
    >`
      select report_id, clock, occurrence, unit_id, started_at, due_at, stopped_at, ended_how, misrouted
      from report_clocks where report_id in ${sql(reports.map((r) => r.report_id))}
      order by report_id, clock, occurrence`;
    // (Map.groupBy is Node 21+; Node 20 is supported.)
    const byReport = new Map<string, (typeof clocks)[number][]>();
    for (const c of clocks) byReport.set(c.report_id, [...(byReport.get(c.report_id) ?? []), c]);
    for (const r of reports) {
      if (!r.policy) continue; // never accepted far enough to fix a policy: nothing to judge
      const fact: ReportFact = {
        reportId: r.report_id,
        urgency: r.urgency,
        rectificationDueAt: r.rectification_due_at?.toISOString() ?? null,
        policy: policyOf(r.policy.id, r.policy.version),
        // Proposals before 0.8 did not record their basis: they are not compared.
        ...(r.reward?.basis && r.reward.computedAmountFen !== undefined
          ? { reward: { basis: r.reward.basis, computedAmountFen: r.reward.computedAmountFen } }
          : {}),
        clocks: (byReport.get(r.report_id) ?? []).map((c) => ({
          clock: c.clock,
          occurrence: c.occurrence,
          unitId: c.unit_id,
          startedAt: c.started_at.toISOString(),
          dueAt: c.due_at.toISOString(),
          stoppedAt: c.stopped_at?.toISOString() ?? null,
          endedHow: c.ended_how,
          misrouted: c.misrouted,
        })),
      };
      tally.add(fact);
    }
  }
  return tally.result();
}

const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/** The what-if as one sheet: each step's total (unit 全部), then each step by unit. */
export function whatIfTable(result: WhatIfResult): Table<WhatIfRow> {
  return {
    title: `what-if ${result.proposal.id} v${result.proposal.version}`,
    columns: [
      { header: '环节', width: 14, value: (r) => CLOCKS[r.clock] ?? r.clock },
      { header: '承办单位', width: 14, value: (r) => r.unitId ?? '全部' },
      { header: '办结数', width: 10, value: (r) => r.completed },
      { header: '原按时数', width: 10, value: (r) => r.onTimeBefore },
      { header: '新按时数', width: 10, value: (r) => r.onTimeAfter },
      { header: '原按时率', width: 10, value: (r) => rate(r.onTimeBefore, r.completed) },
      { header: '新按时率', width: 10, value: (r) => rate(r.onTimeAfter, r.completed) },
      { header: '新增逾期', width: 10, value: (r) => r.breachesAppear },
      { header: '消除逾期', width: 10, value: (r) => r.breachesDisappear },
    ],
    rows: [...result.byStep, ...result.byUnit],
  };
}
