import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { migrate } from '../../infra/database.js';
import { createLogger } from '../../infra/logger.js';

/**
 * The worker and the API migrate on start, and under `npm start` they start together: on a new
 * database the second must wait for the first, not fail its process's start (it did, once, on a
 * loaded machine: "Another migration is already running").
 */
describe('migrations', () => {
  it('run from several processes at once on a new database: one applies them, the others wait and find nothing to do', async () => {
    const adminUrl = inject('postgresAdminUrl');
    const name = `migrate_${randomBytes(6).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    try {
      const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
      const log = createLogger('silent');
      const applied = await Promise.all([migrate(url, log), migrate(url, log), migrate(url, log)]);
      const counts = applied.map((names) => names.length).sort((a, b) => b - a);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts.slice(1)).toEqual([0, 0]);
    } finally {
      // node-pg-migrate closes its connections without waiting: let them go before the drop, or
      // the drop's termination reaches a client with no error listener.
      for (let i = 0; i < 100; i += 1) {
        const [open] = await admin`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
        if (open!.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await admin.unsafe(`drop database if exists ${name}`);
      await admin.end();
    }
  });
});
