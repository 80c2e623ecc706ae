/**
 * `npm start`: the whole service on one machine with no configuration. Starts what is not
 * configured — PostgreSQL under DATA_DIR unless DATABASE_URL is set, the Temporal dev server
 * (SQLite in DATA_DIR, Web UI) unless TEMPORAL_ADDRESS is set — then migrations, development API
 * keys (outside production, on the first start: `DATA_DIR/dev-api-keys.json`), the worker and
 * the API. Ctrl-C stops everything in reverse order; the next start resumes every open workflow.
 */
import { loadConfig, type Config } from '../infra/config.js';
import { migrate } from '../infra/database.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { onShutdownSignal, runMain } from '../infra/main-guard.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { seedDevApiKeys } from '../api/dev-api-keys.js';
import { runApi } from '../api/run-api.js';
import { runWorker } from '../worker/run-worker.js';
import { startEmbeddedPostgres } from './embedded/postgres.js';
import { startTemporalDevServer } from './embedded/temporal-dev-server.js';
import { resolveTemporalCli } from './tools/temporal-cli.js';

type Stop = () => Promise<void>;

async function startDatabase(config: Config, log: Logger, stops: Stop[]): Promise<string> {
  const pg = config.postgres;
  if (pg.kind === 'external') return pg.url;
  const handle = await startEmbeddedPostgres({
    dataDir: pg.dataDir,
    port: pg.port,
    log: log.child({ component: 'postgres' }),
  });
  stops.push(() => handle.stop());
  return handle.url;
}

async function startTemporal(config: Config, log: Logger, stops: Stop[]): Promise<void> {
  const server = config.temporal.server;
  if (server.kind === 'external') return;
  const executable = await resolveTemporalCli({ progress: (m) => log.info(`[setup] ${m}`) });
  const handle = await startTemporalDevServer({
    executable,
    ...server,
    namespace: config.temporal.namespace,
    log,
  });
  stops.push(() => handle.stop());
  log.info(`Temporal Web UI: ${handle.uiUrl}`);
}

runMain(async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'start' });
  installTemporalRuntime(log);
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.warn({ err }, 'error while stopping'));
  };
  try {
    // Both start at once; if one fails, wait for the other so that its stop is registered too.
    const [database, temporal] = await Promise.allSettled([
      startDatabase(config, log, stops),
      startTemporal(config, log, stops),
    ]);
    if (database.status === 'rejected') throw database.reason;
    if (temporal.status === 'rejected') throw temporal.reason;
    const databaseUrl = database.value;
    await migrate(databaseUrl, log, config.startupTimeoutMs);
    await seedDevApiKeys({ config, databaseUrl, log });
    const worker = await runWorker({ config, databaseUrl, log });
    stops.push(() => worker.stop());
    const api = await runApi({ config, databaseUrl, log });
    stops.push(() => api.stop());
    log.info(`Bihuan is running: API ${api.url} (try ${api.url}/ready); Ctrl-C stops everything`);
    onShutdownSignal(async (signal) => {
      log.info({ signal }, 'stopping');
      await stopAll();
    });
    worker.done.catch(async (err: unknown) => {
      log.error({ err }, 'the worker stopped unexpectedly; stopping');
      await stopAll();
      process.exit(1);
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
});
