import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseVaultKeys, type Config } from './config.js';
import type { Logger } from './logger.js';
import { StartupError, describeError } from './startup-error.js';
import { KeyRing } from './vault.js';

export const DEV_VAULT_KEY_FILE = 'dev-vault-key';
export const DEV_CODEC_KEY_FILE = 'dev-codec-key';

interface KeySetting {
  readonly setting: 'BIHUAN_VAULT_KEYS' | 'BIHUAN_CODEC_KEYS';
  readonly what: string;
  readonly devFile: string;
  readonly keys: Config['vaultKeys'];
}

/**
 * A key ring from its setting when set. Otherwise, outside production, a key of this machine kept
 * in `<DATA_DIR>/<devFile>` (created on the first start, readable only by its owner), so
 * `npm start` needs no setup. In production a missing key stops start-up: a default key would
 * mean reporters' identities encrypted under a key anyone can read.
 */
async function resolveKeyRing(config: Config, log: Logger, k: KeySetting): Promise<KeyRing> {
  if (k.keys.length > 0) return new KeyRing(k.keys);
  if (config.mode === 'production') {
    throw new StartupError(
      k.setting,
      `${k.setting} is required in production: set it to <id>:<base64 of 32 random bytes>, e.g. k1:$(openssl rand -base64 32)`,
    );
  }
  const file = join(config.dataDir, k.devFile);
  try {
    const ring = new KeyRing(parseVaultKeys(await readOrCreate(file), k.setting));
    log.warn({ file }, `using the development ${k.what} key; set ${k.setting} in production`);
    return ring;
  } catch (err) {
    throw new StartupError(
      'DATA_DIR',
      `cannot use the development ${k.what} key ${file} (${describeError(err)}): fix or delete the file, or set ${k.setting}`,
      { cause: err },
    );
  }
}

/** The reporter vault's keys (BIHUAN_VAULT_KEYS, or the development key outside production). */
export const resolveVaultKeys = (config: Config, log: Logger): Promise<KeyRing> =>
  resolveKeyRing(config, log, {
    setting: 'BIHUAN_VAULT_KEYS',
    what: 'reporter-vault',
    devFile: DEV_VAULT_KEY_FILE,
    keys: config.vaultKeys,
  });

/** The payload codec's keys (BIHUAN_CODEC_KEYS, or the development key outside production). */
export const resolveCodecKeys = (config: Config, log: Logger): Promise<KeyRing> =>
  resolveKeyRing(config, log, {
    setting: 'BIHUAN_CODEC_KEYS',
    what: 'payload-codec',
    devFile: DEV_CODEC_KEY_FILE,
    keys: config.codecKeys,
  });

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
