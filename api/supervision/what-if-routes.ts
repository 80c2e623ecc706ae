import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { PolicyError, validatePolicy } from '../../domain/policy.js';
import type { PolicyRegistry } from '../../infra/policy-registry.js';
import type { CalendarStore } from '../../infra/calendar-store.js';
import type { Authorize } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';
import { CONTENT_TYPES, fileName, tableStream } from './tabular.js';
import { runWhatIf, whatIfTable } from './what-if.js';

const Row = Type.Object({
  clock: Type.String(),
  unitId: Type.Union([Type.String(), Type.Null()]),
  completed: Type.Integer(),
  onTimeBefore: Type.Integer(),
  onTimeAfter: Type.Integer(),
  breachesAppear: Type.Integer(),
  breachesDisappear: Type.Integer(),
});
const Body = Type.Object(
  {
    policy: Type.Object({}, { additionalProperties: true, description: 'the proposed policy document' }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/**
 * `POST /v1/policies/what-if` (JSON) and `POST /v1/policies/what-if.xlsx`: what a proposed policy
 * would have decided for the reports received in a period (domain/what-if.ts). It changes nothing.
 */
export function whatIfRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
  policies: PolicyRegistry;
  calendars: CalendarStore;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    const run = async (body: { policy: object; from: string; to: string }) => {
      let proposal;
      try {
        proposal = validatePolicy(body.policy, 'policy');
      } catch (err) {
        if (err instanceof PolicyError) throw new ProblemError('invalid-input', err.message);
        throw err;
      }
      const [from, to] = [new Date(body.from), new Date(body.to)];
      if (!(from < to)) throw new ProblemError('invalid-input', 'from comes before to');
      return runWhatIf(
        deps.sql,
        (id, version) => deps.policies.get(id, version),
        proposal,
        { from, to },
        { calendar: await deps.calendars.current() },
      );
    };
    for (const format of ['json', 'xlsx'] as const) {
      app.post(
        format === 'json' ? '/policies/what-if' : '/policies/what-if.xlsx',
        {
          onRequest: deps.authorize(['admin', 'supervisor']),
          schema: {
            tags: ['policies'],
            operationId: format === 'json' ? 'whatIf' : 'whatIfXlsx',
            summary:
              'What a proposed policy would have decided for the reports received in [from, to): breaches appearing and disappearing per step and unit',
            security: [{ bearer: [] }],
            body: Body,
            response: {
              200:
                format === 'json'
                  ? Type.Object({
                      proposal: Type.Object({ id: Type.String(), version: Type.Integer() }),
                      reports: Type.Integer(),
                      byStep: Type.Array(Row),
                      byUnit: Type.Array(Row),
                      skipped: Type.Record(Type.String(), Type.Integer()),
                      rewards: Type.Object({
                        compared: Type.Integer(),
                        changed: Type.Integer(),
                        beforeFen: Type.Integer(),
                        afterFen: Type.Integer(),
                      }),
                    })
                  : Type.String({ contentMediaType: CONTENT_TYPES.xlsx }),
              ...problemResponses,
            },
          },
        },
        async (req, reply) => {
          const result = await run(req.body);
          if (format === 'json') return result;
          return reply
            .type(CONTENT_TYPES.xlsx)
            .header('content-disposition', `attachment; filename="${fileName('what-if', 'xlsx')}"`)
            .send(tableStream(whatIfTable(result), 'xlsx'));
        },
      );
    }
    return Promise.resolve();
  };
}
