import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { summariseReport } from '../../domain/report/report-summary.js';
import type { Logger } from '../../infra/logger.js';
import { getReportQuery, REPORT_WORKFLOW_TYPE } from '../../workflows/messages.js';
import { writeProjection } from '../../activities/projection.js';

/**
 * Disaster recovery for the read model: every report workflow Temporal still has (open, or closed
 * within the namespace's retention) is asked for its state, and its rows are written again through
 * the projection's own code — `reports`, `report_events`, `report_clocks` come out exactly as the
 * workflow projected them. Each report is replaced in one transaction (delete, then write), so a
 * reader sees the old rows or the new, never none. Rows of reports Temporal no longer has are kept.
 * `escalations`, `notification_outbox`, `reward_ledger`, the vault and the audit log are records of
 * what happened, not projections: they are not rebuilt.
 *
 * The workflows answer the query only while a worker serves their task queue.
 */
export interface RebuildOptions {
  readonly client: Client;
  readonly sql: postgres.Sql;
  readonly log: Logger;
  /** Only compare, write nothing. */
  readonly dryRun?: boolean;
  /** A visibility filter to narrow the rebuild, e.g. `TaskQueue = "bihuan-reports"`. */
  readonly query?: string;
  readonly concurrency?: number;
  readonly progress?: (message: string) => void;
}

export interface RebuildResult {
  readonly workflows: number;
  readonly rebuilt: number;
  /** Dry run: reports whose stored rows differ from what their workflow would project. */
  readonly differing: readonly string[];
  readonly failed: readonly { readonly reportId: string; readonly error: string }[];
}

/** A report's rows as the read model holds them, comparable across a rebuild (no `updated_at`). */
export async function readModelRows(sql: postgres.Sql | postgres.TransactionSql, reportId: string) {
  const [report] = await sql`select * from reports where report_id = ${reportId}`;
  if (report) delete report.updated_at;
  const events = await sql`select * from report_events where report_id = ${reportId} order by sequence`;
  const clocks =
    await sql`select * from report_clocks where report_id = ${reportId} order by clock, occurrence`;
  return JSON.stringify({ report: report ?? null, events, clocks });
}

export async function rebuildReadModel(opts: RebuildOptions): Promise<RebuildResult> {
  const { client, sql, log } = opts;
  const query = [`WorkflowType = "${REPORT_WORKFLOW_TYPE}"`, opts.query].filter(Boolean).join(' AND ');
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  opts.progress?.(`${ids.length} report workflows found`);

  let rebuilt = 0;
  let done = 0;
  const differing: string[] = [];
  const failed: { reportId: string; error: string }[] = [];
  const one = async (reportId: string) => {
    const view = await client.workflow.getHandle(reportId).query(getReportQuery);
    const projection = { summary: summariseReport(view), events: view.timeline };
    await sql
      .begin(async (tx) => {
        const before = await readModelRows(tx, reportId);
        await tx`delete from report_clocks where report_id = ${reportId}`;
        await tx`delete from report_events where report_id = ${reportId}`;
        await tx`delete from reports where report_id = ${reportId}`;
        await writeProjection(tx, projection);
        if (opts.dryRun) {
          if ((await readModelRows(tx, reportId)) !== before) differing.push(reportId);
          throw DRY_RUN; // roll back: a dry run writes nothing
        }
      })
      .catch((err: unknown) => {
        if (err !== DRY_RUN) throw err;
      });
    if (!opts.dryRun) rebuilt += 1;
  };

  const queue = [...ids];
  await Promise.all(
    Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          await one(id);
        } catch (err) {
          log.warn({ err, reportId: id }, 'cannot rebuild this report');
          failed.push({ reportId: id, error: (err as Error).message });
        }
        done += 1;
        if (done % 500 === 0) opts.progress?.(`${done} / ${ids.length}`);
      }
    }),
  );
  return { workflows: ids.length, rebuilt, differing: differing.sort(), failed };
}

/** Thrown to roll a dry run's transaction back. */
class DryRunRollback extends Error {}
const DRY_RUN = new DryRunRollback('dry run: roll back');
