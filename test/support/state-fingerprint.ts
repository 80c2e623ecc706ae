import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { getReportQuery } from '../../workflows/messages.js';
import type { Fingerprint } from './openapi-fuzz.js';

/**
 * A digest of everything a request could change: each table of the database (its rows, in order),
 * and each named report as its workflow answers for it. Two equal fingerprints mean nothing was
 * written. Meant for the small databases of tests, where digesting every row is cheap.
 *
 * The report is taken from its query, not its history length: an Update its validator rejects
 * leaves no event on a real server, but the time-skipping test server still records the workflow
 * task that ran the validator.
 */
export async function stateFingerprint(
  sql: postgres.Sql,
  client: Client,
  workflowIds: readonly string[],
): Promise<Fingerprint> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'
    order by 1`;
  const digests = await sql<{ name: string; digest: string }[]>`${tables
    .map(
      (t) =>
        sql`select ${t.name}::text as name, md5(coalesce(string_agg(x::text, E'\n' order by x::text), '')) as digest from ${sql(t.name)} x`,
    )
    .reduce((acc, q) => sql`${acc} union all ${q}`)}`;
  const histories = await Promise.all(
    workflowIds.map(async (id) => {
      const view = await client.workflow.getHandle(id).query(getReportQuery);
      return [`report ${id}`, createHash('sha256').update(JSON.stringify(view)).digest('hex')] as const;
    }),
  );
  return Object.fromEntries([...digests.map((d) => [`table ${d.name}`, d.digest] as const), ...histories]);
}
