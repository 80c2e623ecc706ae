import { EncryptingPayloadCodec } from '../infra/payload-codec.js';
import type { Connection } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { searchAttributesReady } from '../infra/search-attributes.js';
import { connectTemporalClient } from '../infra/temporal.js';
import { resolveCodecKeys, resolveVaultKeys } from '../infra/vault-keys.js';
import { buildApp, createApiDeps } from './app.js';
import { listen } from './server.js';

export interface RunningApi {
  readonly url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes connections. */
  stop(): Promise<void>;
}

export async function runApi(opts: {
  config: Config;
  databaseUrl: string;
  log: Logger;
}): Promise<RunningApi> {
  const { config, log } = opts;
  const vault = await resolveVaultKeys(config, log);
  const codec = new EncryptingPayloadCodec(await resolveCodecKeys(config, log));
  const sql = await connectPostgres(opts.databaseUrl, { timeoutMs: config.startupTimeoutMs, log });
  try {
    const temporal = await connectTemporalClient(config, { dataConverter: { payloadCodecs: [codec] } });
    const searchAttributes = await searchAttributesReady(
      temporal.connection as Connection,
      config.temporal.namespace,
    );
    const app = await buildApp(createApiDeps(config, sql, temporal, { vault, codec, searchAttributes }), log);
    app.addHook('onClose', async () => {
      await temporal.connection.close();
      await sql.end({ timeout: 5 });
    });
    const url = await listen(app, config).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    log.info({ url }, 'API listening');
    return { url, stop: () => app.close() };
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    throw err;
  }
}
