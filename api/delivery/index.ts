import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { listDeliveries, redrive } from '../../delivery/dead-letters.js';
import { recentDeliveries } from '../../delivery/dev-outbox.js';
import { readFeed } from '../../delivery/feed.js';
import { OneOf } from '../../domain/schema.js';
import type { Authorize } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';

const DeliverySchema = Type.Object({
  id: Type.String(),
  reportId: Type.String(),
  kind: Type.String(),
  channel: Type.String(),
  destination: Type.String({
    description: 'a channel, a unit role or a vault reference; never a phone or name',
  }),
  idempotencyKey: Type.String(),
  status: OneOf(['pending', 'delivered', 'dead', 'skipped'] as const),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/**
 * The outbox's deliveries, for the admins who run Bihuan: list them by status (dead letters by
 * default) and re-drive a dead letter once its cause is fixed.
 */
export function deliveryRoutes(deps: { sql: postgres.Sql; authorize: Authorize }): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    const tags = ['delivery'];
    app.get(
      '/deliveries',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags,
          operationId: 'listDeliveries',
          summary: 'Deliveries of the outbox by status — dead letters unless asked otherwise',
          security,
          querystring: Type.Object(
            {
              status: Type.Optional(OneOf(['pending', 'delivered', 'dead', 'skipped'] as const)),
              reportId: Type.Optional(Type.String({ maxLength: 200 })),
              after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(DeliverySchema),
              nextAfter: Type.Union([Type.String(), Type.Null()]),
            }),
            ...problemResponses,
          },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 100;
        const items = await listDeliveries(deps.sql, {
          status: req.query.status ?? 'dead',
          limit,
          ...(req.query.reportId ? { reportId: req.query.reportId } : {}),
          ...(req.query.after ? { after: req.query.after } : {}),
        });
        return { items, nextAfter: items.length === limit ? items.at(-1)!.id : null };
      },
    );
    app.get(
      '/feed',
      {
        onRequest: deps.authorize(['intake']),
        schema: {
          tags: ['intake'],
          operationId: 'readFeed',
          summary:
            '工单回传 by polling: the outcomes of the reports this client filed, after a cursor (at least once; `id` as the webhook’s)',
          security,
          querystring: Type.Object(
            {
              after: Type.Optional(
                Type.String({ pattern: '^[0-9]{1,18}$', description: 'the `next` of the previous page' }),
              ),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  cursor: Type.String(),
                  id: Type.String({ description: 'stable: the same as the webhook-id of this message' }),
                  type: Type.String(),
                  timestamp: Type.String({ format: 'date-time' }),
                  data: Type.Object({}, { additionalProperties: true }),
                }),
              ),
              next: Type.Union([Type.String(), Type.Null()], {
                description: 'ask with after=<next>; the same as `after` when nothing is new',
              }),
            }),
            ...problemResponses,
          },
        },
      },
      async (req) =>
        readFeed(deps.sql, req.caller!.id, { after: req.query.after, limit: req.query.limit ?? 100 }),
    );
    app.post(
      '/deliveries/:id/redrive',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags,
          operationId: 'redriveDelivery',
          summary: 'Sends a dead letter again (attempts counted afresh, its history kept)',
          security,
          params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) }),
          response: {
            200: Type.Object({ id: Type.String(), status: Type.Literal('pending') }),
            ...problemResponses,
          },
        },
      },
      async (req) => {
        const outcome = await redrive(deps.sql, req.params.id);
        if (outcome === 'missing')
          throw new ProblemError('delivery-not-found', `no delivery ${req.params.id}`);
        if (outcome === 'not_dead')
          throw new ProblemError('not-a-dead-letter', `delivery ${req.params.id} is not a dead letter`);
        return { id: req.params.id, status: 'pending' as const };
      },
    );
    return Promise.resolve();
  };
}

/**
 * `GET /dev/outbox` (development and test only, for admins): the latest deliveries and what each
 * said, so a newcomer running `npm start` sees a feedback SMS leave.
 */
export function devOutboxRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    app.get(
      '/dev/outbox',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags: ['delivery'],
          operationId: 'devOutbox',
          summary: 'Development only: the latest deliveries and what each said',
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object(
                  {
                    id: Type.String(),
                    reportId: Type.String(),
                    kind: Type.String(),
                    channel: Type.String(),
                    destination: Type.String(),
                    status: Type.String(),
                    attempts: Type.Integer(),
                    lastError: Type.Union([Type.String(), Type.Null()]),
                    deliveredAt: Type.Union([Type.String(), Type.Null()]),
                    said: Type.Object({}, { additionalProperties: true }),
                  },
                  { additionalProperties: false },
                ),
              ),
            }),
            ...problemResponses,
          },
        },
      },
      async (req) => ({ items: await recentDeliveries(deps.sql, req.query.limit ?? 50) }),
    );
    return Promise.resolve();
  };
}
