import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { register } from 'prom-client';
import type { Sql } from '../infra/database.js';
import { withTimeout } from '../infra/startup-error.js';

/**
 * The worker's probes for orchestrators: `/health` while the worker runs, `/ready` when it runs
 * and PostgreSQL answers (the worker's own Temporal connection failing stops the worker itself),
 * and `/metrics` for Prometheus (among them `bihuan_activity_data_rejected_total`: reports whose
 * data PostgreSQL refused, each also on the report's timeline and in the outbox).
 */
export function startWorkerHealthServer(
  port: number,
  host: string,
  worker: Worker,
  sql: Sql,
): Promise<Server> {
  const server = createServer((req, res) => {
    const running = worker.getState() === 'RUNNING';
    const send = (ok: boolean, body: object) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/health') return send(running, { status: running ? 'ok' : worker.getState() });
    if (req.url === '/metrics') {
      void register
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': register.contentType }).end(text));
      return;
    }
    if (req.url === '/ready') {
      void withTimeout(sql`select 1`, 2000, () => new Error('timeout')).then(
        () =>
          send(running, {
            status: running ? 'ready' : 'not-ready',
            worker: worker.getState(),
            postgres: 'up',
          }),
        () => send(false, { status: 'not-ready', worker: worker.getState(), postgres: 'down' }),
      );
      return;
    }
    send(false, { status: 'not-found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
