import { encryptingDataConverter } from '../infra/payload-codec.js';
import { resolveCodecKeys } from '../infra/vault-keys.js';
import type { Server } from 'node:http';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { connectPostgres, type Sql } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import type { WorkCalendar } from '../domain/work-calendar.js';
import { createCalendarStore } from '../infra/calendar-store.js';
import { StartupError, describeError } from '../infra/startup-error.js';
import { loadPolicyRegistry } from '../infra/policy-registry.js';
import { PolicyVersionChanged, recordPolicies } from '../activities/policy-record.js';
import { connectTemporalClient, connectTemporalWorker } from '../infra/temporal.js';
import { ensureSearchAttributes } from '../infra/search-attributes.js';
import type { Connection } from '@temporalio/client';
import { startWorkerHealthServer } from './health-server.js';
import { createReportWorker } from './report-worker.js';

export interface RunningWorker {
  /** Settles when the worker stops; rejects if it fails (e.g. Temporal lost for good). */
  readonly done: Promise<void>;
  /** Lets running activities finish (up to the grace time), then closes connections. */
  stop(): Promise<void>;
}

/** Connects, creates and runs the worker. Migrations are the caller's job. */
export async function runWorker(opts: {
  config: Config;
  databaseUrl: string;
  log: Logger;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<RunningWorker> {
  const { config } = opts;
  const log = opts.log.child({ component: 'worker' });
  const policies = await loadPolicyRegistry(config.policy.dir, config.policy.defaultId).catch(
    (err: unknown) => {
      throw new StartupError(
        'BIHUAN_POLICY',
        `cannot load the policies in ${config.policy.dir} (${describeError(err)}): fix that file, or check BIHUAN_POLICY_DIR and BIHUAN_POLICY`,
        { cause: err },
      );
    },
  );
  const dataConverter = encryptingDataConverter(await resolveCodecKeys(config, log));
  const sql: Sql = await connectPostgres(opts.databaseUrl, { timeoutMs: config.startupTimeoutMs, log });
  await recordPolicies(sql, policies).catch(async (err: unknown) => {
    await sql.end();
    if (err instanceof PolicyVersionChanged)
      throw new StartupError('BIHUAN_POLICY_DIR', err.message, { cause: err });
    throw err;
  });
  const calendars = createCalendarStore(sql);
  warnIfCalendarEndsSoon(log, await calendars.current());
  const connection = await connectTemporalWorker(config).catch(async (err: unknown) => {
    await sql.end();
    throw err;
  });
  if (config.temporal.server.kind === 'external') {
    const client = await connectTemporalClient(config);
    await ensureSearchAttributes(client.connection as Connection, config.temporal.namespace, log);
    await client.connection.close();
  }
  const worker = await createReportWorker({
    connection,
    config,
    deps: { sql, log, policies, calendars },
    log,
    workflowBundle: opts.workflowBundle,
    dataConverter,
  });
  let health: Server | undefined;
  if (config.worker.healthPort !== undefined) {
    health = await startWorkerHealthServer(config.worker.healthPort, config.api.host, worker, sql).catch(
      (err: unknown) => {
        throw new StartupError(
          'WORKER_HEALTH_PORT',
          `cannot listen on port ${config.worker.healthPort} for worker health: set WORKER_HEALTH_PORT to a free port or unset it`,
          { cause: err },
        );
      },
    );
  }
  const done = worker.run().finally(async () => {
    health?.close();
    await connection.close();
    await sql.end({ timeout: 5 });
  });
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/**
 * Past the last year of imported calendar data, working days follow the law's statutory days off
 * (provisional: no bridging days, no 调休), and the deadlines say so. Say it here too, well before
 * that day comes: import the next year when the State Council publishes it (usually in November),
 * with PUT /v1/calendars/<year> or scripts/import-calendar.ts.
 */
function warnIfCalendarEndsSoon(log: Logger, workCalendar: WorkCalendar, now = Date.now()): void {
  const lastYear = Math.max(...workCalendar.years);
  const coveredUntil = Date.parse(`${lastYear + 1}-01-01T00:00:00+08:00`);
  const days = Math.floor((coveredUntil - now) / 86_400_000);
  if (days < 90) {
    log.warn(
      { calendarVersion: workCalendar.version, daysLeft: days },
      `the work calendar's notices end with ${lastYear}: from ${lastYear + 1} on, deadlines count the law's statutory days off (provisional, without 调休) until ${lastYear + 1}'s notice is imported (PUT /v1/calendars/${lastYear + 1}, or npx tsx scripts/import-calendar.ts ${lastYear + 1} … --to <api>)`,
    );
  }
}
