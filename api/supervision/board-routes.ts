import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { UnitId } from '../../domain/directory.js';
import { Instant as BoundedInstant, OneOf } from '../../domain/schema.js';
import { CLOCK_VALUES } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { problemResponses } from '../platform/problems.js';
import { dueBoard, overdueBoard } from './boards.js';
import { SUPERVISION_ROLES } from './roles.js';

const Instant = Type.String({ format: 'date-time' });
const BoardQuery = Type.Object(
  {
    unitId: Type.Optional(Type.Array(UnitId, { minItems: 1, maxItems: 50 })),
    clock: Type.Optional(OneOf(CLOCK_VALUES)),
    asOf: Type.Optional(BoundedInstant({ description: 'the instant the board is for (default: now)' })),
  },
  { additionalProperties: false },
);
const DueQuery = Type.Object(
  {
    ...BoardQuery.properties,
    withinHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31, default: 24 })),
  },
  { additionalProperties: false },
);
const BoardSchema = Type.Object({
  asOf: Instant,
  items: Type.Array(
    Type.Object({
      reportId: Type.String(),
      clock: Type.String(),
      occurrence: Type.Integer(),
      unitId: Type.Union([Type.String(), Type.Null()]),
      stage: Type.String(),
      urgency: Type.String(),
      dueAt: Instant,
      overdueHours: Type.Number(),
      rungsFired: Type.Integer(),
    }),
  ),
  byClock: Type.Array(Type.Object({ clock: Type.String(), count: Type.Integer() })),
  byUnit: Type.Array(
    Type.Object({ unitId: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() }),
  ),
  byRung: Type.Array(Type.Object({ rungsFired: Type.Integer(), count: Type.Integer() })),
});
/**
 * 督办看板: the running deadlines a supervisor acts on — those already passed (逾期) and those due
 * within the next hours (即将到期) — each with its rung, per step, unit and rung.
 */
export function boardRoutes(deps: { sql: postgres.Sql; authorize: Authorize }): FastifyPluginAsyncTypebox {
  return (app) => {
    const onRequest = deps.authorize(SUPERVISION_ROLES);
    const common = { tags: ['supervision'], security: [{ bearer: [] }] };
    const at = (asOf: string | undefined) => (asOf ? new Date(asOf) : new Date());
    app.get(
      '/boards/overdue',
      {
        onRequest,
        schema: {
          ...common,
          operationId: 'getOverdueBoard',
          summary: '逾期: running deadlines that have passed, per step, unit and escalation rung',
          querystring: BoardQuery,
          response: { 200: BoardSchema, ...problemResponses },
        },
      },
      (req) => overdueBoard(deps.sql, req.caller!, req.query, at(req.query.asOf)),
    );
    app.get(
      '/boards/due',
      {
        onRequest,
        schema: {
          ...common,
          operationId: 'getDueBoard',
          summary: '即将到期: running deadlines due within the next hours (default 24)',
          querystring: DueQuery,
          response: { 200: BoardSchema, ...problemResponses },
        },
      },
      (req) => dueBoard(deps.sql, req.caller!, req.query, at(req.query.asOf), req.query.withinHours ?? 24),
    );
    return Promise.resolve();
  };
}
