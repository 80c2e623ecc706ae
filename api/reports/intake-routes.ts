import type {} from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Authorize } from '../platform/authentication.js';
import { receiveReport, type IntakeDeps } from './intake.js';
import { IntakeBodySchema, IntakeResponseSchema } from './intake-schema.js';
import { ProblemError, problemResponses } from '../platform/problems.js';

/**
 * `POST /v1/reports` (接件), for intake systems: 201 for a new report, 200 with the same body for a
 * repeat of (channel, externalId), 409 `intake-conflict` for the same key with another body.
 * Rate-limited per client (INTAKE_RATE_LIMIT a minute), after authentication.
 */
export function intakeRoutes(
  deps: IntakeDeps & { authorize: Authorize; rateLimitPerMinute: number },
): FastifyPluginAsyncTypebox {
  return (app) => {
    app.post(
      '/reports',
      {
        onRequest: deps.authorize(['intake']),
        config: {
          rateLimit: {
            max: deps.rateLimitPerMinute,
            timeWindow: 60_000,
            keyGenerator: (req) => req.caller?.id ?? req.ip,
            errorResponseBuilder: (_req, ctx) =>
              new ProblemError(
                'rate-limited',
                `at most ${ctx.max} intake requests a minute; retry in ${ctx.after}`,
              ),
          },
        },
        schema: {
          tags: ['intake'],
          operationId: 'receiveReport',
          summary: 'Receive a citizen report (接件); idempotent by (channel, externalId)',
          security: [{ bearer: [] }],
          body: IntakeBodySchema,
          response: { 200: IntakeResponseSchema, 201: IntakeResponseSchema, ...problemResponses },
        },
      },
      async (req, reply) => {
        const outcome = await receiveReport(deps, req.body, req.caller?.id);
        if (outcome.created) void reply.header('location', outcome.response.statusUrl);
        return reply.code(outcome.created ? 201 : 200).send(outcome.response);
      },
    );
    return Promise.resolve();
  };
}
