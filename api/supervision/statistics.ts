import type postgres from 'postgres';
import type { Actor } from '../../domain/vocabulary.js';
import { reportFilter, type Fragment, type ReportFilterQuery } from '../reports/report-filter.js';

/**
 * The figures supervisors are judged on, over the reports a list filter selects (the same filter
 * as GET /v1/reports, so a figure and the list it summarises never disagree). Every rate carries
 * its formula, in the words of district reports, so a figure can be recomputed by hand.
 */
export type StatisticsFilter = ReportFilterQuery;

export interface Rate {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
  readonly formula: string;
}

export const rate = (numerator: number, denominator: number, formula: string): Rate => ({
  value: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
  numerator,
  denominator,
  formula,
});

export const FORMULAS = {
  rectificationRate: '整改率 = 已整改隐患数 ÷ 发现隐患数 (hazards in rectified reports ÷ hazards found)',
  substantiationRate: '属实率 = 属实（含部分属实）件数 ÷ 已核查件数',
  satisfactionRate: '满意率 = 回访答“满意”或“基本满意”的件数 ÷ 回访作出评价的件数',
  responseRate: '响应率 = 按时受理（受理时限内受理或不予受理）件数 ÷ 已受理或不予受理件数',
  unitResponseRate:
    '响应率（承办单位）= 时限内签收的件数 ÷ 已签收的件数（签收时限，第 6 版政策起；此前的报告以反馈时限内联系答复举报人计，计入到期或答复时的承办单位）',
  resolutionRate: '解决率 = 回访答“已解决”的件数 ÷ 回访回答是否解决的件数',
  onTimeRate: '按时率 = 时限内完成的环节数 ÷ 已完成的环节数（不含误派：退回或异议改派期间的环节）',
} as const;

interface ReportFigures {
  received: number;
  accepted: number;
  rejected: number;
  open: number;
  closed: number;
  withdrawn: number;
  merged: number;
  cancelled: number;
  verified: number;
  substantiated: number;
  unsubstantiated: number;
  reports_with_hazards: number;
  hazards_found: number;
  major_hazards: number;
  rectified_reports: number;
  hazards_rectified: number;
  written_off: number;
  rated: number;
  satisfied: number;
  basically_satisfied: number;
  unsatisfied: number;
  resolved: number;
  answered_resolved: number;
  overdue: number;
  returns: number;
  returns_refused: number;
  disputes: number;
  misrouted_reports: number;
  rewards_proposed: number;
  rewards_proposed_fen: string;
  rewards_approved: number;
  rewards_approved_fen: string;
  rewards_paid: number;
  rewards_paid_fen: string;
}

interface StepRow {
  clock: string;
  started: number;
  completed: number;
  on_time: number;
  misrouted: number;
  running_overdue: number;
  mean_hours: number | null;
  p90_hours: number | null;
}

/**
 * The reports a filter selects, said three ways so that each figure reads only its period: the
 * report rows (`reports r`), their ids, and their clocks (`report_clocks c` joined to `reports r`,
 * bounded also by the clock's own copy of received_at, which an index orders).
 */
export interface Selection {
  readonly reports: Fragment;
  readonly reportIds: Fragment;
  readonly clocks: Fragment;
  /** The period alone, over the clocks of another alias (`true` when the filter has none). */
  readonly clockPeriod: (alias: 'a' | 'c') => Fragment;
}

export function selectionOf(sql: postgres.Sql, caller: Actor, filter: StatisticsFilter): Selection {
  const reports = reportFilter(sql, caller, filter, 'r');
  const clockPeriod = (alias: 'a' | 'c') => {
    const receivedAt = sql.unsafe<postgres.Row[]>(`${alias}.received_at`);
    return [
      ...(filter.receivedFrom === undefined ? [] : [sql`${receivedAt} >= ${filter.receivedFrom}`]),
      ...(filter.receivedTo === undefined ? [] : [sql`${receivedAt} < ${filter.receivedTo}`]),
    ].reduce((acc, p) => sql`${acc} and ${p}`, sql`true`);
  };
  return {
    reports,
    reportIds: sql`select r.report_id from reports r where ${reports}`,
    clocks: sql`${reports} and ${clockPeriod('c')}`,
    clockPeriod,
  };
}

