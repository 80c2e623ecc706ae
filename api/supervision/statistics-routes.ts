import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type, { type Static } from 'typebox';
import { OneOf } from '../../domain/schema.js';
import type { Authorize } from '../platform/authentication.js';
import { label } from '../../domain/labels.js';
import { fileResponses, problemResponses } from '../platform/problems.js';
import { SUPERVISION_ROLES } from './roles.js';
import { ReportFilterQuery } from '../reports/report-filter.js';
import { computeStatistics, computeTrend, type Rate, type Statistics } from './statistics.js';
import { computeAssessment, type UnitAssessment } from './assessment.js';
import { RUNG_VALUES, RUNGS } from '../../domain/vocabulary.js';

/** 年度考核 as a sheet: one row per unit, every rate as `on time / done (percent)`. */
const shownRate = (r: Rate) =>
  r.denominator === 0 ? '' : `${r.numerator}/${r.denominator} (${((r.value ?? 0) * 100).toFixed(2)}%)`;
const ASSESSMENT_COLUMNS: { header: string; width: number; value: (u: UnitAssessment) => string | number }[] =
  [
    { header: '承办单位', width: 16, value: (u) => u.unitId },
    { header: '按时率（全部环节）', width: 18, value: (u) => shownRate(u.onTime) },
    { header: '核查按时率', width: 16, value: (u) => shownRate(u.onTimeBy.verification) },
    { header: '责令整改按时率', width: 16, value: (u) => shownRate(u.onTimeBy.rectificationOrder) },
    { header: '整改按时率', width: 16, value: (u) => shownRate(u.onTimeBy.rectification) },
    { header: '反馈按时率', width: 16, value: (u) => shownRate(u.onTimeBy.feedback) },
    { header: '延期申请', width: 10, value: (u) => u.extensions.requested },
    { header: '延期同意', width: 10, value: (u) => u.extensions.approved + u.extensions.shortened },
    { header: '延期不同意', width: 10, value: (u) => u.extensions.refused },
    { header: '退回同意', width: 10, value: (u) => u.returns.approved },
    { header: '退回不同意', width: 10, value: (u) => u.returns.refused },
    ...RUNG_VALUES.map((rung) => ({
      header: `督办：${RUNGS[rung]}`,
      width: 12,
      value: (u: UnitAssessment) => u.escalationsByRung[rung] ?? 0,
    })),
    { header: '重大事故隐患（挂牌）', width: 14, value: (u) => u.majorHazards },
    { header: '响应率', width: 16, value: (u) => shownRate(u.threeRates.responseRate) },
    { header: '解决率', width: 16, value: (u) => shownRate(u.threeRates.resolutionRate) },
    { header: '满意率', width: 16, value: (u) => shownRate(u.threeRates.satisfactionRate) },
  ];
import {
  CONTENT_TYPES,
  fileName,
  tableStream,
  type Column,
  type Table,
  type TabularFormat,
} from './tabular.js';
import type { Actor } from '../../domain/vocabulary.js';

const StatisticsQuery = ReportFilterQuery;
const TrendQuery = Type.Object(
  {
    ...StatisticsQuery.properties,
    bucket: Type.Optional(OneOf(['day', 'week', 'month'] as const)),
  },
  { additionalProperties: false },
);

/** The statistics as a two-column sheet: figure, value (rates with their formulas). */
function statisticsRows(s: Statistics): { figure: string; value: string | number; formula: string }[] {
  const rateRow = (figure: string, r: Rate) => ({
    figure,
    value: r.value === null ? '' : `${(r.value * 100).toFixed(2)}%`,
    formula: `${r.formula}: ${r.numerator} ÷ ${r.denominator}`,
  });
  const c = s.counts;
  return [
    { figure: '接收件数', value: c.received, formula: '' },
    { figure: '受理件数', value: c.accepted, formula: '' },
    { figure: '不予受理件数', value: c.rejected, formula: '' },
    { figure: '核查件数', value: c.verified, formula: '' },
    { figure: '属实件数', value: c.substantiated, formula: '' },
    { figure: '发现隐患数', value: c.hazardsFound, formula: '' },
    { figure: '重大事故隐患数', value: c.majorHazards, formula: '' },
    { figure: '已整改隐患数', value: c.hazardsRectified, formula: '' },
    rateRow('整改率', s.rates.rectificationRate),
    rateRow('属实率', s.rates.substantiationRate),
    rateRow('响应率', s.threeRates.responseRate),
    rateRow('解决率', s.threeRates.resolutionRate),
    rateRow('满意率', s.threeRates.satisfactionRate),
    ...(
      [
        ['承办单位', s.threeRatesBy.unit.map((g) => [g.unitId, g] as const)],
        ['渠道', s.threeRatesBy.channel.map((g) => [label('channel', g.channel), g] as const)],
        ['类别', s.threeRatesBy.category.map((g) => [label('category', g.category), g] as const)],
      ] as const
    ).flatMap(([by, groups]) =>
      groups.flatMap(([name, g]) => [
        rateRow(`${by}「${name}」响应率`, g.responseRate),
        rateRow(`${by}「${name}」解决率`, g.resolutionRate),
        rateRow(`${by}「${name}」满意率`, g.satisfactionRate),
      ]),
    ),
    ...s.steps.map((st) => rateRow(`${label('clock', st.clock)}按时率`, st.onTimeRate)),
    ...s.steps.map((st) => ({
      figure: `${label('clock', st.clock)}平均/P90用时（小时）`,
      value: `${st.meanHours ?? ''} / ${st.p90Hours ?? ''}`,
      formula: '完成时间 − 开始时间，不含误派',
    })),
    ...Object.entries(s.escalationsByRung).map(([rung, n]) => ({
      figure: `督办：${rung}`,
      value: n,
      formula: '',
    })),
    {
      figure: '退回次数（同意）',
      value: s.misrouting.returns,
      formula: '调度同意退回并改派：误派，不计入承办单位',
    },
    {
      figure: '退回次数（不同意）',
      value: s.misrouting.returnsRefused,
      formula: '调度不同意退回：仍计入承办单位',
    },
    { figure: '派单异议次数', value: s.misrouting.disputes, formula: '误派，不计入承办单位' },
    {
      figure: '奖励提议（件/元）',
      value: `${s.rewards.proposed.count} / ${s.rewards.proposed.sumFen / 100}`,
      formula: '',
    },
    {
      figure: '奖励审批（件/元）',
      value: `${s.rewards.approved.count} / ${s.rewards.approved.sumFen / 100}`,
      formula: '',
    },
    {
      figure: '奖励发放（件/元）',
      value: `${s.rewards.paid.count} / ${s.rewards.paid.sumFen / 100}`,
      formula: '',
    },
  ];
}

