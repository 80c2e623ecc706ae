/**
 * `npm run bench`: one run, one table — issue 18's P1–P7, each figure beside its goal — written to
 * `bench/results/<date>.json`. Each measure runs against real servers started here (a private
 * PostgreSQL, the Temporal dev server or cluster, the worker and the API as their own processes).
 * Nothing here is part of `npm test`.
 *
 *   npm run bench [-- --only P1,P2,… --count 200 --lifecycles 1000 --open 10000 --rows 1000000]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { hashClaimCode, newClaimCode } from '../api/reports/claim-code.js';
import { toIntake, type IntakeBody } from '../api/reports/intake-schema.js';
import { startReport } from '../api/reports/start-report.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { encryptingDataConverter } from '../infra/payload-codec.js';
import { loadPolicyRegistry } from '../infra/policy-registry.js';
import { projectPath } from '../infra/project-paths.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import { KeyRing } from '../infra/vault.js';
import { anIntake as anIntakeFor } from '../test/support/reports.js';
import { driveToConclusion } from '../test/support/lifecycles.js';
import { NOT_EXCLUDED, people } from '../test/support/reports.js';
import { stepUpdate } from '../workflows/messages.js';
import type { reportWorkflow } from '../workflows/report-workflow.js';
import { WORKFLOWS_PATH } from '../worker/report-worker.js';
import { anIntake, createClient, newTally, reportPath } from '../scripts/drill/client.js';
import { prepare } from '../scripts/drill/drills.js';
import { machine } from '../scripts/drill/machine.js';
import { startStack, type Profile, type Stack } from '../scripts/drill/stack.js';
import { resolveTestServer } from '../scripts/tools/test-server.js';
import { abba, load, percentile, round, rssMiB } from './support.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    lifecycles: { type: 'string', default: '1000' },
    open: { type: 'string', default: '10000' },
    /** P5's worker cache bound (WORKER_MAX_CACHED_WORKFLOWS): reports kept in memory between events. */
    cache: { type: 'string', default: '1000' },
    rows: { type: 'string', default: '1000000' },
    'data-dir': { type: 'string' },
  },
});
const ONLY = args.only ? args.only.split(',') : ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];
const COUNT = Number(args.count);
const CONCURRENCY = Number(args.concurrency);
const say = (m: string) => console.log(`[bench] ${m}`);
const CACHE = args.cache;
/** A step under load may wait longer than the drills' 5 s before the API answers 503. */
const BENCH_ENV = { API_TEMPORAL_TIMEOUT_MS: '30000' };
const log = createLogger(process.env.LOG_LEVEL ?? 'warn', { process: 'bench' });

interface Row {
  readonly id: string;
  readonly measure: string;
  readonly figure: string;
  readonly goal: string;
  /** null where the row prints figures without a goal to meet. */
  readonly met: boolean | null;
  readonly data: Record<string, unknown>;
}
const rows: Row[] = [];
const add = (row: Row) => {
  rows.push(row);
  say(
    `${row.id} ${row.measure}: ${row.figure} (goal ${row.goal}) ${row.met === null ? '' : row.met ? 'met' : 'NOT met'}`,
  );
};

function rawClient(stack: Stack): Promise<Client> {
  const [id, key] = stack.codecKeys.split(':') as [string, string];
  return Connection.connect({ address: stack.temporalAddress }).then(
    (connection) =>
      new Client({
        connection,
        dataConverter: encryptingDataConverter(new KeyRing([{ id, key: Buffer.from(key, 'base64') }])),
      }),
  );
}

const body = (): IntakeBody => anIntake('bench') as IntakeBody;
const rawStart = (client: Client) => async () => {
  const intake = toIntake(body(), { kind: 'anonymous', claimCodeHash: hashClaimCode(newClaimCode()) });
  await startReport(client, intake, { taskQueue: 'bihuan-reports', searchAttributes: true });
};