/** A step's duration in hours (date_part is float8; extract would compute in numeric, ~2× slower). */
const HOURS = "date_part('epoch', c.stopped_at - c.started_at) / 3600";

export async function computeStatistics(sql: postgres.Sql, caller: Actor, filter: StatisticsFilter) {
  const selection = selectionOf(sql, caller, filter);
  const { reports, reportIds, clocks } = selection;
  const hours = sql.unsafe<postgres.Row[]>(HOURS);
  // Independent reads of the same selection, on as many connections: the figures arrive together.
  const [[figures], steps, rungs, events, groups] = await Promise.all([
    sql<ReportFigures[]>`
    select
      count(*)::int as received,
      count(*) filter (where r.accepted_at is not null)::int as accepted,
      count(*) filter (where r.stage = 'rejected')::int as rejected,
      count(*) filter (where r.stage not in ('closed', 'rejected', 'withdrawn', 'merged', 'cancelled'))::int as open,
      count(*) filter (where r.stage = 'closed')::int as closed,
      count(*) filter (where r.stage = 'withdrawn')::int as withdrawn,
      count(*) filter (where r.stage = 'merged')::int as merged,
      count(*) filter (where r.stage = 'cancelled')::int as cancelled,
      count(*) filter (where r.verified_at is not null)::int as verified,
      count(*) filter (where r.verification_outcome in ('substantiated', 'partly'))::int as substantiated,
      count(*) filter (where r.verification_outcome = 'unsubstantiated')::int as unsubstantiated,
      count(*) filter (where r.hazards_found > 0)::int as reports_with_hazards,
      coalesce(sum(r.hazards_found), 0)::int as hazards_found,
      count(*) filter (where r.major_hazard)::int as major_hazards,
      count(*) filter (where r.rectified_at is not null)::int as rectified_reports,
      coalesce(sum(r.hazards_found) filter (where r.rectified_at is not null), 0)::int as hazards_rectified,
      count(*) filter (where r.written_off_at is not null)::int as written_off,
      count(*) filter (where r.satisfaction is not null)::int as rated,
      count(*) filter (where r.satisfaction = 'satisfied')::int as satisfied,
      count(*) filter (where r.satisfaction = 'basically_satisfied')::int as basically_satisfied,
      count(*) filter (where r.satisfaction = 'unsatisfied')::int as unsatisfied,
      count(*) filter (where r.resolved)::int as resolved,
      count(*) filter (where r.resolved is not null)::int as answered_resolved,
      count(*) filter (where r.overdue)::int as overdue,
      coalesce(sum(r.returns), 0)::int as returns,
      coalesce(sum(r.returns_refused), 0)::int as returns_refused,
      coalesce(sum(r.disputes), 0)::int as disputes,
      count(*) filter (where r.misrouted)::int as misrouted_reports,
      count(*) filter (where r.reward_proposed_fen is not null)::int as rewards_proposed,
      coalesce(sum(r.reward_proposed_fen), 0)::text as rewards_proposed_fen,
      count(*) filter (where r.reward_approved_fen is not null)::int as rewards_approved,
      coalesce(sum(r.reward_approved_fen), 0)::text as rewards_approved_fen,
      count(*) filter (where r.reward_paid_fen is not null)::int as rewards_paid,
      coalesce(sum(r.reward_paid_fen), 0)::text as rewards_paid_fen
    from reports r where ${reports}`,

    // A step counts as completed only when it was done (ended_how = 'done'): a clock stopped by a
    // withdrawal, merge or cancellation, or replaced by a new deadline, is neither on time nor late.
    sql<StepRow[]>`
    select c.clock,
      count(*)::int as started,
      count(*) filter (where c.ended_how = 'done' and not c.misrouted)::int as completed,
      count(*) filter (where c.on_time and not c.misrouted)::int as on_time,
      count(*) filter (where c.misrouted)::int as misrouted,
      count(*) filter (where c.stopped_at is null and c.overdue)::int as running_overdue,
      avg(${hours}) filter (where c.ended_how = 'done' and not c.misrouted) as mean_hours,
      percentile_cont(0.9) within group (order by ${hours})
        filter (where c.ended_how = 'done' and not c.misrouted) as p90_hours
    from report_clocks c join reports r using (report_id) where ${clocks}
    group by c.clock order by c.clock`,

    sql<{ rung: string; count: number }[]>`
    select rung, count(*)::int as count from escalations where report_id in (${reportIds})
    group by rung order by rung`,

    // 督办 by people, 延期, pauses decided and 协办, counted from the timeline events the read model keeps.
    sql<{ type: string; detail: string | null; count: number }[]>`
    select type,
      case type when 'supervised' then data ->> 'action'
        when 'extension_decided' then data ->> 'decision'
        when 'pause_decided' then data ->> 'decision' end as detail,
      count(*)::int as count
    from report_events
    where type in ('supervised', 'supervision_replied', 'interview_called', 'interview_held', 'listing_lifted',
                   'extension_requested', 'extension_decided', 'pause_requested', 'pause_decided',
                   'support_requested', 'support_replied')
      and report_id in (${reportIds})
    group by 1, 2`,

    groupFigures(sql, selection),
  ]);
  const f = figures!;
  const countOf = (type: string, detail: string | null = null) =>
    events
      .filter((e) => e.type === type && (detail === null || e.detail === detail))
      .reduce((n, e) => n + e.count, 0);

  const acceptance = steps.find((s) => s.clock === 'acceptance');
  const inHours = (h: number | null) => (h === null ? null : Math.round(h * 100) / 100);
  return {
    filter,
    counts: {
      received: f.received,
      accepted: f.accepted,
      rejected: f.rejected,
      open: f.open,
      closed: f.closed,
      withdrawn: f.withdrawn,
      merged: f.merged,
      cancelled: f.cancelled,
      verified: f.verified,
      substantiated: f.substantiated,
      unsubstantiated: f.unsubstantiated,
      reportsWithHazards: f.reports_with_hazards,
      hazardsFound: f.hazards_found,
      majorHazards: f.major_hazards,
      rectifiedReports: f.rectified_reports,
      hazardsRectified: f.hazards_rectified,
      writtenOff: f.written_off,
      overdue: f.overdue,
    },
    rates: {
      rectificationRate: rate(f.hazards_rectified, f.hazards_found, FORMULAS.rectificationRate),
      substantiationRate: rate(f.substantiated, f.verified, FORMULAS.substantiationRate),
      satisfactionRate: rate(f.satisfied + f.basically_satisfied, f.rated, FORMULAS.satisfactionRate),
    },
    /** 三率, by which 12345 units are judged. */
    threeRates: {
      responseRate: rate(acceptance?.on_time ?? 0, acceptance?.completed ?? 0, FORMULAS.responseRate),
      resolutionRate: rate(f.resolved, f.answered_resolved, FORMULAS.resolutionRate),
      satisfactionRate: rate(f.satisfied + f.basically_satisfied, f.rated, FORMULAS.satisfactionRate),
    },
    /** 三率 by handling unit, intake channel and category: who and what the figures are about. */
    threeRatesBy: groups.threeRates,
    satisfaction: {
      rated: f.rated,
      satisfied: f.satisfied,
      basicallySatisfied: f.basically_satisfied,
      unsatisfied: f.unsatisfied,
    },
    steps: steps.map((s) => ({
      clock: s.clock,
      started: s.started,
      completed: s.completed,
      onTime: s.on_time,
      misrouted: s.misrouted,
      runningOverdue: s.running_overdue,
      onTimeRate: rate(s.on_time, s.completed, FORMULAS.onTimeRate),
      meanHours: inHours(s.mean_hours),
      p90Hours: inHours(s.p90_hours),
    })),
    units: groups.units.map((u) => ({
      unitId: u.unit_id,
      completed: u.completed,
      onTime: u.on_time,
      misrouted: u.misrouted,
      onTimeRate: rate(u.on_time, u.completed, FORMULAS.onTimeRate),
    })),
    escalationsByRung: Object.fromEntries(rungs.map((r) => [r.rung, r.count])),
    /** 督办 by people: actions by kind, 督办单 answered, interviews called and held, listings lifted. */
    supervision: {
      byAction: Object.fromEntries(
        events.filter((e) => e.type === 'supervised').map((e) => [e.detail ?? 'unknown', e.count]),
      ),
      noticesAnswered: countOf('supervision_replied'),
      interviews: { called: countOf('interview_called'), held: countOf('interview_held') },
      listingsLifted: countOf('listing_lifted'),
    },
    /** 延期申请 and how they were decided. */
    extensions: {
      requested: countOf('extension_requested'),
      approved: countOf('extension_decided', 'approved'),
      shortened: countOf('extension_decided', 'shortened'),
      refused: countOf('extension_decided', 'refused'),
    },
    /** 补充材料 pauses a unit asked for, where the policy wants them approved (v7 on). */
    pauses: {
      requested: countOf('pause_requested'),
      approved: countOf('pause_decided', 'approved'),
      refused: countOf('pause_decided', 'refused'),
    },
    /** 主办/协办: support requests (one per request, however many units it names) and replies to the lead. */
    jointHandling: {
      requests: countOf('support_requested'),
      replies: countOf('support_replied'),
    },
    /** Misrouting counted apart: returns and disputes are not held against the unit they went to. */
    misrouting: {
      returns: f.returns,
      returnsRefused: f.returns_refused,
      disputes: f.disputes,
      reports: f.misrouted_reports,
    },
    rewards: {
      proposed: { count: f.rewards_proposed, sumFen: Number(f.rewards_proposed_fen) },
      approved: { count: f.rewards_approved, sumFen: Number(f.rewards_approved_fen) },
      paid: { count: f.rewards_paid, sumFen: Number(f.rewards_paid_fen) },
    },
  };
}
export type Statistics = Awaited<ReturnType<typeof computeStatistics>>;

