import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseVaultKeys, type Config } from './config.js';
import type { Logger } from './logger.js';
import { StartupError, describeError } from './startup-error.js';
import { KeyRing } from './vault.js';

export const DEV_VAULT_KEY_FILE = 'dev-vault-key';

/**
 * The reporter vault's keys. BIHUAN_VAULT_KEYS when set. Otherwise, outside production, a key of
 * this machine kept in `<DATA_DIR>/dev-vault-key` (created on the first start, readable only by its
 * owner), so `npm start` needs no setup. In production a missing key stops start-up: a default key
 * would mean reporters' identities encrypted under a key anyone can read.
 */
export async function resolveVaultKeys(config: Config, log: Logger): Promise<KeyRing> {
  if (config.vaultKeys.length > 0) return new KeyRing(config.vaultKeys);
  if (config.mode === 'production') {
    throw new StartupError(
      'BIHUAN_VAULT_KEYS',
      'BIHUAN_VAULT_KEYS is required in production: set it to <id>:<base64 of 32 random bytes>, e.g. k1:$(openssl rand -base64 32)',
    );
  }
  const file = join(config.dataDir, DEV_VAULT_KEY_FILE);
  try {
    const ring = new KeyRing(parseVaultKeys(await readOrCreate(file)));
    log.warn({ file }, 'using the development reporter-vault key; set BIHUAN_VAULT_KEYS in production');
    return ring;
  } catch (err) {
    throw new StartupError(
      'DATA_DIR',
      `cannot use the development vault key ${file} (${describeError(err)}): fix or delete the file, or set BIHUAN_VAULT_KEYS`,
      { cause: err },
    );
  }
}

async function readOrCreate(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  const value = `dev:${randomBytes(32).toString('base64')}`;
  await mkdir(join(file, '..'), { recursive: true });
  // `wx`: if two processes start at once, one creates the file and the other reads it.
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' }).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}
