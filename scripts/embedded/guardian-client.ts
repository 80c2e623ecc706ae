import { spawn } from 'node:child_process';
import type { Logger } from '../../infra/logger.js';
import { PROJECT_ROOT } from '../../infra/project-paths.js';
import { writeRunRecord, type RunRecord } from './run-state.js';

/** `npm start`'s end of the guardian (scripts/embedded/guardian.ts): what it should stop if we die. */
export interface Guardian {
  guard(record: RunRecord, signal: NodeJS.Signals): void;
  /** An orderly end: the servers are stopped already, so the guardian has nothing left to do. */
  close(): Promise<void>;
}

export async function startGuardian(log: Logger, dataDir?: string): Promise<Guardian> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/embedded/guardian.ts'], {
    cwd: PROJECT_ROOT,
    // Its own process group, and not waited for: it must outlive us to be of any use.
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.unref();
  child.stdin.on('error', () => undefined);
  if (dataDir && child.pid !== undefined) await writeRunRecord(dataDir, 'guardian', { pid: child.pid });
  log.debug({ pid: child.pid }, 'guardian started');
  return {
    guard(record, signal) {
      child.stdin.write(`${JSON.stringify({ ...record, signal })}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.stdin.end(() => resolve());
      }),
  };
}