interface GroupAnswers {
  key: string | null;
  resolved: number;
  answered_resolved: number;
  satisfied: number;
  rated: number;
}

export interface ThreeRates {
  readonly responseRate: Rate;
  readonly resolutionRate: Rate;
  readonly satisfactionRate: Rate;
}

type GroupColumn = 'unit_id' | 'channel' | 'category';

interface ClockGroup {
  by: GroupColumn;
  key: string | null;
  /** A unit's steps (`by` = unit_id), as the on-time rate counts them. */
  completed: number;
  on_time: number;
  misrouted: number;
  /** A unit's response: signed (签收) in time, or before that clock existed, the reporter contacted in time. */
  unit_responded: number;
  unit_respond_due: number;
  /** A channel's or category's response: accepted in time. */
  accepted_in_time: number;
  acceptance_due: number;
}

/**
 * Figures by handling unit, intake channel and category: the units' steps, and 三率. Resolution
 * and satisfaction come from the 回访 answers of the reports in each group; response is the
 * intake's acceptance in time for a channel or category, and for a unit its signing in time, or for
 * reports from before the acknowledgement clock its contact with the reporter in time (the feedback
 * clock, counted for the unit holding the report). One pass over the reports and one over their
 * clocks, each grouped three ways.
 */
export async function groupFigures(sql: postgres.Sql, { reports, clocks, clockPeriod }: Selection) {
  const [answers, clockGroups] = await Promise.all([
    sql<(GroupAnswers & { by: GroupColumn })[]>`
    select case when grouping(r.unit_id) = 0 then 'unit_id' when grouping(r.channel) = 0 then 'channel'
                else 'category' end as by,
      coalesce(r.unit_id, r.channel, r.category) as key,
      count(*) filter (where r.resolved)::int as resolved,
      count(*) filter (where r.resolved is not null)::int as answered_resolved,
      count(*) filter (where r.satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied,
      count(*) filter (where r.satisfaction is not null)::int as rated
    from reports r where ${reports}
    group by grouping sets ((r.unit_id), (r.channel), (r.category))`,
    sql<ClockGroup[]>`
    select case when grouping(c.unit_id) = 0 then 'unit_id' when grouping(r.channel) = 0 then 'channel'
                else 'category' end as by,
      coalesce(c.unit_id, r.channel, r.category) as key,
      count(*) filter (where c.ended_how = 'done' and not c.misrouted)::int as completed,
      count(*) filter (where c.on_time and not c.misrouted)::int as on_time,
      count(*) filter (where c.misrouted)::int as misrouted,
      count(*) filter (where (c.clock = 'acknowledgement' or (c.clock = 'feedback' and ack.report_id is null))
                         and c.on_time and not c.misrouted)::int as unit_responded,
      count(*) filter (where (c.clock = 'acknowledgement' or (c.clock = 'feedback' and ack.report_id is null))
                         and c.ended_how = 'done' and not c.misrouted)::int as unit_respond_due,
      count(*) filter (where c.clock = 'acceptance' and c.on_time)::int as accepted_in_time,
      count(*) filter (where c.clock = 'acceptance' and c.ended_how = 'done')::int as acceptance_due
    from report_clocks c join reports r using (report_id)
    left join (select distinct a.report_id from report_clocks a
               where a.clock = 'acknowledgement' and ${clockPeriod('a')}) ack using (report_id)
    where ${clocks}
    group by grouping sets ((c.unit_id), (r.channel), (r.category))`,
  ]);
  const groupOf = (by: GroupColumn) => {
    const a = answers.filter((x) => x.by === by && x.key !== null);
    const r = clockGroups.filter((x) => x.by === by && x.key !== null);
    const keys = [...new Set([...a, ...r].map((x) => x.key!))].sort();
    return keys.map((key) => {
      const g = a.find((x) => x.key === key);
      const c = r.find((x) => x.key === key);
      const rates: ThreeRates = {
        responseRate:
          by === 'unit_id'
            ? rate(c?.unit_responded ?? 0, c?.unit_respond_due ?? 0, FORMULAS.unitResponseRate)
            : rate(c?.accepted_in_time ?? 0, c?.acceptance_due ?? 0, FORMULAS.responseRate),
        resolutionRate: rate(g?.resolved ?? 0, g?.answered_resolved ?? 0, FORMULAS.resolutionRate),
        satisfactionRate: rate(g?.satisfied ?? 0, g?.rated ?? 0, FORMULAS.satisfactionRate),
      };
      return { key, ...rates };
    });
  };
  return {
    /** Units that hold clocks, each with its steps (misrouting counted apart). */
    units: clockGroups
      .filter((c) => c.by === 'unit_id' && c.key !== null)
      .sort((x, y) => (x.key! < y.key! ? -1 : 1))
      .map((c) => ({ unit_id: c.key!, completed: c.completed, on_time: c.on_time, misrouted: c.misrouted })),
    threeRates: {
      unit: groupOf('unit_id').map(({ key, ...r }) => ({ unitId: key, ...r })),
      channel: groupOf('channel').map(({ key, ...r }) => ({ channel: key, ...r })),
      category: groupOf('category').map(({ key, ...r }) => ({ category: key, ...r })),
    },
  };
}

