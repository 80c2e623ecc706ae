import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../infra/config.js';
import type { Sql } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { withTimeout } from '../infra/startup-error.js';
import { temporalIsHealthy } from '../infra/temporal.js';
import { healthRoutes } from './health-routes.js';

/** What the routes need; tests pass real connections, as the entry points do. */
export interface ApiDeps {
  readonly config: Config;
  readonly sql: Sql;
  readonly temporal: Client;
  temporalHealthy(): Promise<boolean>;
  postgresHealthy(): Promise<boolean>;
}

export function createApiDeps(config: Config, sql: Sql, temporal: Client): ApiDeps {
  return {
    config,
    sql,
    temporal,
    temporalHealthy: () => temporalIsHealthy(temporal.connection),
    postgresHealthy: () =>
      withTimeout(sql`select 1`, 2000, () => new Error('timeout')).then(
        () => true,
        () => false,
      ),
  };
}

/** The API as a Fastify instance, not yet listening: entry points call `listen`, tests `inject`. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function buildApp(deps: ApiDeps, log: Logger): Promise<App> {
  const loggerInstance: FastifyBaseLogger = log.child({ component: 'api' });
  const app = Fastify({
    loggerInstance,
    bodyLimit: 256 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(healthRoutes(deps));
  return app;
}
