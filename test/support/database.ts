import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { migrate, type Sql } from '../../infra/database.js';
import { createLogger } from '../../infra/logger.js';

/**
 * A fresh, migrated database for one test file on the shared test PostgreSQL, so files run in
 * parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<{ url: string; sql: Sql; drop(): Promise<void> }> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  await migrate(url, createLogger('warn'));
  const sql = postgres(url, { max: 5, onnotice: () => undefined });
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