/** P1 and P2 on the dev server: the API's overhead over the raw client. */
async function apiOverRaw(stack: Stack) {
  const client = await rawClient(stack);
  const t = newTally();
  const c = createClient(stack, t);
  try {
    if (ONLY.includes('P1')) {
      say(`P1: ${COUNT} intakes each way per round, 2 rounds ABBA, concurrency ${CONCURRENCY}`);
      const raw = rawStart(client);
      const api = async () => {
        const a = await c.once('POST', '/v1/reports', 'intake', body());
        if (a.status !== 201) throw new Error(`intake answered ${a.status}`);
      };
      await load(30, CONCURRENCY, api);
      await load(30, CONCURRENCY, raw);
      const r = await abba(2, COUNT, CONCURRENCY, api, raw);
      const ratio = r.a.rate / r.b.rate;
      add({
        id: 'P1',
        measure: 'intake through the API ÷ raw client.workflow.start',
        figure: `${round(ratio, 3)} (${round(r.a.rate)}/s ÷ ${round(r.b.rate)}/s)`,
        goal: '≥ 0.90',
        met: ratio >= 0.9,
        data: { ratio, api: r.a, raw: r.b, count: COUNT * 2, concurrency: CONCURRENCY },
      });
    }
    if (ONLY.includes('P2')) {
      say(`P2: ${COUNT} accept steps each way per round, 2 rounds ABBA`);
      const ids: string[] = [];
      await load(4 * COUNT + 60, CONCURRENCY, async () => {
        const a = await c.retrying('POST', '/v1/reports', 'intake', body());
        ids.push(a.json?.id as string);
      });
      // Both paths meet an idle server: every report has run its first task and projected.
      for (;;) {
        const [row] = await stack.sql<
          { n: number }[]
        >`select count(*)::int as n from reports where report_id in ${stack.sql(ids)}`;
        if (row?.n === ids.length) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      let next = 0;
      const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' } as const;
      const api = async () => {
        const a = await c.retrying('POST', reportPath(ids[next++]!, 'accept-report'), 'dispatcher', accept);
        if (a.status !== 200) throw new Error(`accept answered ${a.status}`);
      };
      const raw = async () => {
        await client.workflow
          .getHandle<typeof reportWorkflow>(ids[next++]!)
          .executeUpdate(stepUpdate('acceptReport'), {
            args: [{ ...accept, actor: { id: 'bench-dispatcher', role: 'dispatcher' } }],
          });
      };
      await load(30, CONCURRENCY, api);
      await load(30, CONCURRENCY, raw);
      const r = await abba(2, COUNT, CONCURRENCY, api, raw);
      const ratio = r.a.rate / r.b.rate;
      add({
        id: 'P2',
        measure: 'a step through the API ÷ raw executeUpdate',
        figure: `${round(ratio, 3)} (${round(r.a.rate)}/s ÷ ${round(r.b.rate)}/s)`,
        goal: '≥ 0.90',
        met: ratio >= 0.9,
        data: { ratio, api: r.a, raw: r.b, count: COUNT * 2, concurrency: CONCURRENCY },
      });
    }
  } finally {
    await client.connection.close();
  }
}

/** P3: full lifecycles through the API (intake, 13 steps, the reward paid), on one profile. */
async function lifecycles(stack: Stack, profile: Profile) {
  const n = Number(args.lifecycles);
  say(`P3 (${profile}): ${n} full lifecycles through the API, concurrency ${CONCURRENCY}`);
  const t = newTally();
  const latencies: number[] = [];
  let closed = 0;
  const { seconds } = await load(n, CONCURRENCY, async () => {
    try {
      await prepare(stack, t, 'closed', (ms) => latencies.push(ms));
      closed += 1;
    } catch (err) {
      say(`a lifecycle failed: ${(err as Error).message}`);
    }
  });
  const [check] = await stack.sql<
    { n: number }[]
  >`select count(*)::int as n from reports where stage = 'closed'`;
  const ratio = (check?.n ?? 0) / n;
  add({
    id: 'P3',
    measure: `${n} lifecycles through the API, concurrency ${CONCURRENCY} (${profile === 'dev' ? 'dev server' : 'cluster'})`,
    figure: `closed ÷ started ${ratio.toFixed(3)}; ${round(latencies.length / seconds)} steps/s; p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`,
    goal: '= 1.000; figures printed',
    met: ratio === 1 && closed === n,
    data: {
      profile,
      lifecycles: n,
      closed: check?.n ?? 0,
      steps: latencies.length,
      seconds,
      stepsPerSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      other5xx: t.other5xx,
    },
  });
}

/** P5: the worker's memory with many open reports, each waiting on its timers. */
async function workerMemory(stack: Stack) {
  const open = Number(args.open);
  const first = Math.round(open / 10);
  const client = await rawClient(stack);
  let total = 0;
  /** Starts `n` more reports, waits until all of them have run their first task, measures. */
  const started = async (n: number) => {
    await load(n, CONCURRENCY, rawStart(client));
    total += n;
    // Settled: every report has run its first task and projected (the worker is idle again).
    for (;;) {
      const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from reports`;
      if ((row?.n ?? 0) >= total) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 5000));
    return rssMiB(stack.workerPid()!);
  };
  try {
    say(`P5: starting ${first} reports, measuring the worker; then ${open} in all`);
    const small = await started(first);
    const large = await started(open - first);
    const ratio = large / small;
    add({
      id: 'P5',
      measure: `worker RSS with ${open.toLocaleString('en')} open (timer-blocked) reports ÷ with ${first.toLocaleString('en')} (WORKER_MAX_CACHED_WORKFLOWS=${CACHE})`,
      figure: `${round(ratio, 2)}× (${round(large)} MiB ÷ ${round(small)} MiB)`,
      goal: '≤ 1.2×',
      met: ratio <= 1.2,
      data: { open, first, smallMiB: small, largeMiB: large, ratio },
    });
  } finally {
    await client.connection.close();
  }
}

/** P6: one whole lifecycle on the time-skipping test server, wall time. */
async function timeSkippingLifecycle(stack: Stack) {
  say('P6: one full lifecycle on the time-skipping test server');
  const server = await resolveTestServer({ progress: say });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: server } });
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-p6',
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
      }),
      activities: createActivities({
        sql: stack.sql,
        log,
        policies: await loadPolicyRegistry(projectPath('policies'), 'district-default'),
      }),
    });
    const times = await worker.runUntil(async () => {
      const out: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const t0 = performance.now();
        const intake = anIntakeFor({
          externalId: `P6-${randomBytes(4).toString('hex')}`,
          receivedAt: new Date(await env.currentTimeMs()).toISOString(),
        });
        const h = await env.client.workflow.start<typeof reportWorkflow>('reportWorkflow', {
          workflowId: `report:${intake.channel}:${intake.externalId}`,
          taskQueue: 'bench-p6',
          args: [{ intake }],
        });
        const d = {
          step: (handle: typeof h, step: Parameters<typeof stepUpdate>[0], input: unknown) =>
            handle.executeUpdate(stepUpdate(step) as never, { args: [input] as never }),
        };
        await driveToConclusion(d as never, h, { fineFen: 5_000_000 });
        await d.step(h, 'proposeReward', {
          actor: people.proposer,
          basis: { kind: 'fine', fineFen: 5_000_000 },
          declaration: NOT_EXCLUDED,
        });
        await d.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
        await d.step(h, 'payReward', { actor: people.finance, voucher: `P6-${i}` });
        await h.result();
        out.push(performance.now() - t0);
      }
      return out;
    });
    // The first run warms the worker (bundle load, connections); the figure is the worst of the rest.
    const worst = Math.max(...times.slice(1)) / 1000;
    add({
      id: 'P6',
      measure: 'one full lifecycle (every stage, reward, closure) on the time-skipping server',
      figure: `${round(worst, 2)} s wall (worst of 3 after a warm-up)`,
      goal: '≤ 3 s wall',
      met: worst <= 3,
      data: { secondsEach: times.map((t) => t / 1000) },
    });
  } finally {
    await env.teardown();
  }
}

/** P4 and P7: the list and statistics over a million rows (bench/list.ts, as a child). */
async function listAndStatistics() {
  const dir = await mkdtemp(join(tmpdir(), 'bihuan-bench-p4-'));
  try {
    const out = join(dir, 'figures.json');
    say(
      `P4, P7: seeding ${Number(args.rows).toLocaleString('en')} reports and timing the list and statistics`,
    );
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/list.ts',
        '--rows',
        args.rows,
        '--json',
        out,
        ...(args['data-dir'] ? ['--data-dir', args['data-dir']] : []),
      ],
      { cwd: projectPath(), stdio: 'inherit' },
    );
    const f = JSON.parse(await readFile(out, 'utf8')) as {
      rows: number;
      worstP99: number;
      deepOverFirst: number;
      rareWordP99: number;
      statisticsP99: number;
      statistics: Record<string, unknown>;
      queries: Record<string, unknown>;
    };
    if (ONLY.includes('P4'))
      add({
        id: 'P4',
        measure: `list at ${f.rows.toLocaleString('en')} rows: worst p99 of the other queries; deep page ÷ first (p50); a word on ~1 % of rows (p99)`,
        figure: `${round(f.worstP99)} ms; ${round(f.deepOverFirst, 2)}×; ${round(f.rareWordP99)} ms`,
        goal: '≤ 20 ms; ≤ 1.5×; ≤ 50 ms',
        met: f.worstP99 <= 20 && f.deepOverFirst <= 1.5 && f.rareWordP99 <= 50,
        data: f,
      });
    if (ONLY.includes('P7'))
      add({
        id: 'P7',
        measure: `statistics for a quarter over ${f.rows.toLocaleString('en')} rows, five filters`,
        figure: `p99 ${round(f.statisticsP99)} ms`,
        goal: 'p99 ≤ 200 ms',
        met: f.statisticsP99 <= 200,
        data: { p99: f.statisticsP99, byFilter: f.statistics },
      });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A measure that fails is a row saying so, not the end of the run. */
async function measured(ids: string[], fn: () => Promise<void>) {
  try {
    await fn();
  } catch (err) {
    for (const id of ids.filter((i) => ONLY.includes(i) && !rows.some((r) => r.id === i)))
      add({
        id,
        measure: 'failed',
        figure: (err as Error).message.slice(0, 200),
        goal: '',
        met: false,
        data: {},
      });
  }
}

runMain(async () => {
  installTemporalRuntime(log);
  const startedAt = new Date();
  if (ONLY.some((p) => ['P1', 'P2', 'P3', 'P6'].includes(p))) {
    say('starting the dev-server stack');
    const stack = await startStack('dev', log, { env: BENCH_ENV });
    try {
      if (ONLY.includes('P1') || ONLY.includes('P2')) await measured(['P1', 'P2'], () => apiOverRaw(stack));
      if (ONLY.includes('P3')) await measured([], () => lifecycles(stack, 'dev'));
      if (ONLY.includes('P6')) await measured(['P6'], () => timeSkippingLifecycle(stack));
    } finally {
      await stack.stop();
    }
  }
  if (ONLY.includes('P3')) {
    say('starting the cluster stack');
    const stack = await startStack('cluster', log, { env: BENCH_ENV });
    try {
      await measured([], () => lifecycles(stack, 'cluster'));
    } finally {
      await stack.stop();
    }
  }
  if (ONLY.includes('P5')) {
    say('starting a stack with one worker for P5');
    // The worker as production should run it: its cache of reports bounded (docs/configuration.md).
    const stack = await startStack('dev', log, {
      workers: 1,
      env: { ...BENCH_ENV, WORKER_MAX_CACHED_WORKFLOWS: CACHE },
    });
    try {
      await measured(['P5'], () => workerMemory(stack));
    } finally {
      await stack.stop();
    }
  }
  if (ONLY.includes('P4') || ONLY.includes('P7')) await measured(['P4', 'P7'], () => listAndStatistics());

  const order = (r: Row) => Number(r.id.slice(1));
  rows.sort((a, b) => order(a) - order(b));
  console.log('\n| # | measure | figure | goal | met |\n|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.id} | ${r.measure} | ${r.figure} | ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : 'no'} |`,
    );
  console.log(`\nmachine: ${machine()}; ${startedAt.toISOString()}`);
  // A full run is the day's table; a partial one (--only) is kept beside it, not over it.
  const name = `${startedAt.toISOString().slice(0, 10)}${args.only ? `-${ONLY.join('-')}` : ''}.json`;
  const file = projectPath('bench', 'results', name);
  await mkdir(projectPath('bench', 'results'), { recursive: true });
  await writeFile(
    file,
    `${JSON.stringify({ at: startedAt.toISOString(), machine: machine(), args, rows }, null, 2)}\n`,
  );
  say(`written to ${file}`);
});
