import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import type { Role } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { ALL_ROLES } from '../platform/authentication.js';
import { problemResponses } from '../platform/problems.js';
import { readReport } from './report-access.js';
import type { ReportAccess } from './report-access.js';
import { listReports, ReportListPage, ReportListQuery } from './report-list.js';
import { ReportIdParams, ReportViewSchema, TimelineSchema } from './report-schemas.js';

/** Who works with lists of reports: everyone but the intake systems, which follow their own statusUrl. */
export const LIST_ROLES: readonly Role[] = ALL_ROLES.filter((r) => r !== 'intake');

/**
 * Reads of one report come straight from its workflow (the query): every role may read, a handler
 * only the reports of its unit. The list comes from the PostgreSQL read model, which the workflow
 * projects before a step answers; a new report appears there once its workflow's first task ran.
 */
export function readRoutes(deps: {
  access: ReportAccess;
  sql: postgres.Sql;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    app.get(
      '/reports',
      {
        onRequest: deps.authorize(LIST_ROLES),
        schema: {
          tags: ['reports'],
          operationId: 'listReports',
          summary: 'Reports matching filters, newest first, a page at a time (keyset pagination)',
          description:
            'Served from the read model. Filters combine with AND; repeat a filter for OR within it. ' +
            'A handler sees its own unit only. No reporter identity is ever listed.',
          security,
          querystring: ReportListQuery,
          response: { 200: ReportListPage, ...problemResponses },
        },
      },
      async (req) => listReports(deps.sql, req.caller!, req.query),
    );
    app.get(
      '/reports/:id',
      {
        onRequest: deps.authorize(ALL_ROLES),
        schema: {
          tags: ['reports'],
          operationId: 'getReport',
          summary: 'The report: stage, unit, deadlines with provenance, escalations, timeline',
          security,
          params: ReportIdParams,
          response: { 200: ReportViewSchema, ...problemResponses },
        },
      },
      async (req) => readReport(deps.access, req.caller!, req.params.id),
    );
    app.get(
      '/reports/:id/timeline',
      {
        onRequest: deps.authorize(ALL_ROLES),
        schema: {
          tags: ['reports'],
          operationId: 'getReportTimeline',
          summary: 'What happened to the report, in order, with who did it',
          security,
          params: ReportIdParams,
          response: { 200: TimelineSchema, ...problemResponses },
        },
      },
      async (req) => {
        const view = await readReport(deps.access, req.caller!, req.params.id);
        return { reportId: view.reportId, timeline: view.timeline };
      },
    );
    return Promise.resolve();
  };
}
