import type { Config } from './config.js';
import { StartupError } from './startup-error.js';

/**
 * `npm run api` and `npm run worker` are the production processes: they connect to servers that
 * already run and start nothing embedded (that is `npm start`'s job).
 */
export function requireExternalServers(config: Config, processName: string): { databaseUrl: string } {
  if (config.postgres.kind !== 'external') {
    throw new StartupError(
      'DATABASE_URL',
      `DATABASE_URL is not set: \`npm run ${processName}\` connects to an existing PostgreSQL (use \`npm start\` for the embedded one)`,
    );
  }
  if (config.temporal.server.kind !== 'external') {
    throw new StartupError(
      'TEMPORAL_ADDRESS',
      `TEMPORAL_ADDRESS is not set: \`npm run ${processName}\` connects to an existing Temporal server (use \`npm start\` for the embedded one)`,
    );
  }
  return { databaseUrl: config.postgres.url };
}
