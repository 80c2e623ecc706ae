/**
 * What the API costs at intake: in one run against the same Temporal server, N reports started
 * straight with `client.workflow.start` (what the API does last) and N received through
 * `POST /v1/reports` over HTTP (authentication, validation, the idempotency row, the claim code,
 * then the same start). Prints both rates, their ratio and p50/p99 latencies; the goal is that the
 * API keeps at least 0.85× the raw rate.
 *
 *   npm run bench:intake [-- --count 400 --concurrency 16 --rounds 2]
 *
 * It starts its own PostgreSQL, Temporal dev server, worker and API in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createApiKey } from '../api/platform/api-keys.js';
import { toIntake, type IntakeBody } from '../api/reports/intake-schema.js';
import { startReport } from '../api/reports/start-report.js';
import { hashClaimCode, newClaimCode } from '../api/reports/claim-code.js';
import { loadConfig } from '../infra/config.js';
import { connectPostgres, migrate } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { encryptingDataConverter } from '../infra/payload-codec.js';
import { KeyRing } from '../infra/vault.js';
import { freePort } from '../scripts/embedded/port.js';
import { startEmbeddedPostgres } from '../scripts/embedded/postgres.js';
import { startTemporalDevServer } from '../scripts/embedded/temporal-dev-server.js';
import { resolveTemporalCli } from '../scripts/tools/temporal-cli.js';
import { spawnEntry, waitForOk, type Spawned } from '../test/support/processes.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
  },
});
const COUNT = Number(args.count);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const GOAL = 0.85;
const say = (m: string) => console.log(`[bench:intake] ${m}`);
const log = createLogger('warn', { process: 'bench-intake' });

const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
let serial = 0;
const aBody = (): IntakeBody => ({
  channel: 'hotline_12345',
  externalId: `BENCH-${run}-${++serial}`,
  receivedAt: new Date().toISOString(),
  description: '楼道内电动自行车违规充电，堵塞消防通道',
  location: { address: '浦兴路100弄', district: '浦东新区', street: '浦兴路街道' },
  reporter: { anonymous: true },
});

/** Runs `count` calls `concurrency` at a time; answers the wall time and each call's latency. */
async function load(count: number, concurrency: number, call: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const t0 = performance.now();
        await call();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function stopProcess(p: Spawned) {
  p.child.kill('SIGTERM');
  await p.exited;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'bihuan-bench-intake-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    say('starting PostgreSQL and the Temporal dev server…');
    const executable = await resolveTemporalCli({ progress: say });
    const [pg, dev] = await Promise.all([
      startEmbeddedPostgres({ dataDir: join(root, 'postgres'), port: await freePort(), log }),
      startTemporalDevServer({
        executable,
        port: await freePort(),
        uiPort: await freePort(),
        dbFile: join(root, 'temporal.sqlite'),
        namespace: 'default',
        log,
      }),
    ]);
    stops.push(
      () => pg.stop(),
      () => dev.stop(),
    );
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: 'bench-reports',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      BIHUAN_VAULT_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      BIHUAN_CODEC_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      INTAKE_RATE_LIMIT: '1000000',
    };
    const config = loadConfig(env);
    await migrate(pg.url, log);
    // The worker and the API run as their own processes, as deployed: the load generator and the
    // raw client here share an event loop with neither.
    say('starting the worker and the API processes…');
    const worker = spawnEntry('worker/main.ts', env);
    stops.unshift(() => stopProcess(worker));
    const api = spawnEntry('api/main.ts', env);
    stops.unshift(() => stopProcess(api));
    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    await waitForOk(`${apiUrl}/ready`, api, 120_000);
    const sql = await connectPostgres(pg.url, { timeoutMs: 10_000, log, max: 2 });
    stops.unshift(() => sql.end());
    const key = await createApiKey(sql, { subject: 'bench', role: 'intake', label: 'bench' });
    // The raw path encrypts its payloads too, as every client of a deployment must.
    const client = new Client({
      connection: await Connection.connect({ address: dev.address }),
      dataConverter: encryptingDataConverter(new KeyRing(config.codecKeys)),
    });
    stops.unshift(() => client.connection.close());

    // The raw path: the start the API makes, with the workflow input it would give.
    const raw = async () => {
      const intake = toIntake(aBody(), { kind: 'anonymous', claimCodeHash: hashClaimCode(newClaimCode()) });
      await startReport(client, intake, { taskQueue: config.temporal.taskQueue, searchAttributes: true });
    };
    const viaApi = async () => {
      const res = await fetch(`${apiUrl}/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(aBody()),
      });
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };

    say(`warming up both paths, then ${ROUNDS} rounds of ${COUNT} starts each way, ${CONCURRENCY} at a time`);
    await load(50, CONCURRENCY, raw);
    await load(50, CONCURRENCY, viaApi);
    const results = {
      raw: { seconds: 0, latencies: [] as number[] },
      api: { seconds: 0, latencies: [] as number[] },
    };
    // Alternating rounds so that neither path always meets a busier server (the workers of the
    // reports already started keep running their first tasks).
    // ABBA: the server grows busier as reports accumulate, and neither path may always go second.
    for (let r = 0; r < ROUNDS; r++) {
      const order = [
        ['raw', raw],
        ['api', viaApi],
      ] as const;
      for (const [name, call] of r % 2 === 0 ? order : [...order].reverse()) {
        const { seconds, latencies } = await load(COUNT, CONCURRENCY, call);
        results[name].seconds += seconds;
        results[name].latencies.push(...latencies);
      }
    }
    const line = (name: string, res: { seconds: number; latencies: number[] }) => {
      const sorted = [...res.latencies].sort((a, b) => a - b);
      const rate = sorted.length / res.seconds;
      console.log(
        `${name.padEnd(34)} ${rate.toFixed(1).padStart(8)}/s  p50 ${percentile(sorted, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(6)} ms`,
      );
      return rate;
    };
    console.log(
      `\nintake of ${ROUNDS * COUNT} reports each way, concurrency ${CONCURRENCY}, same Temporal server\n`,
    );
    const rawRate = line('client.workflow.start (raw)', results.raw);
    const apiRate = line('POST /v1/reports (API over HTTP)', results.api);
    const ratio = apiRate / rawRate;
    console.log(
      `\nratio API / raw: ${ratio.toFixed(3)} → ${ratio >= GOAL ? 'PASS' : 'FAIL'} (goal ≥ ${GOAL})`,
    );
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