export type Bucket = 'day' | 'week' | 'month';

/**
 * Received, closed (办结, as `counts.closed`: not rejected or withdrawn) and missed deadlines per
 * day, week or month of the Beijing calendar, for the trend chart.
 */
export async function computeTrend(
  sql: postgres.Sql,
  caller: Actor,
  filter: StatisticsFilter,
  bucket: Bucket,
): Promise<{ period: string; received: number; closed: number; overdue: number }[]> {
  const where = reportFilter(sql, caller, filter);
  const local = (column: string) =>
    sql.unsafe<postgres.Row[]>(
      `to_char(date_trunc('${bucket}', ${column} at time zone 'Asia/Shanghai'), 'YYYY-MM-DD')`,
    );
  const rows = await sql<{ period: string; received: number; closed: number; overdue: number }[]>`
    with selected as (select * from reports where ${where}),
    received as (select ${local('received_at')} as period, count(*)::int as n from selected group by 1),
    closed as (select ${local('closed_at')} as period, count(*)::int as n from selected where stage = 'closed' group by 1),
    overdue as (
      select ${local('c.due_at')} as period, count(*)::int as n
      from report_clocks c join selected s using (report_id)
      where c.overdue or c.on_time = false group by 1)
    select period, coalesce(r.n, 0) as received, coalesce(c.n, 0) as closed, coalesce(o.n, 0) as overdue
    from received r full join closed c using (period) full join overdue o using (period)
    order by period`;
  return rows.map((r) => ({ period: r.period, received: r.received, closed: r.closed, overdue: r.overdue }));
}
