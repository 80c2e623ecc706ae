import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../infra/logger.js';
import { PROJECT_ROOT } from '../../infra/project-paths.js';
import { StartupError } from '../../infra/startup-error.js';
import { removeRunRecord, writeRunRecord } from './run-state.js';

/**
 * The worker and the API under `npm start`: each its own process, as in production, so a crash of
 * one leaves the other running. A child that ends on its own after it was ready is started again
 * with backoff (1 s, doubling to 30 s; back to 1 s once a run has lasted a minute), and the log
 * says why. A child that fails before it was ever ready has met a setting it cannot work with
 * (it printed the one line naming it): starting it again would only repeat that, so `ready`
 * rejects and `npm start` stops.
 *
 * Children talk to us over an IPC channel: they send `{ ready: true }` once serving, and they stop
 * themselves when the channel closes (infra/main-guard.ts), so they never outlive `npm start`.
 */
export interface SupervisedChild {
  /** Resolves once the first run is ready; rejects if it ended before. */
  readonly ready: Promise<void>;
  /** Stops the child (SIGTERM, then SIGKILL after the grace time) and does not start it again. */
  stop(): Promise<void>;
  /** The running process's pid (a fault drill kills it; the supervisor starts it again). */
  pid(): number | undefined;
  /** Resolves once a run started after `since` (epoch ms) is ready. */
  readyAgain(since: number): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

export function superviseChild(opts: {
  readonly name: 'worker' | 'worker-2' | 'api' | 'delivery';
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly log: Logger;
  readonly graceMs?: number;
}): SupervisedChild {
  const { name, log } = opts;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;
  let everReady = false;
  let backoffMs = 1000;
  let restartTimer: NodeJS.Timeout | undefined;
  let settleReady: { resolve(): void; reject(err: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  let readyAt = 0;
  const readyWaiters: { since: number; resolve(): void }[] = [];

  const start = () => {
    const startedAt = Date.now();
    const proc = spawn(process.execPath, ['--import', 'tsx', opts.entry], {
      cwd: PROJECT_ROOT,
      env: opts.env,
      // Its own process group: a Ctrl-C in the terminal reaches `npm start`, which stops the
      // children in order (the API before the worker before the servers).
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = proc;
    if (proc.pid !== undefined)
      void writeRunRecord(opts.dataDir, name, { pid: proc.pid }).catch(() => undefined);
    proc.on('message', (message) => {
      if ((message as { ready?: unknown }).ready !== true) return;
      everReady = true;
      readyAt = Date.now();
      log.info({ pid: proc.pid }, `${name} ready`);
      settleReady?.resolve();
      for (const w of readyWaiters.splice(0)) w.resolve();
    });
    exited = new Promise<void>((resolve) =>
      proc.once('exit', (code, signal) => {
        resolve();
        if (child === proc) child = undefined;
        void removeRunRecord(opts.dataDir, name).catch(() => undefined);
        if (stopping) return;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (!everReady) {
          settleReady?.reject(
            new StartupError(name.toUpperCase(), `the ${name} ${how} before it was ready (see above)`),
          );
          return;
        }
        if (Date.now() - startedAt > STABLE_AFTER_MS) backoffMs = 1000;
        log.error(
          { pid: proc.pid, code, signal },
          `the ${name} ${how}; starting it again in ${backoffMs / 1000} s`,
        );
        restartTimer = setTimeout(start, backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }),
    );
  };
  start();

  return {
    ready,
    pid: () => child?.pid,
    readyAgain: (since) =>
      readyAt > since ? Promise.resolve() : new Promise((resolve) => readyWaiters.push({ since, resolve })),
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), opts.graceMs ?? 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