type StatisticsRow = ReturnType<typeof statisticsRows>[number];
const STATISTICS_COLUMNS: Column<StatisticsRow>[] = [
  { header: '指标', width: 28, value: (r) => r.figure },
  { header: '数值', width: 16, value: (r) => r.value },
  { header: '口径', width: 60, value: (r) => r.formula },
];

/** 统计: the figures, their trend, the assessment per unit, and both as sheets. */
export function statisticsRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    const onRequest = deps.authorize(SUPERVISION_ROLES);

    app.get(
      '/statistics',
      {
        onRequest,
        schema: {
          tags: ['supervision'],
          operationId: 'getStatistics',
          summary: 'Counts, rates (with formulas), per-step timeliness, escalations, rewards for a filter',
          description:
            'Takes the list filters; the period is receivedFrom/receivedTo. The counts are of the reports ' +
            'GET /v1/reports lists for the same filters.',
          security,
          querystring: StatisticsQuery,
          response: { 200: Type.Unknown({ description: 'the statistics document' }), ...problemResponses },
        },
      },
      async (req) => computeStatistics(deps.sql, req.caller!, req.query),
    );

    app.get(
      '/statistics/trend',
      {
        onRequest,
        schema: {
          tags: ['supervision'],
          operationId: 'getTrend',
          summary: 'Received, closed and overdue deadlines per day, week or month (Beijing calendar)',
          security,
          querystring: TrendQuery,
          response: {
            200: Type.Array(
              Type.Object({
                period: Type.String(),
                received: Type.Integer(),
                closed: Type.Integer(),
                overdue: Type.Integer(),
              }),
            ),
            ...problemResponses,
          },
        },
      },
      async (req) => {
        const { bucket = 'day', ...filter } = req.query;
        return computeTrend(deps.sql, req.caller!, filter, bucket);
      },
    );

    /** A filtered sheet, `GET /exports/<name>.{csv,xlsx}`: the filters of the list, the rows of `table`. */
    const sheet = <R>(
      name: string,
      operationId: string,
      summary: string,
      table: (caller: Actor, filter: Static<typeof StatisticsQuery>) => Promise<Table<R>>,
    ) =>
      app.get(
        `/exports/${name}.:format`,
        {
          onRequest,
          schema: {
            tags: ['exports'],
            operationId,
            summary,
            security,
            params: Type.Object({ format: OneOf(['csv', 'xlsx'] as const) }),
            querystring: StatisticsQuery,
            response: fileResponses(Object.values(CONTENT_TYPES), 'the file: text/csv or XLSX'),
          },
        },
        async (req, reply) => {
          const format: TabularFormat = req.params.format;
          const rows = await table(req.caller!, req.query);
          reply.header('content-type', CONTENT_TYPES[format]);
          reply.header('content-disposition', `attachment; filename="${fileName(name, format)}"`);
          return reply.send(tableStream(rows, format));
        },
      );

    app.get(
      '/statistics/assessment',
      {
        onRequest,
        schema: {
          tags: ['supervision'],
          operationId: 'getAssessment',
          summary:
            '年度考核: per unit, on-time rates per step, extensions, returns, escalations, listed hazards, 三率',
          description:
            'Takes the list filters (a year is receivedFrom/receivedTo). Counted as GET /v1/statistics counts, unit by unit.',
          security,
          querystring: StatisticsQuery,
          response: { 200: Type.Unknown({ description: 'the assessment document' }), ...problemResponses },
        },
      },
      async (req) => computeAssessment(deps.sql, req.caller!, req.query),
    );

    sheet(
      'statistics',
      'exportStatistics',
      'The statistics as CSV or XLSX: figure, value, formula',
      async (caller, filter) => ({
        title: '统计',
        columns: STATISTICS_COLUMNS,
        rows: statisticsRows(await computeStatistics(deps.sql, caller, filter)),
      }),
    );
    sheet(
      'assessment',
      'exportAssessment',
      '年度考核 as CSV or XLSX: one row per unit',
      async (caller, filter) => ({
        title: '年度考核',
        columns: ASSESSMENT_COLUMNS,
        rows: (await computeAssessment(deps.sql, caller, filter)).units,
      }),
    );

    return Promise.resolve();
  };
}
