import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import type { Role } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { beijingDate, beijingTime, label } from '../../domain/labels.js';
import { fileResponses } from '../platform/problems.js';
import type { ReportRow } from '../../infra/read-model.js';
import { ReportFilterQuery, reportFilter } from '../reports/report-filter.js';
import { CONTENT_TYPES, fileName, tableStream, type Column, type TabularFormat } from './tabular.js';

/** Who takes figures out of the system: the people who report on them. */
export const EXPORT_ROLES: readonly Role[] = ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'];

/** The list's filters, without paging: an export holds every matching report. */
const ExportQuery = ReportFilterQuery;
const FormatParams = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]) });

/** A row of the read model with its unit's name, as the exports show it. */
type ExportRow = ReportRow & { readonly unit_name: string | null };

const yesNo = (b: boolean) => (b ? '是' : '否');
const unit = (r: ExportRow) => r.unit_name ?? r.unit_id ?? '';

const REPORT_COLUMNS: readonly Column<ExportRow>[] = [
  { header: '编号', width: 36, value: (r) => r.report_id },
  { header: '来源渠道', value: (r) => label('channel', r.channel) },
  { header: '工单号', width: 20, value: (r) => r.external_id },
  { header: '当前阶段', value: (r) => label('stage', r.stage) },
  { header: '紧急程度', value: (r) => label('urgency', r.urgency) },
  { header: '隐患类别', value: (r) => label('category', r.category) },
  { header: '行业领域', value: (r) => label('domain', r.domain) },
  { header: '区', value: (r) => r.district },
  { header: '街镇', value: (r) => r.street },
  { header: '承办单位', width: 20, value: unit },
  { header: '是否逾期', value: (r) => yesNo(r.overdue) },
  { header: '重大隐患', value: (r) => yesNo(r.major_hazard) },
  { header: '督办级别', value: (r) => r.escalation_level },
  { header: '下一期限', width: 18, value: (r) => beijingTime(r.next_due_at) },
  { header: '接收时间', width: 18, value: (r) => beijingTime(r.received_at) },
  { header: '受理时间', width: 18, value: (r) => beijingTime(r.accepted_at) },
  { header: '核查时间', width: 18, value: (r) => beijingTime(r.verified_at) },
  { header: '核查结论', value: (r) => label('outcome', r.verification_outcome) },
  { header: '发现隐患数', value: (r) => r.hazards_found },
  { header: '整改期限', width: 18, value: (r) => beijingTime(r.rectification_due_at) },
  { header: '整改完成时间', width: 18, value: (r) => beijingTime(r.rectified_at) },
  { header: '反馈时间', width: 18, value: (r) => beijingTime(r.feedback_at) },
  { header: '满意度', value: (r) => label('satisfaction', r.satisfaction) },
  { header: '办结时间', width: 18, value: (r) => beijingTime(r.closed_at) },
  { header: '办结结果', value: (r) => label('closure', r.closure_outcome) },
];

/** Where a major hazard's rectification stands, in the words of the progress table. */
export function rectificationStatus(
  r: Pick<ReportRow, 'written_off_at' | 'rectified_at' | 'rectification_ordered_at'>,
) {
  if (r.written_off_at) return '已销号';
  if (r.rectified_at) return '已整改';
  if (r.rectification_ordered_at) return '整改中';
  return '未整改';
}

const fivePoint = (key: string) => (r: ExportRow) => r.five_points?.[key] ?? '';

/** 重大事故隐患专项排查整治进展情况表: the fixed table districts report major hazards in. */
const MAJOR_HAZARD_COLUMNS: readonly Column<ExportRow>[] = [
  { header: '隐患编号', width: 36, value: (r) => r.report_id },
  { header: '隐患情况', width: 40, value: (r) => r.findings },
  { header: '责任单位', width: 20, value: unit },
  { header: '行业领域', value: (r) => label('domain', r.domain) },
  { header: '所在区', value: (r) => r.district },
  { header: '所在街镇', value: (r) => r.street },
  { header: '发现时间', width: 12, value: (r) => beijingDate(r.verified_at) },
  { header: '整改期限', width: 12, value: (r) => beijingDate(r.rectification_due_at) },
  { header: '责任落实', width: 24, value: fivePoint('responsibility') },
  { header: '措施落实', width: 24, value: fivePoint('measures') },
  { header: '资金落实', width: 24, value: fivePoint('funding') },
  { header: '时限落实', width: 24, value: fivePoint('timeLimit') },
  { header: '预案落实', width: 24, value: fivePoint('contingencyPlan') },
  { header: '整改状态', value: rectificationStatus },
  { header: '销号时间', width: 12, value: (r) => beijingDate(r.written_off_at) },
];

