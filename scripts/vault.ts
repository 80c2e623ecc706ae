/**
 * `npm run vault -- rotate`: re-encrypts the reporter vault under the first key of
 * BIHUAN_VAULT_KEYS (list the new key first and keep the old ones until this has run). Resumable:
 * run it again after an interruption. Prints what it re-encrypted.
 */
import { rotateVault } from './vault-rotation.js';
import { loadConfig } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { resolveVaultKeys } from '../infra/vault-keys.js';
import { embeddedPostgresUrl } from './embedded/postgres.js';

runMain(async () => {
  const command = process.argv[2];
  if (command !== 'rotate') {
    console.error('usage: npm run vault -- rotate');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'vault' });
  const say = (m: string) => console.log(`[vault] ${m}`);
  const ring = await resolveVaultKeys(config, log);
  const url =
    config.postgres.kind === 'external' ? config.postgres.url : embeddedPostgresUrl(config.postgres.port);
  const sql = await connectPostgres(url, { timeoutMs: config.startupTimeoutMs, log, max: 2 });
  try {
    say(`re-encrypting under key ${ring.currentKeyId()}…`);
    const done = await rotateVault(sql, ring, { progress: say });
    say(`done: ${done.identities} identities and ${done.claimCodes} claim codes re-encrypted`);
  } finally {
    await sql.end();
  }
});
