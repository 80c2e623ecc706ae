import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { ROLES, ROLE_VALUES } from '../domain/vocabulary.js';
import { createApiKey, type NewApiKey } from '../api/platform/api-keys.js';
import { loadDemoDistrict, seedDistrict } from '../api/directory/repository.js';

export const DEV_API_KEYS_FILE = 'dev-api-keys.json';

/** The demo district's handling units (domain/directory/demo-district.json); a handler key acts for one. */
export const DEMO_UNITS: Readonly<Record<string, string>> = Object.fromEntries(
  loadDemoDistrict().units.map((u) => [u.id, u.name]),
);

/** One key per role, and one handler key per demo unit (`handler:<unitId>`). */
export function devApiKeySpecs(): Record<string, NewApiKey> {
  const specs: Record<string, NewApiKey> = {};
  for (const role of ROLE_VALUES) {
    if (role === 'handler') continue;
    specs[role] = { subject: `dev-${role}`, role, label: `development ${ROLES[role]}` };
  }
  for (const [unitId, name] of Object.entries(DEMO_UNITS)) {
    specs[`handler:${unitId}`] = {
      subject: `dev-handler-${unitId}`,
      role: 'handler',
      unitId,
      label: `development ${ROLES.handler} ${name}`,
    };
  }
  return specs;
}

/**
 * `npm start` outside production with no API key yet: creates the demo keys and writes them to
 * `<DATA_DIR>/dev-api-keys.json` (`{ "<role>": "<key>", "handler:<unitId>": "<key>" }`, readable
 * by its owner only), so a newcomer can call the API at once. Production seeds nothing: keys there
 * are created by an operator. Returns the file written, or undefined when nothing was seeded.
 */
export async function seedDevApiKeys(opts: {
  config: Config;
  databaseUrl: string;
  log: Logger;
}): Promise<string | undefined> {
  const { config, log } = opts;
  if (config.mode === 'production') return undefined;
  const sql = await connectPostgres(opts.databaseUrl, { timeoutMs: config.startupTimeoutMs, log, max: 1 });
  const file = join(config.dataDir, DEV_API_KEYS_FILE);
  try {
    const district = loadDemoDistrict();
    if (await seedDistrict(sql, district))
      log.info(
        {
          units: district.units.length,
          streets: district.streets.length,
          routingRules: district.routingRules.length,
        },
        `seeded the demo district ${district.district} (units, streets, routing rules); edit it through /v1/units and /v1/routing-rules`,
      );
    const keys = await sql.begin(async (tx) => {
      // Serialises two starts on one database: only the first seeds.
      await tx`lock table api_keys in exclusive mode`;
      const [any] = await tx`select 1 from api_keys limit 1`;
      if (any) return undefined;
      const created: Record<string, string> = {};
      for (const [name, spec] of Object.entries(devApiKeySpecs()))
        created[name] = await createApiKey(tx, spec);
      // Written before the commit: keys nobody can read are never committed.
      await mkdir(config.dataDir, { recursive: true });
      await writeFile(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
      return created;
    });
    if (!keys) {
      log.info({ file }, 'API keys exist; development keys, if seeded earlier, are in this file');
      return undefined;
    }
    log.info({ file }, 'created development API keys, one per role: use them as Authorization: Bearer <key>');
    return file;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
