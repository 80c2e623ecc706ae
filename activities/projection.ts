import type { Projection } from '../domain/report/report-summary.js';
import type { ActivityDeps } from './index.js';

/**
 * The PostgreSQL read model. Only this activity writes it. Idempotent: events are keyed by
 * (report, sequence) and the row only moves forward (a projection older than the stored one is
 * ignored), so retries and out-of-order deliveries change nothing.
 */
export function createProjectionActivities({ sql }: Pick<ActivityDeps, 'sql'>) {
  return {
    async projectReport({ summary: r, events }: Projection): Promise<void> {
      await sql.begin(async (tx) => {
        if (events.length > 0) {
          const rows = events.map((e) => ({
            report_id: r.reportId,
            sequence: e.sequence,
            type: e.type,
            at: e.at,
            actor: e.actor ?? null,
            data: e.data ?? {},
          }));
          await tx`insert into report_events ${tx(rows as never)} on conflict (report_id, sequence) do nothing`;
        }
        await tx`
          insert into reports (report_id, channel, external_id, stage, urgency, unit_id, major_hazard, overdue,
                               received_at, accepted_at, closed_at, last_sequence, snapshot)
          values (${r.reportId}, ${r.channel}, ${r.externalId}, ${r.stage}, ${r.urgency}, ${r.unitId}, ${r.majorHazard},
                  ${r.overdue}, ${r.receivedAt}, ${r.acceptedAt}, ${r.closedAt}, ${r.lastSequence}, ${tx.json(r as never)})
          on conflict (report_id) do update set
            stage = excluded.stage, urgency = excluded.urgency, unit_id = excluded.unit_id,
            major_hazard = excluded.major_hazard, overdue = excluded.overdue, accepted_at = excluded.accepted_at,
            closed_at = excluded.closed_at, last_sequence = excluded.last_sequence, snapshot = excluded.snapshot,
            updated_at = now()
          where reports.last_sequence <= excluded.last_sequence`;
      });
    },
  };
}
