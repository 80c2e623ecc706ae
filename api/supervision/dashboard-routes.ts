import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CHANNELS, CLOCKS, ROLES, RUNGS, SUPERVISION_ACTIONS, URGENCIES } from '../../domain/vocabulary.js';
import { projectPath } from '../../infra/project-paths.js';
import { EVENT_LABELS, STAGE_LABELS } from '../../domain/labels.js';

/**
 * The supervisors' dashboard at /dashboard/: static files (no build step) and Chart.js from the
 * installed package — no CDN, as government networks are often offline. The page itself is public
 * (it holds no data); everything it shows comes from the API with the token the supervisor enters.
 * A strict Content-Security-Policy allows only this origin's scripts and styles. The report panel is
 * also the supervisor's desk: it acts through the same step endpoints, with the same token.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
// The package exports no subpath for its UMD build: found next to its main file.
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/dashboard')) reply.header('content-security-policy', CSP);
  });
  await app.register(fastifyStatic, {
    root: projectPath('api/supervision/dashboard'),
    prefix: '/dashboard/',
    decorateReply: false,
    schemaHide: true,
  });
  app.get('/dashboard', { schema: { hide: true } }, (_req, reply) => reply.redirect('/dashboard/'));
  // The page's Chinese labels, from the same tables exports and write-ups use.
  app.get('/dashboard/labels.json', { schema: { hide: true } }, () => ({
    clocks: CLOCKS,
    stages: STAGE_LABELS,
    urgencies: URGENCIES,
    channels: CHANNELS,
    events: EVENT_LABELS,
    roles: ROLES,
    rungs: RUNGS,
    supervisionActions: SUPERVISION_ACTIONS,
  }));
  app.get('/dashboard/vendor/chart.umd.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(createReadStream(CHART_JS)),
  );
};
