import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import type { Logger } from '../../infra/logger.js';
import { StartupError } from '../../infra/startup-error.js';
import { runLongCommand } from '../tools/run-command.js';
import type { TemporalServerTools } from '../tools/temporal-server.js';
import { portIsFree } from './port.js';

/**
 * A real Temporal cluster on one machine (issue 18): the server binary — not the CLI's dev server —
 * on PostgreSQL persistence and visibility, 4 history shards, and its four services as four
 * processes (frontend, history, matching, worker), as a city would run them. The schema comes
 * from the server module (temporal-sql-tool); the namespace is registered through the frontend.
 */

export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterHandle {
  /** The frontend, for TEMPORAL_ADDRESS. */
  readonly address: string;
  readonly pids: Readonly<Record<ClusterService, number | undefined>>;
  /** Kills one service (SIGKILL by default) and starts it again, as a drill does. */
  restart(service: ClusterService, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** How many ports after its frontend's a cluster uses. */
export const CLUSTER_PORT_SPAN = 20;

/** A base port whose whole span is free, below 32768 (see startTemporalCluster). */
export async function freeClusterPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const all = Object.values(clusterPorts(base)).flatMap((s) => Object.values(s));
    if ((await Promise.all(all.map((p) => portIsFree(p)))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for a Temporal cluster between 20000 and 32767');
}

/** The ports of a cluster whose frontend listens on `base`. */
export const clusterPorts = (base: number) => ({
  frontend: { grpc: base, membership: base + 10, http: base + 20 },
  history: { grpc: base + 1, membership: base + 11 },
  matching: { grpc: base + 2, membership: base + 12 },
  worker: { grpc: base + 3, membership: base + 13 },
});

export async function startTemporalCluster(opts: {
  tools: TemporalServerTools;
  /** The PostgreSQL the cluster keeps its databases `temporal` and `temporal_visibility` in. */
  databaseUrl: string;
  dir: string;
  port: number;
  namespace: string;
  log: Logger;
  timeoutMs?: number;
}): Promise<ClusterHandle> {
  const log = opts.log.child({ component: 'temporal-cluster' });
  const ports = clusterPorts(opts.port);
  // The server stores membership ports as a PostgreSQL smallint: one above 32767 stops every service.
  if (opts.port + CLUSTER_PORT_SPAN > 32_767)
    throw new StartupError(
      'TEMPORAL_CLUSTER_PORT',
      `the Temporal cluster's ports ${opts.port}–${opts.port + CLUSTER_PORT_SPAN} must stay below 32768 (the server keeps membership ports in a smallint column): choose a lower port`,
    );
  for (const p of Object.values(ports).flatMap((s) => Object.values(s)))
    if (!(await portIsFree(p)))
      throw new StartupError(
        'TEMPORAL_CLUSTER_PORT',
        `port ${p} is in use, so the Temporal cluster cannot start: stop what holds it or set TEMPORAL_CLUSTER_PORT (the cluster uses it and the 20 ports after it)`,
      );
  const db = new URL(opts.databaseUrl);
  await prepareSchema(opts.tools, db, log);
  const root = join(opts.dir, 'temporal-cluster');
  await mkdir(join(root, 'config'), { recursive: true });
  await writeFile(join(root, 'config', 'development.yaml'), clusterConfig(db, ports));

  const children: Partial<Record<ClusterService, { proc: ChildProcess; exited: Promise<void> }>> = {};
  const startService = async (service: ClusterService) => {
    const output = await open(join(root, `${service}.log`), 'a');
    const proc = spawn(
      opts.tools.server,
      [
        '--root',
        root,
        '--config',
        'config',
        '--env',
        'development',
        '--allow-no-auth',
        'start',
        '--service',
        service,
      ],
      { stdio: ['ignore', output.fd, output.fd], detached: true },
    );
    await output.close();
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    children[service] = { proc, exited };
  };
  const stopService = async (service: ClusterService, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = children[service];
    if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    child.proc.kill(signal);
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
    await child.exited;
    clearTimeout(timer);
  };
  const stop = async () => {
    // Frontend first (no new calls), history last (it owns the shards).
    for (const service of ['frontend', 'worker', 'matching', 'history'] as const) await stopService(service);
  };
  try {
    // History first, alone: the first service to start writes the cluster's metadata, and two
    // writing it at once on a fresh schema make one of them exit.
    await startService('history');
    await waitForPort(ports.history.grpc, opts.timeoutMs ?? 60_000, () => children.history!.proc, root);
    for (const service of ['matching', 'frontend', 'worker'] as const) await startService(service);
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    await registerNamespace(address, opts.namespace, opts.timeoutMs ?? 60_000, root);
    const dead = CLUSTER_SERVICES.filter((s) => {
      const p = children[s]?.proc;
      return !p || p.exitCode !== null || p.signalCode !== null;
    });
    if (dead.length > 0)
      throw new StartupError(
        'TEMPORAL_CLUSTER_PORT',
        `the Temporal cluster's ${dead.join(', ')} service exited while starting; its log is in ${root}`,
      );
    log.info({ address, logs: root }, 'Temporal cluster ready: 4 services on PostgreSQL, 4 history shards');
    return {
      address,
      get pids() {
        return Object.fromEntries(CLUSTER_SERVICES.map((s) => [s, children[s]?.proc.pid])) as Record<
          ClusterService,
          number | undefined
        >;
      },
      async restart(service, signal = 'SIGKILL') {
        await stopService(service, signal);
        await startService(service);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether something accepts connections on 127.0.0.1:port (probing by binding could steal it). */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Waits until a service listens on `port` (or its process exits, which is an error). */
async function waitForPort(port: number, timeoutMs: number, proc: () => ChildProcess, root: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const p = proc();
    if (p.exitCode !== null || p.signalCode !== null) break;
    if (await listening(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new StartupError(
    'TEMPORAL_CLUSTER_PORT',
    `the Temporal cluster's history service did not listen on port ${port}; its log is in ${root}`,
  );
}

/** Creates the two databases and their schemas once; brings an existing schema up to date. */
async function prepareSchema(tools: TemporalServerTools, db: URL, log: Logger): Promise<void> {
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: db.hostname,
    SQL_PORT: db.port || '5432',
    SQL_USER: decodeURIComponent(db.username),
    SQL_PASSWORD: decodeURIComponent(db.password),
  };
  const admin = postgres(db.toString(), { max: 1, onnotice: () => undefined });
  try {
    for (const [name, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
      const run = (args: string[]) => runLongCommand(tools.sqlTool, ['--db', name, ...args], { env });
      if (!exists) {
        log.info(`creating the ${name} database and its schema`);
        await run(['create-database']);
        await run(['setup-schema', '-v', '0.0']);
      }
      await run(['update-schema', '-d', join(tools.schemaDir, schema, 'versioned')]);
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

function clusterConfig(db: URL, ports: ReturnType<typeof clusterPorts>): string {
  const store = (database: string) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${db.hostname}:${db.port || '5432'}"
        connectProtocol: tcp
        user: "${decodeURIComponent(db.username)}"
        password: "${decodeURIComponent(db.password)}"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h`;
  const service = (p: { grpc: number; membership: number; http?: number }) => `
    rpc:
      grpcPort: ${p.grpc}
      membershipPort: ${p.membership}
      bindOnLocalHost: true${p.http ? `\n      httpPort: ${p.http}` : ''}`;
  return `# Written by scripts/embedded/temporal-cluster.ts on every start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store('temporal')}
    visibility:${store('temporal_visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:${service(ports.frontend)}
  history:${service(ports.history)}
  matching:${service(ports.matching)}
  worker:${service(ports.worker)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${ports.frontend.grpc}"
      httpAddress: "127.0.0.1:${ports.frontend.http}"
dcRedirectionPolicy:
  policy: noop
`;
}

/** Waits for the frontend, then registers the namespace (once) and waits until it answers. */
async function registerNamespace(address: string, namespace: string, timeoutMs: number, root: string) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService
          .registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: { seconds: (7 * 86_400) as never },
          })
          .catch((err: { code?: number }) => {
            if (err.code !== 6) throw err; // ALREADY_EXISTS
          });
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new StartupError(
    'TEMPORAL_CLUSTER_PORT',
    `the Temporal cluster's frontend did not serve namespace ${namespace} on ${address} within ${timeoutMs} ms (${(last as Error | undefined)?.message ?? 'no answer'}); its logs are in ${root}`,
  );
}
