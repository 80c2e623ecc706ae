/**
 * The embedded servers end with `npm start`, however it ends. `npm start` runs this small process
 * detached, with a pipe on its stdin, and writes one JSON line per server it starts
 * (`{ pid, command, signal }`). A pipe closes when the process holding its other end dies — by
 * Ctrl-C, by an error, or by `kill -9`, an OOM kill or a closed terminal, which leave no chance to
 * clean up. Then the guardian stops every server it guards that still runs the command it was
 * started with (a pid the OS has reused for something else is left alone), and exits.
 *
 * After an orderly stop the servers are already gone and the guardian simply exits.
 */
import { createInterface } from 'node:readline';
import { isStillOurs, stopProcess, type RunRecord } from './run-state.js';

interface Guarded extends RunRecord {
  readonly signal: NodeJS.Signals;
}

const guarded: Guarded[] = [];
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    guarded.push(JSON.parse(line) as Guarded);
  } catch {
    // not a line of ours: ignore it
  }
});
lines.on('close', () => {
  void Promise.all(
    guarded.filter(isStillOurs).map((g) => {
      process.stderr.write(`bihuan: npm start ended without stopping pid ${g.pid}; stopping it\n`);
      return stopProcess(g.pid, g.signal);
    }),
  ).finally(() => process.exit(0));
});
// A Ctrl-C meant for `npm start` may reach this process too: the pipe decides when to act.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
