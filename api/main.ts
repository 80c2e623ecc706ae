/** `npm run api`: the API process of a production deployment. */
import { loadConfig } from '../infra/config.js';
import { migrate } from '../infra/database.js';
import { requireExternalServers } from '../infra/external-only.js';
import { createLogger } from '../infra/logger.js';
import { announceReady, onShutdownSignal, runMain } from '../infra/main-guard.js';
import { runApi } from './run-api.js';

runMain(async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'api' });
  const { databaseUrl } = requireExternalServers(config, 'api');
  await migrate(databaseUrl, log, config.startupTimeoutMs);
  const api = await runApi({ config, databaseUrl, log });
  onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping the API');
    await api.stop();
  });
  announceReady();
});
