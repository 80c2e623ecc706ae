import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../infra/logger.js';
import { StartupError } from '../../infra/startup-error.js';
import {
  commandLineOf,
  isStillOurs,
  readRunRecord,
  removeRunRecord,
  stopProcess,
  writeRunRecord,
} from './run-state.js';

/**
 * What an earlier `npm start` of the same DATA_DIR may have left running when it was killed
 * without a chance to stop it. A process counts as ours only if it still runs the exact command
 * line recorded when we started it (same binary, same data file); then it is stopped cleanly and
 * the start goes on, saying so in one line. Anything else on our ports is a stranger, and the
 * port checks further on still refuse it with a clear message.
 */

/**
 * One `npm start` per DATA_DIR: a second one would fight the first over the same data files.
 * A start that died leaves a record whose process is gone (or is no longer `npm start`): taken over.
 */
export async function claimDataDir(dataDir: string, log: Logger): Promise<void> {
  const earlier = await readRunRecord(dataDir, 'start');
  if (earlier && earlier.pid !== process.pid && isStillOurs(earlier)) {
    throw new StartupError(
      'DATA_DIR',
      `npm start is already running for ${dataDir} as pid ${earlier.pid}: stop it (kill ${earlier.pid}) or set DATA_DIR to another directory`,
    );
  }
  if (earlier) log.debug({ pid: earlier.pid }, 'an earlier npm start of this DATA_DIR ended');
  await writeRunRecord(dataDir, 'start', { pid: process.pid });
  // Its worker, API and relay stop by themselves when it goes; one that has not yet is waited for here.
  for (const name of ['api', 'worker', 'worker-2', 'delivery'] as const) {
    const child = await readRunRecord(dataDir, name);
    if (child && isStillOurs(child)) {
      log.warn(
        `stopping the ${name} (pid ${child.pid}) that an earlier npm start of ${dataDir} left running`,
      );
      await stopProcess(child.pid, 'SIGTERM', 30_000);
    }
    await removeRunRecord(dataDir, name);
  }
}

/**
 * The Temporal servers an earlier start recorded — the dev server, or the cluster's four services —
 * if they still run: stopped (SIGTERM).
 */
export async function stopOrphanedTemporal(dataDir: string, log: Logger): Promise<void> {
  for (const name of ['temporal', ...TEMPORAL_CLUSTER_RECORDS]) {
    const record = await readRunRecord(dataDir, name);
    if (!record) continue;
    if (isStillOurs(record)) {
      log.warn(
        `stopping the ${name === 'temporal' ? 'Temporal dev server' : `Temporal ${name.slice('temporal-'.length)} service`} (pid ${record.pid}) that an earlier npm start of ${dataDir} left running`,
      );
      await stopProcess(record.pid, 'SIGTERM');
    }
    await removeRunRecord(dataDir, name);
  }
}

/** The run records of the cluster profile's Temporal services. */
export const TEMPORAL_CLUSTER_RECORDS = ['frontend', 'worker', 'matching', 'history'].map(
  (s) => `temporal-${s}`,
);

/**
 * PostgreSQL records its own postmaster in `postmaster.pid` (pid on the first line, data directory
 * on the second). If that postmaster still runs on our data directory, an earlier start left it:
 * fast shutdown (SIGINT), so the cluster is consistent before we start it again.
 */
export async function stopOrphanedPostgres(pgDataDir: string, log: Logger): Promise<void> {
  let lines: string[];
  try {
    lines = (await readFile(join(pgDataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  const command = commandLineOf(pid);
  if (!command || !/postgres/.test(command) || !command.includes(pgDataDir)) return;
  log.warn(`stopping the PostgreSQL (pid ${pid}) that an earlier npm start of ${pgDataDir} left running`);
  await stopProcess(pid, 'SIGINT', 30_000);
}
