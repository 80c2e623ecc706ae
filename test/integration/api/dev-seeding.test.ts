import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorOfApiKey } from '../../../api/platform/api-keys.js';
import { DEV_API_KEYS_FILE, seedDevApiKeys } from '../../../scripts/dev-api-keys.js';
import { loadConfig } from '../../../infra/config.js';
import { createLogger } from '../../../infra/logger.js';
import { StartupError } from '../../../infra/startup-error.js';
import { DEV_VAULT_KEY_FILE, resolveVaultKeys } from '../../../infra/vault-keys.js';
import { createTestDatabase } from '../../support/database.js';

const log = createLogger('silent');

describe('development seeding: API keys and the vault key on the first npm start', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'bihuan-seed-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('production seeds no API key and no district, and refuses to start without BIHUAN_VAULT_KEYS', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      DATA_DIR: dataDir,
    });
    expect(await seedDevApiKeys({ config, databaseUrl: db.url, log })).toBeUndefined();
    expect(await db.sql`select 1 from api_keys`).toHaveLength(0);
    expect(await db.sql`select 1 from units`).toHaveLength(0);
    const refused = await resolveVaultKeys(config, log).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as StartupError).setting).toBe('BIHUAN_VAULT_KEYS');
  });

  it('writes one key per role and one handler key per demo unit to DATA_DIR/dev-api-keys.json, once', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir });
    const file = await seedDevApiKeys({ config, databaseUrl: db.url, log });
    expect(file).toBe(join(dataDir, DEV_API_KEYS_FILE));
    expect((await stat(file!)).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(await readFile(file!, 'utf8')) as Record<string, string>;
    expect(Object.keys(keys).sort()).toEqual(
      [
        'admin',
        'dispatcher',
        'finance',
        'handler:unit-a',
        'handler:unit-b',
        'handler:unit-c',
        'handler:unit-d',
        'handler:unit-e',
        'intake',
        'reviewer',
        'reward_approver',
        'reward_proposer',
        'supervisor',
      ].sort(),
    );
    expect(await actorOfApiKey(db.sql, keys.dispatcher!)).toEqual({
      id: 'dev-dispatcher',
      role: 'dispatcher',
    });
    expect(await actorOfApiKey(db.sql, keys['handler:unit-b']!)).toEqual({
      id: 'dev-handler-unit-b',
      role: 'handler',
      unitId: 'unit-b',
    });
    // only hashes in the table
    const stored = JSON.stringify(await db.sql`select * from api_keys`);
    for (const key of Object.values(keys)) expect(stored).not.toContain(key);

    expect(await seedDevApiKeys({ config, databaseUrl: db.url, log })).toBeUndefined();
    expect(await db.sql`select 1 from api_keys`).toHaveLength(13);
    // …and the demo district those handler keys belong to, seeded once: units, streets, routing rules
    const counts = async () =>
      (
        await db.sql<{ units: number; streets: number; rules: number }[]>`
          select (select count(*)::int from units) as units, (select count(*)::int from streets) as streets,
                 (select count(*)::int from routing_rules) as rules`
      )[0];
    expect(await counts()).toEqual({ units: 5, streets: 6, rules: 17 });
    expect(
      Object.keys(keys)
        .filter((k) => k.startsWith('handler:'))
        .map((k) => k.slice(8)),
    ).toEqual((await db.sql<{ id: string }[]>`select id from units order by id`).map((u) => u.id));
  });

  it('creates a development vault key in DATA_DIR on the first start and keeps using it', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = await resolveVaultKeys(config, log);
    const sealed = first.seal('欧阳振华', 'vault:x');
    expect((await stat(join(dataDir, DEV_VAULT_KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await resolveVaultKeys(config, log);
    expect(again.open(sealed, 'vault:x')).toBe('欧阳振华');
  });
});
