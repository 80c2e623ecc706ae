/** `npm run deliver`: the delivery relay of a production deployment (it needs only PostgreSQL). */
import { loadConfig } from '../infra/config.js';
import { migrate } from '../infra/database.js';
import { StartupError } from '../infra/startup-error.js';
import { createLogger } from '../infra/logger.js';
import { announceReady, onShutdownSignal, runMain } from '../infra/main-guard.js';
import { runRelay } from './run-relay.js';

runMain(async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'delivery' });
  if (config.postgres.kind !== 'external')
    throw new StartupError(
      'DATABASE_URL',
      'DATABASE_URL is not set: `npm run deliver` connects to an existing PostgreSQL (use `npm start` for the embedded one)',
    );
  const databaseUrl = config.postgres.url;
  await migrate(databaseUrl, log, config.startupTimeoutMs);
  const relay = await runRelay({ config, databaseUrl, log });
  onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping the delivery relay');
    await relay.stop();
  });
  announceReady();
  await relay.done;
});
