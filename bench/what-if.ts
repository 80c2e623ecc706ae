/**
 * How long the what-if takes over a district's year: seeds N reports (default 100,000) into the
 * read model of a private PostgreSQL — each with its policy (district-default v7), and its
 * acceptance, assignment, verification and feedback clocks done at spread-out times — then runs the
 * what-if of a proposal (verification within 3 working days instead of 7) over them, and prints
 * the time against the goal (under a minute) with the figures it found.
 *
 *   npm run bench:what-if [-- --reports 100000 --data-dir .bench/what-if]
 *
 * With --data-dir the seeded cluster is kept and reused by the next run.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type postgres from 'postgres';
import { runWhatIf } from '../api/supervision/what-if.js';
import { validatePolicy } from '../domain/policy.js';
import { connectPostgres, migrate } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { loadPolicyRegistry } from '../infra/policy-registry.js';
import { projectPath } from '../infra/project-paths.js';
import { freePort } from '../scripts/embedded/port.js';
import { startEmbeddedPostgres } from '../scripts/embedded/postgres.js';

const { values: args } = parseArgs({
  options: { reports: { type: 'string', default: '100000' }, 'data-dir': { type: 'string' } },
});
const REPORTS = Number(args.reports);
const GOAL_S = 60;
const say = (m: string) => console.log(`[bench:what-if] ${m}`);
const log = createLogger('warn', { process: 'bench-what-if' });
const UNITS = ['unit-a', 'unit-b', 'unit-c', 'unit-d', 'unit-e'];

async function seed(sql: postgres.Sql) {
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from reports`;
  if (n >= REPORTS) return say(`reusing ${n.toLocaleString()} seeded reports`);
  await sql`truncate reports, report_clocks, report_events cascade`;
  say(`seeding ${REPORTS.toLocaleString()} reports with their clocks and policy…`);
  const started = Date.now();
  // Received one every 5 minutes back from 2026-11-20; each step took a spread of hours and days.
  await sql`
    insert into reports (report_id, channel, external_id, stage, urgency, district, unit_id, major_hazard,
                         overdue, received_at, accepted_at, closed_at, last_sequence, snapshot,
                         escalation_level)
    select 'report:hotline_12345:WI' || i, 'hotline_12345', 'WI' || i, 'closed',
           case when i % 10 = 0 then 'emergency' else 'general' end, '浦东新区',
           (${sql.array(UNITS)}::text[])[1 + i % ${UNITS.length}], false, false,
           timestamptz '2026-11-20T01:00:00Z' - i * interval '5 minutes',
           timestamptz '2026-11-20T01:00:00Z' - i * interval '5 minutes' + interval '2 hours',
           timestamptz '2026-11-20T01:00:00Z' - i * interval '5 minutes' + interval '12 days', 30, '{}'::jsonb, 0
    from generate_series(1, ${REPORTS}) as i`;
  await sql`
    insert into report_events (report_id, sequence, type, at, data)
    select report_id, 2, 'policy_fixed', received_at, '{"id":"district-default","version":7}'::jsonb
    from reports`;
  // Clock durations: verification done after 1–11 days (so some are late under 7 working days).
  await sql`
    insert into report_clocks (report_id, clock, occurrence, unit_id, received_at, started_at, warn_at, due_at,
                               stopped_at, paused, overdue, rungs_fired, on_time, ended_how, misrouted)
    select r.report_id, c.clock, 1, case when c.clock in ('verification', 'feedback') then r.unit_id end,
           r.received_at,
           c.started, c.due - interval '4 hours', c.due, c.stopped, false, c.stopped > c.due, 0,
           c.stopped <= c.due, 'done', false
    from reports r
    cross join lateral (select substring(r.report_id from 'WI([0-9]+)$')::int as i) k
    cross join lateral (values
      ('acceptance', r.received_at, r.received_at + interval '8 hours', r.received_at + interval '2 hours'),
      ('assignment', r.accepted_at, r.accepted_at + interval '1 day', r.accepted_at + interval '3 hours'),
      ('verification', r.accepted_at, r.accepted_at + interval '9 days',
        r.accepted_at + ((1 + k.i % 11) * interval '1 day')),
      ('feedback', r.received_at, r.received_at + interval '9 days', r.received_at + ((2 + k.i % 10) * interval '1 day'))
    ) as c(clock, started, due, stopped)`;
  await sql`analyze reports; analyze report_clocks; analyze report_events`.simple();
  say(`seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function main() {
  const dataDir = args['data-dir'] ? resolve(args['data-dir']) : undefined;
  const root = dataDir ?? (await mkdtemp(join(tmpdir(), 'bihuan-bench-what-if-')));
  say(`starting PostgreSQL in ${root}`);
  const pg = await startEmbeddedPostgres({ dataDir: join(root, 'postgres'), port: await freePort(), log });
  const sql = await connectPostgres(pg.url, { timeoutMs: 15_000, log, max: 4 });
  try {
    await migrate(pg.url, log);
    await seed(sql);
    const registry = await loadPolicyRegistry(projectPath('policies'), 'district-default');
    const v7 = JSON.parse(readFileSync(projectPath('policies', 'district-default.v7.json'), 'utf8')) as {
      clocks: { verification: { due: Record<string, unknown> } & Record<string, unknown> };
    };
    const proposal = validatePolicy({
      ...v7,
      id: 'district-proposed',
      version: 1,
      clocks: {
        ...v7.clocks,
        verification: {
          ...v7.clocks.verification,
          due: { ...v7.clocks.verification.due, general: { workingDays: 3 } },
        },
      },
    });
    const t0 = performance.now();
    const result = await runWhatIf(sql, (id, version) => registry.get(id, version), proposal, {
      from: new Date('2020-01-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    const seconds = (performance.now() - t0) / 1000;
    const verification = result.byStep.find((r) => r.clock === 'verification');
    say(
      `what-if over ${result.reports.toLocaleString()} reports: ${seconds.toFixed(1)} s (goal < ${GOAL_S} s) — ${seconds < GOAL_S ? 'met' : 'NOT met'}`,
    );
    say(
      `verification: ${verification?.completed} done, on time ${verification?.onTimeBefore} → ${verification?.onTimeAfter}, ` +
        `breaches +${verification?.breachesAppear} −${verification?.breachesDisappear}`,
    );
    if (seconds >= GOAL_S) process.exitCode = 1;
  } finally {
    await sql.end();
    await pg.stop();
    if (!dataDir) await rm(root, { recursive: true, force: true });
  }
}

await main();
