import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { STAGE_NAMES } from '../../domain/report/report-state.js';
import { OneOf } from '../../domain/schema.js';
import type { Policy } from '../../domain/policy.js';
import type { CalendarStore } from '../../infra/calendar-store.js';
import type { PolicyRegistry } from '../../infra/policy-registry.js';
import type { Authorize } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';
import type { ReportAccess } from '../reports/report-access.js';
import {
  applyToReports,
  finishChange,
  MAX_REPORTS_PER_CHANGE,
  newChangeId,
  previewReports,
  ReportOutcomeSchema,
  reportsToAdopt,
  tally,
  TotalsSchema,
  type AdoptionFilter,
} from './deadline-changes.js';
import { runWhatIf } from './what-if.js';

const DAY = 86_400_000;
/** How long a dry run validates the adoption it previewed. */
const VALIDATION_HOURS = 24;
/** The what-if a dry run shows, over the reports received in this many days before it. */
const WHAT_IF_DAYS = 90;

const Instant = Type.String({ format: 'date-time' });
const Filter = Type.Object(
  {
    fromVersions: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100 })),
    unitId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    stages: Type.Optional(Type.Array(OneOf(STAGE_NAMES), { minItems: 1, maxItems: STAGE_NAMES.length })),
    receivedFrom: Type.Optional(Instant),
    receivedTo: Type.Optional(Instant),
    reportIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 1000 }),
    ),
  },
  { additionalProperties: false },
);
const Body = Type.Object(
  {
    version: Type.Integer({ minimum: 1, maximum: 100_000 }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    filter: Type.Optional(Filter),
    dryRun: Type.Optional(Type.Boolean()),
    validatedBy: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'the changeId of the dry run that validated this adoption',
      }),
    ),
  },
  { additionalProperties: false },
);
const WhatIfSummary = Type.Object({
  from: Type.String(),
  to: Type.String(),
  reports: Type.Integer(),
  byStep: Type.Array(
    Type.Object({
      clock: Type.String(),
      completed: Type.Integer(),
      onTimeBefore: Type.Integer(),
      onTimeAfter: Type.Integer(),
      breachesAppear: Type.Integer(),
      breachesDisappear: Type.Integer(),
    }),
  ),
  rewards: Type.Object({
    compared: Type.Integer(),
    changed: Type.Integer(),
    beforeFen: Type.Integer(),
    afterFen: Type.Integer(),
  }),
});
const Answer = Type.Object({
  changeId: Type.String(),
  dryRun: Type.Boolean(),
  policy: Type.Object({ id: Type.String(), version: Type.Integer() }),
  validation: Type.Optional(
    Type.Object({ schema: Type.Literal('valid'), whatIf: WhatIfSummary, validUntil: Type.String() }),
  ),
  totals: TotalsSchema,
  reports: Type.Array(ReportOutcomeSchema),
});

/**
 * `POST /v1/policies/:id/adopt` (admins): moves open reports to another version of a policy —
 * B2 of issue 17. First as a dry run, which validates the version (its schema, and a what-if
 * over the last 90 days' reports) and lists, per report, the deadlines that would move; then for
 * real, citing that dry run (`validatedBy`, same version and filter, within 24 hours). Each report
 * gets an Update and answers which deadlines moved; the change is audited in `deadline_changes`.
 */
export function adoptionRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
  policies: PolicyRegistry;
  access: ReportAccess;
  calendars: CalendarStore;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    app.post(
      '/policies/:id/adopt',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags: ['policies'],
          operationId: 'adoptPolicy',
          summary:
            'Move open reports to another policy version: a dry run validates and previews, the adoption cites it',
          security: [{ bearer: [] }],
          params: Type.Object({
            id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-z0-9][a-z0-9-]*$' }),
          }),
          body: Body,
          response: { 200: Answer, ...problemResponses },
        },
      },
      async (req) => {
        const caller = req.caller!;
        const { version, reason } = req.body;
        const filter: AdoptionFilter = req.body.filter ?? {};
        let target: Policy;
        try {
          target = deps.policies.get(req.params.id, version);
        } catch {
          throw new ProblemError('policy-not-found', `no policy ${req.params.id} v${version} is deployed`);
        }
        const ids = await reportsToAdopt(deps.sql, target.id, target.version, filter);
        if (ids.length > MAX_REPORTS_PER_CHANGE)
          throw new ProblemError(
            'invalid-input',
            `the filter selects more than ${MAX_REPORTS_PER_CHANGE} open reports: narrow it and adopt in parts`,
          );
        const policy = { id: target.id, version: target.version };
        const changeId = newChangeId();
        const calendar = await deps.calendars.current();

        if (req.body.dryRun) {
          const to = new Date();
          const from = new Date(to.getTime() - WHAT_IF_DAYS * DAY);
          const whatIf = await runWhatIf(
            deps.sql,
            (id, v) => deps.policies.get(id, v),
            target,
            { from, to },
            { calendar },
          );
          const reports = await previewReports(deps.access, caller, ids, target, calendar);
          const validation = {
            schema: 'valid' as const,
            whatIf: {
              from: from.toISOString(),
              to: to.toISOString(),
              reports: whatIf.reports,
              byStep: whatIf.byStep.map(({ unitId: _unit, ...row }) => row),
              rewards: whatIf.rewards,
            },
            validUntil: new Date(to.getTime() + VALIDATION_HOURS * 3_600_000).toISOString(),
          };
          const totals = tally(reports);
          await deps.sql`
            insert into deadline_changes (change_id, kind, dry_run, policy_id, policy_version, calendar_version,
              filter, reason, requested_by, validation, reports, moved, failed, outcome, finished_at)
            values (${changeId}, 'policy_adoption', true, ${policy.id}, ${policy.version}, ${calendar.version},
              ${deps.sql.json(filter as never)}, ${reason}, ${caller.id}, ${deps.sql.json(validation)},
              ${totals.reports}, ${totals.moved}, ${totals.failed}, ${deps.sql.json(reports)}, now())`;
          return { changeId, dryRun: true, policy, validation, totals, reports };
        }

        const [dry] = req.body.validatedBy
          ? await deps.sql<{ change_id: string }[]>`
              select change_id from deadline_changes
              where change_id = ${req.body.validatedBy} and kind = 'policy_adoption' and dry_run
                and policy_id = ${policy.id} and policy_version = ${policy.version}
                and filter = ${deps.sql.json(filter as never)}
                and created_at > now() - make_interval(hours => ${VALIDATION_HOURS})`
          : [];
        if (!dry)
          throw new ProblemError(
            'not-validated',
            `run this adoption with "dryRun": true first and send its changeId as validatedBy (same version and filter, within ${VALIDATION_HOURS} hours)`,
          );
        await deps.sql`
          insert into deadline_changes (change_id, kind, policy_id, policy_version, calendar_version, filter,
            reason, requested_by, validated_by, reports)
          values (${changeId}, 'policy_adoption', ${policy.id}, ${policy.version}, ${calendar.version},
            ${deps.sql.json(filter as never)}, ${reason}, ${caller.id}, ${dry.change_id}, ${ids.length})`;
        const reports = await applyToReports(deps.access, caller, ids, 'adoptPolicy', {
          policyId: policy.id,
          policyVersion: policy.version,
          reason,
          changeId,
        });
        const totals = await finishChange(deps.sql, changeId, reports);
        return { changeId, dryRun: false, policy, totals, reports };
      },
    );
    return Promise.resolve();
  };
}
