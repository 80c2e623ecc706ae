import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { CalendarDataError, SHIPPED_YEARS } from '../../domain/work-calendar.js';
import { importCalendarYear, listImportedYears, type CalendarStore } from '../../infra/calendar-store.js';
import type { Authorize } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';
import type { ReportAccess } from '../reports/report-access.js';
import {
  applyToReports,
  finishChange,
  newChangeId,
  ReportOutcomeSchema,
  reportsWithUncertainDeadlines,
  TotalsSchema,
} from './deadline-changes.js';

const Day = Type.Object(
  {
    date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    zh: Type.String({ minLength: 1, maxLength: 50 }),
    en: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
const Notice = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 500, description: 'the notice, with its number' }),
    sourceUrl: Type.String({ pattern: '^https://', maxLength: 500 }),
    holidays: Type.Array(Day, { maxItems: 120 }),
    adjustedWorkdays: Type.Array(Day, { maxItems: 30 }),
  },
  { additionalProperties: false },
);

/**
 * The work calendar over time (B4 of issue 17). `GET /v1/calendars`: the years deadlines count
 * with, and where each comes from. `PUT /v1/calendars/:year` (admins): imports a year's State
 * Council notice as its next revision, validated as the calendar validates every year; then every
 * open report with a running deadline counted with provisional or fallback days recomputes it,
 * recording old and new with both calendar versions. Importing the same notice again stores
 * nothing and reaches only the reports still waiting (after a failure, say).
 */
export function calendarRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
  access: ReportAccess;
  calendars: CalendarStore;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    app.get(
      '/calendars',
      {
        onRequest: deps.authorize(['admin', 'supervisor']),
        schema: {
          tags: ['policies'],
          operationId: 'listCalendars',
          summary: 'The work calendar: its version, and each year with the notice it comes from',
          security: [{ bearer: [] }],
          response: {
            200: Type.Object({
              version: Type.String(),
              years: Type.Array(
                Type.Object({
                  year: Type.Integer(),
                  version: Type.String(),
                  origin: OneOfOrigin,
                  importedBy: Type.Optional(Type.String()),
                  importedAt: Type.Optional(Type.String()),
                }),
              ),
            }),
            ...problemResponses,
          },
        },
      },
      async () => {
        const calendar = await deps.calendars.current();
        const imported = await listImportedYears(deps.sql);
        const years = [
          ...SHIPPED_YEARS.map((y) => ({ year: y.year, version: y.version, origin: 'shipped' as const })),
          ...imported.map((y) => ({
            year: y.year,
            version: y.version,
            origin: 'imported' as const,
            importedBy: y.imported_by,
            importedAt: y.imported_at.toISOString(),
          })),
        ].sort((a, b) => a.year - b.year || a.version.localeCompare(b.version));
        return { version: calendar.version, years };
      },
    );

    app.put(
      '/calendars/:year',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags: ['policies'],
          operationId: 'importCalendarYear',
          summary: "Import a year's holiday notice; open reports with provisional deadlines recompute them",
          security: [{ bearer: [] }],
          params: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2200 }) }),
          body: Notice,
          response: {
            200: Type.Object({
              version: Type.String(),
              previousVersion: Type.String(),
              created: Type.Boolean(),
              changeId: Type.String(),
              totals: TotalsSchema,
              reports: Type.Array(ReportOutcomeSchema),
            }),
            ...problemResponses,
          },
        },
      },
      async (req) => {
        const caller = req.caller!;
        let imported;
        try {
          imported = await importCalendarYear(deps.sql, req.params.year, req.body, caller.id);
        } catch (err) {
          if (err instanceof CalendarDataError)
            throw new ProblemError('invalid-input', err.message, {
              errors: err.problems.map((message) => ({ path: '/', message })),
            });
          throw err;
        }
        const version = imported.year.version;
        const ids = await reportsWithUncertainDeadlines(deps.sql);
        const changeId = newChangeId();
        const reason = `导入${req.params.year}年节假日安排（${version}）：${req.body.source}`.slice(0, 500);
        await deps.sql`
          insert into deadline_changes (change_id, kind, calendar_version, reason, requested_by, reports)
          values (${changeId}, 'calendar_import', ${version}, ${reason}, ${caller.id}, ${ids.length})`;
        const reports = await applyToReports(deps.access, caller, ids, 'recomputeDeadlines', {
          calendarVersion: version,
          reason,
          changeId,
        });
        const totals = await finishChange(deps.sql, changeId, reports);
        return {
          version,
          previousVersion: imported.previousVersion,
          created: imported.created,
          changeId,
          totals,
          reports,
        };
      },
    );
    return Promise.resolve();
  };
}

const OneOfOrigin = Type.Union([Type.Literal('shipped'), Type.Literal('imported')]);
