import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type { Authorize } from './authentication.js';
import { ALL_ROLES } from './authentication.js';
import { problemResponses } from './problems.js';
import { readReport } from './report-access.js';
import { ReportIdParams, ReportViewSchema, TimelineSchema } from './report-schemas.js';

/**
 * Reads of one report, straight from its workflow (the query): every role may read, a handler only
 * the reports of its unit. Lists and statistics come from the read model (next issue).
 */
export function reportRoutes(deps: { temporal: Client; authorize: Authorize }): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    app.get(
      '/v1/reports/:id',
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
      async (req) => readReport(deps.temporal, req.caller!, req.params.id),
    );
    app.get(
      '/v1/reports/:id/timeline',
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
        const view = await readReport(deps.temporal, req.caller!, req.params.id);
        return { reportId: view.reportId, timeline: view.timeline };
      },
    );
    return Promise.resolve();
  };
}
