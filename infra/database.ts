import { projectPath } from './project-paths.js';
import { runner } from 'node-pg-migrate';
import postgres from 'postgres';
import type { Logger } from './logger.js';
import { StartupError, describeError, withTimeout } from './startup-error.js';

export type Sql = postgres.Sql;

const MIGRATIONS_DIR = projectPath('migrations');

/** host:port/db of a URL without its credentials, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Creates the one `sql` pool of a process and proves it can reach the database within
 * `timeoutMs`. An unreachable or refusing database becomes a {@link StartupError} naming
 * DATABASE_URL, never a hang.
 */
export async function connectPostgres(
  url: string,
  opts: { timeoutMs: number; log: Logger; max?: number },
): Promise<Sql> {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: Math.ceil(opts.timeoutMs / 1000),
    onnotice: (notice) => opts.log.debug({ notice: notice.message }, 'postgres notice'),
    connection: { application_name: 'bihuan' },
  });
  try {
    await withTimeout(
      sql`select 1`,
      opts.timeoutMs,
      () => new Error(`no answer within ${opts.timeoutMs} ms`),
    );
    return sql;
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    throw new StartupError(
      'DATABASE_URL',
      `cannot reach PostgreSQL at ${describeDatabaseUrl(url)} (${describeError(err)}): check DATABASE_URL, or unset it to use the embedded PostgreSQL`,
      { cause: err },
    );
  }
}

/**
 * Applies pending migrations (SQL files in `migrations/`). Safe to run from the API and the worker
 * at once: node-pg-migrate serialises runners with an advisory lock, and the second one waits for
 * the first (then finds nothing to do) instead of failing its process's start.
 */
export async function migrate(url: string, log: Logger, timeoutMs = 10_000): Promise<string[]> {
  // Prove the database answers first, so an unreachable one gets the same clear message everywhere.
  await (await connectPostgres(url, { timeoutMs, log, max: 1 })).end();
  const applied = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: () => undefined,
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    },
  }).catch((err: unknown) => {
    throw new StartupError(
      'DATABASE_URL',
      `database migration failed on ${describeDatabaseUrl(url)} (${describeError(err)}): the user in DATABASE_URL needs the right to create tables`,
      { cause: err },
    );
  });
  const names = applied.map((m) => m.name);
  if (names.length > 0) log.info({ migrations: names }, 'applied database migrations');
  return names;
}
