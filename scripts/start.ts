/**
 * `npm start`: the whole service on one machine with no configuration. Starts what is not
 * configured — PostgreSQL under DATA_DIR unless DATABASE_URL is set, the Temporal dev server
 * (SQLite in DATA_DIR, Web UI) unless TEMPORAL_ADDRESS is set — then migrations, development API
 * keys (outside production, on the first start: `DATA_DIR/dev-api-keys.json`), and the worker and
 * the API as two processes of their own, as in production, started again if one crashes.
 *
 * Ctrl-C (or SIGTERM, or a closed terminal) stops everything in reverse order; the next start
 * resumes every open workflow. If this process dies without stopping anything (`kill -9`, an OOM
 * kill), the guardian stops the embedded servers and the children stop themselves; and if even
 * that fails, the next start recognises what an earlier start of this DATA_DIR left running
 * (scripts/embedded/orphans.ts) and stops it, saying so in one line.
 */
import { join } from 'node:path';
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
import { superviseChild, type SupervisedChild } from './embedded/supervised-child.js';
import { startTemporalDevServer } from './embedded/temporal-dev-server.js';
import { resolveTemporalCli } from './tools/temporal-cli.js';

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

runMain(async () => {
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
    // Both start at once; if one fails, wait for the other so that its stop is registered too.
    const [database, temporal] = await Promise.allSettled([
      startDatabase(config, log, stops, guardian),
      startTemporal(config, log, stops, guardian),
    ]);
    if (database.status === 'rejected') throw database.reason;
    if (temporal.status === 'rejected') throw temporal.reason;
    const databaseUrl = database.value;
    await migrate(databaseUrl, log, config.startupTimeoutMs);
    await seedDevApiKeys({ config, databaseUrl, log });
    // The children read the same environment, with the servers this process started made explicit.
    const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.value };
    const children: Record<'worker' | 'api', SupervisedChild> = {
      worker: superviseChild({ name: 'worker', entry: 'worker/main.ts', env, dataDir: config.dataDir, log }),
      api: superviseChild({ name: 'api', entry: 'api/main.ts', env, dataDir: config.dataDir, log }),
    };
    stops.push(() => children.worker.stop());
    stops.push(() => children.api.stop());
    await Promise.all([children.worker.ready, children.api.ready]);
    const url = `http://${config.api.host}:${config.api.port}`;
    log.info(`Bihuan is running: API ${url} (try ${url}/ready); Ctrl-C stops everything`);
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
