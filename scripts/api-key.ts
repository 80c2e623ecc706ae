/**
 * Creates or revokes an API key on the database DATABASE_URL names (production seeds no keys):
 *
 *   npx tsx scripts/api-key.ts create <role> <subject> '<label>' [unitId]   # prints the key, once
 *   npx tsx scripts/api-key.ts revoke <key>
 *
 * e.g. `create handler wang-fang '王芳 浦兴路街道' unit-a`. The key is shown only here: the
 * database keeps its SHA-256.
 */
import { createApiKey, revokeApiKey } from '../api/platform/api-keys.js';
import { loadConfig } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { StartupError } from '../infra/startup-error.js';
import { ROLE_VALUES, type Role } from '../domain/vocabulary.js';

const USAGE = `usage: api-key.ts create <${ROLE_VALUES.join('|')}> <subject> <label> [unitId] | revoke <key>`;

runMain(async () => {
  const config = loadConfig();
  if (config.postgres.kind !== 'external')
    throw new StartupError('DATABASE_URL', 'set DATABASE_URL to the database');
  const [command, ...args] = process.argv.slice(2);
  const log = createLogger('warn');
  const sql = await connectPostgres(config.postgres.url, { timeoutMs: config.startupTimeoutMs, log, max: 1 });
  try {
    if (command === 'create') {
      const [role, subject, label, unitId] = args;
      if (!role || !subject || !label || !(ROLE_VALUES as string[]).includes(role)) throw new Error(USAGE);
      if ((role === 'handler') !== (unitId !== undefined))
        throw new Error('a handler key, and only it, names a unit');
      const key = await createApiKey(sql, {
        role: role as Role,
        subject,
        label,
        ...(unitId ? { unitId } : {}),
      });
      process.stdout.write(`${key}\n`);
    } else if (command === 'revoke' && args[0]) {
      await revokeApiKey(sql, args[0]);
    } else {
      throw new Error(USAGE);
    }
  } finally {
    await sql.end();
  }
});