/** The rows of a filter, fetched a batch at a time through a cursor. */
async function* reportRows(
  sql: postgres.Sql,
  where: postgres.PendingQuery<postgres.Row[]>,
  majorOnly: boolean,
) {
  const cursor = sql<ExportRow[]>`
    select r.report_id, r.channel, r.external_id, r.stage, r.urgency, r.category, r.domain, r.district,
           r.street, r.unit_id, u.name as unit_name, r.overdue, r.major_hazard, r.escalation_level,
           r.next_due_at, r.received_at, r.accepted_at, r.verified_at, r.verification_outcome,
           r.hazards_found, r.findings, r.five_points, r.rectification_ordered_at, r.rectification_due_at,
           r.rectified_at, r.written_off_at, r.feedback_at, r.satisfaction, r.closed_at, r.closure_outcome
    from reports r left join units u on u.id = r.unit_id
    where ${where} ${majorOnly ? sql`and r.major_hazard` : sql``}
    order by ${majorOnly ? sql`r.verified_at, r.report_id` : sql`r.received_at desc, r.report_id desc`}`.cursor(
    500,
  );
  for await (const batch of cursor) yield* batch;
}

/**
 * Exports as CSV or XLSX (`…/reports.csv`, `…/reports.xlsx`): any list (the list's filters), and
 * the major-hazard progress table. They stream, so a year's export costs no memory; what they hold
 * is exactly what the list shows for the same filters, and never a reporter's identity.
 */
export function exportRoutes(deps: { sql: postgres.Sql; authorize: Authorize }): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    const send = (
      reply: { header(k: string, v: string): unknown; send(s: unknown): unknown },
      base: string,
      format: TabularFormat,
      stream: NodeJS.ReadableStream,
    ) => {
      reply.header('content-type', CONTENT_TYPES[format]);
      reply.header('content-disposition', `attachment; filename="${fileName(base, format)}"`);
      return reply.send(stream);
    };
    const fileResponse = fileResponses(
      Object.values(CONTENT_TYPES),
      'the file: text/csv (UTF-8 with BOM) or XLSX',
    );

    const exports = [
      {
        path: '/exports/reports.:format',
        operationId: 'exportReports',
        summary: 'The report list as CSV or XLSX, every matching report, with Chinese headers',
        description: undefined,
        base: 'reports',
        table: { title: '举报清单', columns: REPORT_COLUMNS, majorOnly: false },
      },
      {
        path: '/exports/major-hazards.:format',
        operationId: 'exportMajorHazards',
        summary: '重大事故隐患专项排查整治进展情况表: the major-hazard progress table, CSV or XLSX',
        description:
          'One row per report whose verification found a major hazard: the hazard, unit, domain, locality, found on, deadline, the five fixed points (五落实), status and written-off date. Takes the list filters.',
        base: 'major-hazards',
        table: {
          title: '重大事故隐患专项排查整治进展情况表',
          columns: MAJOR_HAZARD_COLUMNS,
          majorOnly: true,
        },
      },
    ] as const;
    for (const e of exports) {
      app.get(
        e.path,
        {
          onRequest: deps.authorize(EXPORT_ROLES),
          schema: {
            tags: ['exports'],
            operationId: e.operationId,
            summary: e.summary,
            ...(e.description ? { description: e.description } : {}),
            security,
            params: FormatParams,
            querystring: ExportQuery,
            response: fileResponse,
          },
        },
        async (req, reply) => {
          const where = reportFilter(deps.sql, req.caller!, req.query, 'r');
          const rows = reportRows(deps.sql, where, e.table.majorOnly);
          const table = { title: e.table.title, columns: e.table.columns, rows };
          return send(reply, e.base, req.params.format, tableStream(table, req.params.format));
        },
      );
    }
    return Promise.resolve();
  };
}
