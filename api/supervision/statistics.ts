import type postgres from 'postgres';
import type { Actor } from '../../domain/vocabulary.js';
import { reportFilter, type ReportFilterQuery } from '../reports/report-filter.js';

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

interface UnitRow {
  unit_id: string;
  completed: number;
  on_time: number;
  misrouted: number;
}

export async function computeStatistics(sql: postgres.Sql, caller: Actor, filter: StatisticsFilter) {
  const where = reportFilter(sql, caller, filter);
  const selected = sql`select report_id from reports where ${where}`;
  const [figures] = await sql<ReportFigures[]>`
    select
      count(*)::int as received,
      count(*) filter (where accepted_at is not null)::int as accepted,
      count(*) filter (where stage = 'rejected')::int as rejected,
      count(*) filter (where stage not in ('closed', 'rejected', 'withdrawn', 'merged', 'cancelled'))::int as open,
      count(*) filter (where stage = 'closed')::int as closed,
      count(*) filter (where stage = 'withdrawn')::int as withdrawn,
      count(*) filter (where stage = 'merged')::int as merged,
      count(*) filter (where stage = 'cancelled')::int as cancelled,
      count(*) filter (where verified_at is not null)::int as verified,
      count(*) filter (where verification_outcome in ('substantiated', 'partly'))::int as substantiated,
      count(*) filter (where verification_outcome = 'unsubstantiated')::int as unsubstantiated,
      count(*) filter (where hazards_found > 0)::int as reports_with_hazards,
      coalesce(sum(hazards_found), 0)::int as hazards_found,
      count(*) filter (where major_hazard)::int as major_hazards,
      count(*) filter (where rectified_at is not null)::int as rectified_reports,
      coalesce(sum(hazards_found) filter (where rectified_at is not null), 0)::int as hazards_rectified,
      count(*) filter (where written_off_at is not null)::int as written_off,
      count(*) filter (where satisfaction is not null)::int as rated,
      count(*) filter (where satisfaction = 'satisfied')::int as satisfied,
      count(*) filter (where satisfaction = 'basically_satisfied')::int as basically_satisfied,
      count(*) filter (where satisfaction = 'unsatisfied')::int as unsatisfied,
      count(*) filter (where resolved)::int as resolved,
      count(*) filter (where resolved is not null)::int as answered_resolved,
      count(*) filter (where overdue)::int as overdue,
      coalesce(sum(returns), 0)::int as returns,
      coalesce(sum(returns_refused), 0)::int as returns_refused,
      coalesce(sum(disputes), 0)::int as disputes,
      count(*) filter (where misrouted)::int as misrouted_reports,
      count(*) filter (where reward_proposed_fen is not null)::int as rewards_proposed,
      coalesce(sum(reward_proposed_fen), 0)::text as rewards_proposed_fen,
      count(*) filter (where reward_approved_fen is not null)::int as rewards_approved,
      coalesce(sum(reward_approved_fen), 0)::text as rewards_approved_fen,
      count(*) filter (where reward_paid_fen is not null)::int as rewards_paid,
      coalesce(sum(reward_paid_fen), 0)::text as rewards_paid_fen
    from reports where ${where}`;
  const f = figures!;

  // A step counts as completed only when it was done (ended_how = 'done'): a clock stopped by a
  // withdrawal, merge or cancellation, or replaced by a new deadline, is neither on time nor late.
  const steps = await sql<StepRow[]>`
    select clock,
      count(*)::int as started,
      count(*) filter (where ended_how = 'done' and not misrouted)::int as completed,
      count(*) filter (where on_time and not misrouted)::int as on_time,
      count(*) filter (where misrouted)::int as misrouted,
      count(*) filter (where stopped_at is null and overdue)::int as running_overdue,
      (avg(extract(epoch from stopped_at - started_at) / 3600) filter (where ended_how = 'done' and not misrouted))::float8 as mean_hours,
      (percentile_cont(0.9) within group (order by extract(epoch from stopped_at - started_at) / 3600)
        filter (where ended_how = 'done' and not misrouted))::float8 as p90_hours
    from report_clocks where report_id in (${selected})
    group by clock order by clock`;

  const units = await sql<UnitRow[]>`
    select unit_id,
      count(*) filter (where ended_how = 'done' and not misrouted)::int as completed,
      count(*) filter (where on_time and not misrouted)::int as on_time,
      count(*) filter (where misrouted)::int as misrouted
    from report_clocks where report_id in (${selected}) and unit_id is not null
    group by unit_id order by unit_id`;

  const rungs = await sql<{ rung: string; count: number }[]>`
    select rung, count(*)::int as count from escalations where report_id in (${selected})
    group by rung order by rung`;

  // 督办 by people, 延期, pauses decided and 协办, counted from the timeline events the read model keeps.
  const events = await sql<{ type: string; detail: string | null; count: number }[]>`
    select type,
      case type when 'supervised' then data ->> 'action'
        when 'extension_decided' then data ->> 'decision'
        when 'pause_decided' then data ->> 'decision' end as detail,
      count(*)::int as count
    from report_events
    where report_id in (${selected})
      and type in ('supervised', 'supervision_replied', 'interview_called', 'interview_held', 'listing_lifted',
                   'extension_requested', 'extension_decided', 'pause_requested', 'pause_decided',
                   'support_requested', 'support_replied')
    group by 1, 2`;
  const countOf = (type: string, detail: string | null = null) =>
    events
      .filter((e) => e.type === type && (detail === null || e.detail === detail))
      .reduce((n, e) => n + e.count, 0);

  const acceptance = steps.find((s) => s.clock === 'acceptance');
  const hours = (h: number | null) => (h === null ? null : Math.round(h * 100) / 100);
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
    threeRatesBy: await threeRatesBy(sql, selected),
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
      meanHours: hours(s.mean_hours),
      p90Hours: hours(s.p90_hours),
    })),
    units: units.map((u) => ({
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
  key: string;
  responded: number;
  respond_due: number;
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

/**
 * 三率 broken down. Resolution and satisfaction come from the 回访 answers of the reports in each
 * group; response is the intake's acceptance in time for a channel or category, and for a unit its
 * contact with the reporter in time (the feedback clock, counted for the unit holding the report).
 */
export async function threeRatesBy(sql: postgres.Sql, selected: postgres.PendingQuery<postgres.Row[]>) {
  const answers = (column: 'unit_id' | 'channel' | 'category') => sql<
    Omit<GroupAnswers, 'responded' | 'respond_due'>[]
  >`
    select ${sql(column)} as key,
      count(*) filter (where resolved)::int as resolved,
      count(*) filter (where resolved is not null)::int as answered_resolved,
      count(*) filter (where satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied,
      count(*) filter (where satisfaction is not null)::int as rated
    from reports where report_id in (${selected}) and ${sql(column)} is not null
    group by 1 order by 1`;
  const response = (column: 'channel' | 'category') => sql<
    { key: string; responded: number; respond_due: number }[]
  >`
    select r.${sql(column)} as key,
      count(*) filter (where c.on_time)::int as responded,
      count(*) filter (where c.ended_how = 'done')::int as respond_due
    from report_clocks c join reports r using (report_id)
    where c.clock = 'acceptance' and r.report_id in (${selected}) and r.${sql(column)} is not null
    group by 1 order by 1`;
  const unitResponse = sql<{ key: string; responded: number; respond_due: number }[]>`
    select unit_id as key,
      count(*) filter (where on_time and not misrouted)::int as responded,
      count(*) filter (where ended_how = 'done' and not misrouted)::int as respond_due
    from report_clocks c
    where report_id in (${selected}) and unit_id is not null
      and (clock = 'acknowledgement'
        or (clock = 'feedback' and not exists (
          select 1 from report_clocks a where a.report_id = c.report_id and a.clock = 'acknowledgement')))
    group by 1 order by 1`;
  const merge = async (
    groups: Promise<Omit<GroupAnswers, 'responded' | 'respond_due'>[]>,
    responses: Promise<{ key: string; responded: number; respond_due: number }[]>,
    responseFormula: string,
  ) => {
    const [a, r] = await Promise.all([groups, responses]);
    const keys = [...new Set([...a.map((x) => x.key), ...r.map((x) => x.key)])].sort();
    return keys.map((key) => {
      const g = a.find((x) => x.key === key);
      const resp = r.find((x) => x.key === key);
      const rates: ThreeRates = {
        responseRate: rate(resp?.responded ?? 0, resp?.respond_due ?? 0, responseFormula),
        resolutionRate: rate(g?.resolved ?? 0, g?.answered_resolved ?? 0, FORMULAS.resolutionRate),
        satisfactionRate: rate(g?.satisfied ?? 0, g?.rated ?? 0, FORMULAS.satisfactionRate),
      };
      return { key, ...rates };
    });
  };
  const [unit, channel, category] = await Promise.all([
    merge(answers('unit_id'), unitResponse, FORMULAS.unitResponseRate),
    merge(answers('channel'), response('channel'), FORMULAS.responseRate),
    merge(answers('category'), response('category'), FORMULAS.responseRate),
  ]);
  return {
    unit: unit.map(({ key, ...r }) => ({ unitId: key, ...r })),
    channel: channel.map(({ key, ...r }) => ({ channel: key, ...r })),
    category: category.map(({ key, ...r }) => ({ category: key, ...r })),
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
