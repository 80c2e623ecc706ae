import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, temporalAddress } from '../../infra/config.js';

const load = (env: Record<string, string>) => loadConfig(env);
const errorOf = (env: Record<string, string>): ConfigError => {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration from the environment', () => {
  it('needs nothing: embedded PostgreSQL and Temporal dev server under ./data, API on 127.0.0.1:3000', () => {
    const config = load({});
    expect(config.mode).toBe('development');
    expect(config.api).toEqual({
      host: '127.0.0.1',
      port: 3000,
      temporalTimeoutMs: 15_000,
      keyCacheMs: 5000,
    });
    expect(config.postgres.kind).toBe('embedded');
    expect(config.temporal.server).toMatchObject({ kind: 'embedded', port: 7233, uiPort: 8233 });
    expect(temporalAddress(config)).toBe('127.0.0.1:7233');
    expect(config.temporal.taskQueue).toBe('bihuan-reports');
  });

  it('connects to what DATABASE_URL and TEMPORAL_ADDRESS name and embeds nothing', () => {
    const config = load({
      DATABASE_URL: 'postgres://u:p@db:5432/bihuan',
      TEMPORAL_ADDRESS: 'temporal:7233',
      PORT: '8080',
    });
    expect(config.postgres).toEqual({ kind: 'external', url: 'postgres://u:p@db:5432/bihuan' });
    expect(temporalAddress(config)).toBe('temporal:7233');
    expect(config.api.port).toBe(8080);
  });

  it('is frozen, so no module can change it after start-up', () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', /PORT="abc" is invalid: a TCP port/],
    [{ PORT: '70000' }, 'PORT', /PORT="70000"/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of fatal, error/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /a PostgreSQL URL/],
    [{ TEMPORAL_ADDRESS: 'http://temporal:7233' }, 'TEMPORAL_ADDRESS', /host:port of the Temporal frontend/],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV', /development, production or test/],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS', /true or false/],
  ])('rejects %o with one line naming %s and the fix', (env, setting, message) => {
    const err = errorOf(env);
    expect(err.setting).toBe(setting);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });

  it('requires DATABASE_URL and TEMPORAL_ADDRESS in production, where nothing is embedded', () => {
    expect(errorOf({ NODE_ENV: 'production' }).setting).toBe('DATABASE_URL');
    expect(errorOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/b' }).setting).toBe(
      'TEMPORAL_ADDRESS',
    );
  });

  it('takes mTLS certificate and key together or not at all', () => {
    expect(errorOf({ TEMPORAL_TLS_CERT_PATH: '/c.pem' }).setting).toBe('TEMPORAL_TLS_CERT_PATH');
    expect(load({ TEMPORAL_TLS_CERT_PATH: '/c.pem', TEMPORAL_TLS_KEY_PATH: '/k.pem' }).temporal.tls).toEqual({
      certPath: '/c.pem',
      keyPath: '/k.pem',
    });
  });

  it('turns TLS on for Temporal Cloud API keys', () => {
    expect(load({ TEMPORAL_API_KEY: 'key' }).temporal.tls).toBe(true);
    expect(load({}).temporal.tls).toBe(false);
  });
});

describe('secrets from files (<SETTING>_FILE, as Docker and Kubernetes mount secrets)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bihuan-secrets-'));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

  it('reads the vault and codec keys and the JWT secret from files, trimming the newline', () => {
    const config = loadConfig({
      BIHUAN_VAULT_KEYS_FILE: write('vault', `${key}\n`),
      BIHUAN_CODEC_KEYS_FILE: write('codec', `${key}\n`),
      JWT_SECRET_FILE: write('jwt', `${'s'.repeat(40)}\n`),
    });
    expect(config.vaultKeys.map((k) => k.id)).toEqual(['k1']);
    expect(config.codecKeys.map((k) => k.id)).toEqual(['k1']);
    expect(config.jwtSecret).toBe('s'.repeat(40));
  });

  it('names the setting when the file is missing or holds a malformed value, never the value', () => {
    expect(() => loadConfig({ BIHUAN_VAULT_KEYS_FILE: join(dir, 'nope') })).toThrow(
      /^BIHUAN_VAULT_KEYS_FILE=.* cannot be read/,
    );
    const bad = write('bad', 'not-a-key-but-a-secret');
    let error: unknown;
    try {
      loadConfig({ BIHUAN_CODEC_KEYS_FILE: bad });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).setting).toBe('BIHUAN_CODEC_KEYS');
    expect((error as Error).message).toContain('(hidden)');
    expect((error as Error).message).not.toContain('not-a-key-but-a-secret');
  });
});
