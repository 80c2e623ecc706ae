import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createApiKey } from '../../api/platform/api-keys.js';
import { CHANNEL_VALUES } from '../../domain/vocabulary.js';
import { migrate } from '../../infra/database.js';
import type { Logger } from '../../infra/logger.js';
import { startHttpReceiver, startSmtpReceiver, type Receiver } from '../../test/support/receivers.js';
import { devApiKeySpecs } from '../dev-api-keys.js';
import { freePort } from '../embedded/port.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../embedded/postgres.js';
import { superviseChild, type SupervisedChild } from '../embedded/supervised-child.js';
import { freeClusterPort, startTemporalCluster, type ClusterHandle } from '../embedded/temporal-cluster.js';
import { startTemporalDevServer, type DevServerHandle } from '../embedded/temporal-dev-server.js';
import { resolveTemporalCli } from '../tools/temporal-cli.js';
import { resolveTemporalServer } from '../tools/temporal-server.js';

/**
 * The whole service as separate processes a fault drill can hurt (issue 18): a private PostgreSQL,
 * Temporal — the file-backed dev server, or the cluster's four services — the worker(s), the API
 * and the delivery relay, each supervised (a killed child starts again, as under `npm start`), and
 * receivers that count what left. Everything lives in a temporary directory.
 */
export type Profile = 'dev' | 'cluster';
export type ChildName = 'worker' | 'worker-2' | 'api' | 'delivery';

export interface Stack {
  readonly profile: Profile;
  readonly apiUrl: string;
  readonly sql: postgres.Sql;
  readonly keys: Record<string, string>;
  readonly children: Partial<Record<ChildName, SupervisedChild>>;
  readonly receivers: { http: Receiver; smtp: Receiver };
  /** The Temporal frontend, and the payload-codec keys the worker uses (for a raw client). */
  readonly temporalAddress: string;
  readonly codecKeys: string;
  /** The worker's pid, for its memory. */
  workerPid(): number | undefined;
  /** Kills a child with SIGKILL and waits until its supervisor has it serving again. */
  killChild(name: ChildName): Promise<void>;
  /** Restarts Temporal: the dev server (stop, start on the same file), or the history service. */
  restartTemporal(): Promise<void>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(
  profile: Profile,
  log: Logger,
  opts: { env?: Record<string, string>; workers?: number } = {},
): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), `bihuan-drill-${profile}-`));
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const pgPort = await freePort();
    const pgOpts = {
      dataDir: join(dir, 'postgres'),
      port: pgPort,
      log: log.child({ component: 'postgres' }),
    };
    let pg: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres(pgOpts);
    stops.push(() => pg?.stop() ?? Promise.resolve());
    const databaseUrl = pg.url;
    await migrate(databaseUrl, log);
    const sql = postgres(databaseUrl, { max: 4, onnotice: () => undefined, idle_timeout: 5 });
    stops.push(() => sql.end({ timeout: 5 }));

    let address: string;
    let restartTemporal: () => Promise<void>;
    if (profile === 'cluster') {
      const temporalPort = await freeClusterPort();
      const tools = await resolveTemporalServer({ progress: (m) => log.info(`[setup] ${m}`) });
      const cluster: ClusterHandle = await startTemporalCluster({
        tools: tools!,
        databaseUrl,
        dir,
        port: temporalPort,
        namespace: 'default',
        log,
      });
      stops.push(() => cluster.stop());
      address = cluster.address;
      restartTemporal = () => cluster.restart('history');
    } else {
      const executable = await resolveTemporalCli({ progress: (m) => log.info(`[setup] ${m}`) });
      const temporalPort = await freePort();
      const devOpts = {
        executable,
        port: temporalPort,
        uiPort: await freePort(),
        dbFile: join(dir, 'temporal.sqlite'),
        namespace: 'default',
        log,
        logFile: join(dir, 'temporal-dev-server.log'),
      };
      let dev: DevServerHandle = await startTemporalDevServer(devOpts);
      stops.push(() => dev.stop());
      address = dev.address;
      restartTemporal = async () => {
        await dev.stop();
        dev = await startTemporalDevServer(devOpts);
      };
    }

    const [http, smtp] = await Promise.all([startHttpReceiver(), startSmtpReceiver()]);
    stops.push(
      () => http.close(),
      () => smtp.close(),
    );
    const apiPort = await freePort();
    const codecKeys = `drill:${randomBytes(32).toString('base64')}`;
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'fatal',
      DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      // Steps wait for their report at most this long: a drill sees 503 soon, then retries.
      API_TEMPORAL_TIMEOUT_MS: '5000',
      SMTP_URL: smtp.url,
      SMS_GATEWAY_URL: `${http.url}/sms`,
      DELIVERY_WEBHOOKS: JSON.stringify(
        Object.fromEntries(
          CHANNEL_VALUES.map((c) => [
            c,
            { url: `${http.url}/hotline/${c}`, secrets: ['whsec_ZHJpbGwtc2VjcmV0LWRyaWxsLXNlY3JldA=='] },
          ]),
        ),
      ),
      DELIVERY_POLL_MS: '200',
      MAILBOX_SUPERVISORS: 'anweiban@localhost',
      MAILBOX_DISPATCH_CENTRE: 'dispatch@localhost',
      MAILBOX_OPERATORS: 'operators@localhost',
      BIHUAN_CODEC_KEYS: codecKeys,
      BIHUAN_VAULT_KEYS: `drill:${randomBytes(32).toString('base64')}`,
      INTAKE_RATE_LIMIT: '1000000',
      ...opts.env,
    };
    const children: Partial<Record<ChildName, SupervisedChild>> = {};
    const child = (name: ChildName, entry: string) =>
      (children[name] = superviseChild({ name, entry, env, dataDir: dir, log, graceMs: 10_000 }));
    child('worker', 'worker/main.ts');
    if ((opts.workers ?? (profile === 'cluster' ? 2 : 1)) > 1) child('worker-2', 'worker/main.ts');
    child('api', 'api/main.ts');
    child('delivery', 'delivery/main.ts');
    for (const c of Object.values(children)) stops.push(() => c.stop());
    await Promise.all(Object.values(children).map((c) => c.ready));

    const keys: Record<string, string> = {};
    for (const [name, spec] of Object.entries(devApiKeySpecs())) keys[name] = await createApiKey(sql, spec);

    return {
      profile,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      sql,
      keys,
      children,
      receivers: { http, smtp },
      temporalAddress: address,
      codecKeys,
      workerPid: () => children.worker?.pid(),
      async killChild(name) {
        const c = children[name];
        const pid = c?.pid();
        if (!c || pid === undefined) throw new Error(`no ${name} to kill`);
        const at = Date.now();
        process.kill(pid, 'SIGKILL');
        await c.readyAgain(at);
      },
      restartTemporal: () => restartTemporal(),
      async stopPostgres() {
        await pg?.stop();
        pg = undefined;
      },
      async startPostgres() {
        pg = await startEmbeddedPostgres(pgOpts);
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
