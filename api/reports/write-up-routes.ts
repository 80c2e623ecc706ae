import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import type { Role } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { caseDocx, caseMarkdown, writeUpCase } from './write-up.js';
import { ProblemError, fileResponses } from '../platform/problems.js';
import { readReport } from './report-access.js';
import type { ReportAccess } from './report-access.js';
import { ReportIdParams } from './report-schemas.js';

/** Who publishes typical cases: the command centre and the supervisors. */
export const CASE_ROLES: readonly Role[] = ['dispatcher', 'supervisor', 'admin'];

const CONTENT_TYPES = {
  md: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

/** The case write-up of a closed report, as Markdown or DOCX, from its workflow's record. */
export function writeUpRoutes(deps: {
  access: ReportAccess;
  sql: postgres.Sql;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    app.get(
      '/reports/:id/case-write-up.:format',
      {
        onRequest: deps.authorize(CASE_ROLES),
        schema: {
          tags: ['reports'],
          operationId: 'getCaseWriteUp',
          summary: '群众共治典型案例: the closed report in the case template, as Markdown or DOCX',
          description:
            'Four sections: 案例背景, 处置过程, 群众反馈, 长效机制. Names units and roles, never people; ' +
            'no reporter identity. Only for closed reports (409 otherwise).',
          security: [{ bearer: [] }],
          params: Type.Object({
            id: ReportIdParams.properties.id,
            format: Type.Union([Type.Literal('md'), Type.Literal('docx')]),
          }),
          response: fileResponses(Object.values(CONTENT_TYPES), 'the write-up: Markdown or DOCX'),
        },
      },
      async (req, reply) => {
        const view = await readReport(deps.access, req.caller!, req.params.id);
        if (view.stage.name !== 'closed')
          throw new ProblemError(
            'wrong-stage',
            `only a closed report is written up; this one is ${view.stage.name}`,
          );
        const units = await deps.sql<{ id: string; name: string }[]>`select id, name from units`;
        const names = new Map(units.map((u) => [u.id, u.name]));
        const writeUp = writeUpCase(view, (id) => names.get(id) ?? id);
        const { format } = req.params;
        reply.header('content-type', CONTENT_TYPES[format]);
        reply.header(
          'content-disposition',
          `attachment; filename="case-${view.intake.externalId}.${format}"`,
        );
        return format === 'md' ? caseMarkdown(writeUp) : caseDocx(writeUp);
      },
    );
    return Promise.resolve();
  };
}
