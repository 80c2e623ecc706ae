import type { Config } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { resolveVaultKeys } from '../infra/vault-keys.js';
import { startRelayHealthServer } from './health-server.js';
import { createRelay } from './relay.js';

export interface RunningRelay {
  /** Finishes the deliveries in flight, then closes its connections. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/** Connects the relay to PostgreSQL and the vault, and runs it until stopped. */
export async function runRelay(opts: {
  config: Config;
  databaseUrl: string;
  log: Logger;
}): Promise<RunningRelay> {
  const { config, log } = opts;
  const vault = await resolveVaultKeys(config, log);
  const sql = await connectPostgres(opts.databaseUrl, { timeoutMs: config.startupTimeoutMs, log });
  const relay = createRelay({ sql, config: config.delivery, vault, log });
  const stopping = new AbortController();
  const d = config.delivery;
  log.info(
    {
      webhooks: Object.keys(d.webhooks),
      smtp: d.smtp !== undefined,
      sms: d.sms !== undefined,
      maxAttempts: d.maxAttempts,
      concurrency: d.concurrency,
    },
    'delivering the outbox',
  );
  const health =
    d.healthPort === undefined ? undefined : await startRelayHealthServer(d.healthPort, config.api.host, sql);
  const done = relay.run(stopping.signal).finally(async () => {
    relay.close();
    await new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve()));
    await sql.end({ timeout: 5 });
  });
  return {
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
