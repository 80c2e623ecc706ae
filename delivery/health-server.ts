import { createServer, type Server } from 'node:http';
import type { Sql } from '../infra/database.js';
import { withTimeout } from '../infra/startup-error.js';

/**
 * The relay's probes: `/health` while it runs, `/ready` when PostgreSQL (all it needs) answers.
 * A channel being down is not unreadiness: that is what retries and dead letters are for.
 */
export function startRelayHealthServer(port: number, host: string, sql: Sql): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (ok: boolean, body: object) =>
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/health') return send(true, { status: 'ok' });
    if (req.url === '/ready') {
      void withTimeout(sql`select 1`, 2000, () => new Error('timeout')).then(
        () => send(true, { status: 'ready', postgres: 'up' }),
        () => send(false, { status: 'not-ready', postgres: 'down' }),
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
