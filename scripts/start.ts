/**
 * `npm start`: the whole service on one machine with no configuration. Starts what is not
 * configured — PostgreSQL under DATA_DIR unless DATABASE_URL is set, the Temporal dev server
 * (SQLite in DATA_DIR, Web UI) unless TEMPORAL_ADDRESS is set — then migrations, development API
 * keys (outside production, on the first start: `DATA_DIR/dev-api-keys.json`), development sinks
 * for the outbox when no delivery channel is configured, and the worker, the API and the delivery
 * relay as processes of their own, as in production, each started again if it crashes.
 *
 * `npm run cluster` (`--cluster`) is the same on a real Temporal cluster instead of the dev server:
 * the server built from source, its four services as four processes on the embedded PostgreSQL
 * (4 history shards), and two workers (issue 18). Its DATA_DIR defaults to `data/cluster`.
 *
 * Ctrl-C (or SIGTERM, or a closed terminal) stops everything in reverse order; the next start
 * resumes every open workflow. If this process dies without stopping anything (`kill -9`, an OOM
 * kill), the guardian stops the embedded servers and the children stop themselves; and if even
 * that fails, the next start recognises what an earlier start of this DATA_DIR left running
 * (scripts/embedded/orphans.ts) and stops it, saying so in one line.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CHANNEL_VALUES } from '../domain/vocabulary.js';
import { loadConfig, type Config } from '../infra/config.js';
import { migrate } from '../infra/database.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { onShutdownSignal, runMain } from '../infra/main-guard.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { seedDevApiKeys } from './dev-api-keys.js';
import { startGuardian, type Guardian } from './embedded/guardian-client.js';
import { claimDataDir, stopOrphanedPostgres, stopOrphanedTemporal } from './embedded/orphans.js';
import { postmasterPid, startEmbeddedPostgres } from './embedded/postgres.js';
import { writeRunRecord } from './embedded/run-state.js';
import { startDevSinks } from './embedded/dev-sinks.js';
import { superviseChild, type SupervisedChild } from './embedded/supervised-child.js';
import { startTemporalDevServer } from './embedded/temporal-dev-server.js';
import { resolveTemporalCli } from './tools/temporal-cli.js';
import { resolveTemporalServer } from './tools/temporal-server.js';
import { startTemporalCluster } from './embedded/temporal-cluster.js';

type Stop = () => Promise<void>;

async function startDatabase(config: Config, log: Logger, stops: Stop[], guardian: Guardian) {
  const pg = config.postgres;
  if (pg.kind === 'external') return pg.url;
  await stopOrphanedPostgres(pg.dataDir, log);
  const handle = await startEmbeddedPostgres({
    dataDir: pg.dataDir,
    port: pg.port,
    log: log.child({ component: 'postgres' }),
  });
  stops.push(() => handle.stop());
  const pid = await postmasterPid(pg.dataDir);
  // SIGINT is PostgreSQL's fast shutdown: open transactions roll back, the cluster stays clean.
  if (pid !== undefined)
    guardian.guard(await writeRunRecord(config.dataDir, 'postgres', { pid, port: pg.port }), 'SIGINT');
  return handle.url;
}

/** The cluster profile: the Temporal server's four services on the embedded PostgreSQL. */
async function startCluster(
  config: Config,
  databaseUrl: string,
  log: Logger,
  stops: Stop[],
  guardian: Guardian,
): Promise<string> {
  const server = config.temporal.server;
  if (server.kind === 'external') return server.address;
  await stopOrphanedTemporal(config.dataDir, log);
  const tools = await resolveTemporalServer({ progress: (m) => log.info(`[setup] ${m}`) });
  const cluster = await startTemporalCluster({
    tools: tools!,
    databaseUrl,
    dir: config.dataDir,
    port: server.port,
    namespace: config.temporal.namespace,
    log,
  });
  stops.push(() => cluster.stop());
  for (const [service, pid] of Object.entries(cluster.pids))
    if (pid !== undefined)
      guardian.guard(await writeRunRecord(config.dataDir, `temporal-${service}`, { pid }), 'SIGTERM');
  return cluster.address;
}

async function startTemporal(config: Config, log: Logger, stops: Stop[], guardian: Guardian) {
  const server = config.temporal.server;
  if (server.kind === 'external') return server.address;
  await stopOrphanedTemporal(config.dataDir, log);
  const executable = await resolveTemporalCli({ progress: (m) => log.info(`[setup] ${m}`) });
  const handle = await startTemporalDevServer({
    executable,
    ...server,
    namespace: config.temporal.namespace,
    log,
    ownProcessGroup: true,
    logFile: join(config.dataDir, 'temporal-dev-server.log'),
  });
  stops.push(() => handle.stop());
  if (handle.pid !== undefined)
    guardian.guard(
      await writeRunRecord(config.dataDir, 'temporal', { pid: handle.pid, port: server.port }),
      'SIGTERM',
    );
  log.info(`Temporal Web UI: ${handle.uiUrl}`);
  return handle.address;
}

