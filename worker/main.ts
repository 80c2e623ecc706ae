/** `npm run worker`: the worker process of a production deployment. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../infra/config.js';
import { migrate } from '../infra/database.js';
import { requireExternalServers } from '../infra/external-only.js';
import { createLogger } from '../infra/logger.js';
import { announceReady, onShutdownSignal, runMain } from '../infra/main-guard.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { runWorker } from './run-worker.js';

// The production image ships a bundle made at build time (no webpack at start-up); from source, bundle now.
const PREBUILT_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

runMain(async () => {
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'worker' });
  const { databaseUrl } = requireExternalServers(config, 'worker');
  installTemporalRuntime(log);
  await migrate(databaseUrl, log, config.startupTimeoutMs);
  const worker = await runWorker({
    config,
    databaseUrl,
    log,
    workflowBundle: existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined,
  });
  onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping the worker');
    await worker.stop();
  });
  announceReady();
  await worker.done;
});
