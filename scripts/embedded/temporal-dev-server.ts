import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../domain/search-attributes.js';
import type { Logger } from '../../infra/logger.js';
import { StartupError } from '../../infra/startup-error.js';
import type { ServerExecutable } from '../tools/temporal-cli.js';
import { portIsFree } from './port.js';

export interface DevServerHandle {
  readonly address: string;
  readonly uiUrl: string;
  /** The server's process, when we run the binary ourselves (not the SDK's download). */
  readonly pid?: number;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal dev server on 127.0.0.1:`port`, persisting to the SQLite file `dbFile` so a
 * restart resumes every open workflow, with the Web UI on `uiPort` and Bihuan's search attributes.
 * A binary we found or built is run directly (stopped with SIGTERM, so SQLite closes cleanly);
 * otherwise the SDK downloads and runs its own.
 */
export async function startTemporalDevServer(opts: {
  executable: ServerExecutable;
  port: number;
  uiPort: number;
  dbFile: string;
  namespace: string;
  log: Logger;
  timeoutMs?: number;
  /**
   * Run it in a process group of its own, so a Ctrl-C in the terminal reaches only the process
   * that started it, which then stops the worker before the server it talks to (`npm start`).
   */
  ownProcessGroup?: boolean;
  /**
   * Append the server's output to this file instead of our log. A server writing into a pipe dies
   * of SIGPIPE once the reader is gone; with a file it outlives a crash of `npm start` in a known
   * way (the guardian or the next start stops it), and its log survives for reading.
   */
  logFile?: string;
}): Promise<DevServerHandle> {
  const { port, uiPort, log } = opts;
  for (const [setting, p] of [
    ['TEMPORAL_DEV_PORT', port],
    ['TEMPORAL_UI_PORT', uiPort],
  ] as const) {
    if (!(await portIsFree(p))) {
      throw new StartupError(
        setting,
        `port ${p} is in use, so the embedded Temporal dev server cannot start: stop what holds it, set ${setting} to a free port, or set TEMPORAL_ADDRESS to use a running Temporal server`,
      );
    }
  }
  await mkdir(dirname(opts.dbFile), { recursive: true });
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const searchAttributes = Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).map(([name, type]) => ({
    name,
    type,
  }));

  if (opts.executable.type === 'cached-download') {
    log.info('starting the Temporal dev server downloaded by the SDK');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port,
        ui: true,
        uiPort,
        dbFilename: opts.dbFile,
        namespace: opts.namespace,
        searchAttributes: searchAttributes.map(({ name, type }) => ({
          name,
          type: type === 'Bool' ? 'BOOL' : 'KEYWORD',
        })) as never,
      },
    });
    return { address, uiUrl, stop: () => env.teardown() };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
  ];
  args.push(
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    '--log-format',
    'json',
  );
  for (const { name, type } of searchAttributes) args.push('--search-attribute', `${name}=${type}`);
  const output = opts.logFile ? await open(opts.logFile, 'a') : undefined;
  const child = spawn(opts.executable.path, args, {
    stdio: output ? ['ignore', output.fd, output.fd] : ['ignore', 'pipe', 'pipe'],
    detached: opts.ownProcessGroup ?? false,
  });
  await output?.close(); // the child holds its own copy of the descriptor
  const devLog = log.child({ component: 'temporal-dev-server' });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) devLog.debug(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await waitUntilServing(
    address,
    child,
    exited,
    opts.timeoutMs ?? 30_000,
    opts.logFile ? `${opts.logFile} says why` : 'run with LOG_LEVEL=debug to see why',
  );
  log.info({ address, ui: uiUrl, dbFile: opts.dbFile }, 'Temporal dev server ready');
  return {
    address,
    uiUrl,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    stop: () => stopChild(child, exited),
  };
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  whyHint: string,
) {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill('SIGKILL');
  throw new StartupError(
    'TEMPORAL_DEV_PORT',
    `the embedded Temporal dev server did not become ready on ${address}${done ? ` (it exited; ${whyHint})` : ` within ${timeoutMs} ms`}: set TEMPORAL_ADDRESS to use another server`,
  );
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