/**
 * Outside production, with no delivery channel configured, the outbox goes to local sinks: the
 * settings the delivery relay then reads (every intake channel's webhook, the SMS gateway, SMTP and
 * the offices' mailboxes). Configure any channel and no sink starts.
 */
async function startSinks(config: Config, log: Logger, stops: Stop[]): Promise<Record<string, string>> {
  const d = config.delivery;
  if (config.mode === 'production' || d.smtp || d.sms || Object.keys(d.webhooks).length > 0) return {};
  const sinks = await startDevSinks({ ...config.devSinks, log });
  stops.push(() => sinks.stop());
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const webhooks = Object.fromEntries(
    CHANNEL_VALUES.map((channel) => [
      channel,
      { url: `${sinks.httpUrl}/hotline/${channel}`, secrets: [secret] },
    ]),
  );
  return {
    SMTP_URL: sinks.smtpUrl,
    SMS_GATEWAY_URL: `${sinks.httpUrl}/sms`,
    DELIVERY_WEBHOOKS: JSON.stringify(webhooks),
    MAILBOX_SUPERVISORS: d.mailboxes.supervisors ?? 'anweiban@localhost',
    MAILBOX_DISPATCH_CENTRE: d.mailboxes.dispatch_centre ?? 'dispatch@localhost',
    MAILBOX_OPERATORS: d.mailboxes.operators ?? 'operators@localhost',
  };
}

/** If the parent of `npm start` (npm, tsx, a terminal) goes away, so do we. */
function onParentGone(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, 1000);
  timer.unref();
}

const CLUSTER = process.argv.includes('--cluster');

runMain(async () => {
  // The cluster keeps its own data: its PostgreSQL also holds Temporal's databases.
  if (CLUSTER) process.env.DATA_DIR ??= 'data/cluster';
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'start' });
  installTemporalRuntime(log);
  await claimDataDir(config.dataDir, log);
  const guardian = await startGuardian(log, config.dataDir);
  const stops: Stop[] = [() => guardian.close()];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.warn({ err }, 'error while stopping'));
  };
  try {
    // Both start at once (the cluster after the database it runs on); if one fails, wait for the
    // other so that its stop is registered too.
    const [database, devServer] = await Promise.allSettled([
      startDatabase(config, log, stops, guardian),
      CLUSTER ? Promise.resolve('') : startTemporal(config, log, stops, guardian),
    ]);
    if (database.status === 'rejected') throw database.reason;
    if (devServer.status === 'rejected') throw devServer.reason;
    const databaseUrl = database.value;
    const temporal = {
      value: CLUSTER ? await startCluster(config, databaseUrl, log, stops, guardian) : devServer.value,
    };
    await migrate(databaseUrl, log, config.startupTimeoutMs);
    await seedDevApiKeys({ config, databaseUrl, log });
    // The children read the same environment, with the servers this process started made explicit.
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.value,
      ...(await startSinks(config, log, stops)),
    };
    const child = (name: 'worker' | 'worker-2' | 'api' | 'delivery', entry: string, extra = {}) =>
      superviseChild({ name, entry, env: { ...env, ...extra }, dataDir: config.dataDir, log });
    const health = config.worker.healthPort;
    const children: Partial<Record<'worker' | 'worker-2' | 'api' | 'delivery', SupervisedChild>> = {
      worker: child('worker', 'worker/main.ts'),
      // The cluster profile runs two workers on the task queue, as a deployment would.
      ...(CLUSTER
        ? {
            'worker-2': child(
              'worker-2',
              'worker/main.ts',
              health === undefined ? {} : { WORKER_HEALTH_PORT: String(health + 1) },
            ),
          }
        : {}),
      api: child('api', 'api/main.ts'),
      delivery: child('delivery', 'delivery/main.ts'),
    };
    for (const c of Object.values(children)) stops.push(() => c.stop());
    await Promise.all(Object.values(children).map((c) => c.ready));
    const url = `http://${config.api.host}:${config.api.port}`;
    log.info(
      `Bihuan is running${CLUSTER ? ' on a Temporal cluster (4 services, 2 workers)' : ''}: API ${url} (try ${url}/ready); Ctrl-C stops everything`,
    );
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'stopping');
      await stopAll();
    };
    onShutdownSignal(shutdown);
    onParentGone(() => void shutdown('parent gone').finally(() => process.exit(0)));
  } catch (err) {
    await stopAll();
    throw err;
  }
});
