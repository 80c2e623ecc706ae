import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { ApiDeps } from '../app.js';

const DependencyStatus = Type.Object({ status: Type.Union([Type.Literal('up'), Type.Literal('down')]) });
const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  dependencies: Type.Object({ temporal: DependencyStatus, postgres: DependencyStatus }),
});

/**
 * `/health`: liveness — the process answers; restart it if not.
 * `/ready`: readiness — Temporal and PostgreSQL each answer within 2 s; 503 names the one that does not.
 */
export function healthRoutes(deps: ApiDeps): FastifyPluginAsync {
  return (app) => {
    app.get(
      '/health',
      { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } }, logLevel: 'warn' },
      () => Promise.resolve({ status: 'ok' as const }),
    );
    app.get(
      '/ready',
      { schema: { response: { 200: ReadyBody, 503: ReadyBody } }, logLevel: 'warn' },
      async (_req, reply) => {
        const [temporal, postgres] = await Promise.all([deps.temporalHealthy(), deps.postgresHealthy()]);
        const up = (ok: boolean) => ({ status: ok ? ('up' as const) : ('down' as const) });
        const ready = temporal && postgres;
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not-ready',
          dependencies: { temporal: up(temporal), postgres: up(postgres) },
        });
      },
    );
    return Promise.resolve();
  };
}
