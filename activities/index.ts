import type { Sql } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';

/** What activities need; created once per worker process. */
export interface ActivityDeps {
  readonly sql: Sql;
  readonly log: Logger;
}

/**
 * Every side effect of the report workflow. Each activity is idempotent: it may run more than once
 * (retries, a worker dying after the write), so each write is keyed by a natural key.
 */
export function createActivities(deps: ActivityDeps) {
  const { sql } = deps;
  return {
    /** Upserts the read-model row; a projection older than the stored one is ignored. */
    async projectReport(row: {
      reportId: string;
      channel: string;
      externalId: string;
      stage: string;
      urgency: string;
      receivedAt: string;
      sequence: number;
      snapshot: unknown;
    }): Promise<void> {
      await sql`
        insert into reports (report_id, channel, external_id, stage, urgency, received_at, last_sequence, snapshot)
        values (${row.reportId}, ${row.channel}, ${row.externalId}, ${row.stage}, ${row.urgency}, ${row.receivedAt}, ${row.sequence}, ${sql.json(row.snapshot as never)})
        on conflict (report_id) do update set stage = excluded.stage, last_sequence = excluded.last_sequence,
          snapshot = excluded.snapshot, updated_at = now()
        where reports.last_sequence < excluded.last_sequence`;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
