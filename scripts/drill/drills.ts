import { anIntake, createClient, newTally, reportPath, type Answer, type Tally } from './client.js';
import type { Stack } from './stack.js';

/**
 * The fault drills of issue 18. Each hurts one part of a running stack in the middle of real work
 * and then counts: requests sent, 2xx, reports or payments lost, done twice, and 5xx other than
 * 503. A drill never trusts its own bookkeeping alone: it reads the reports back through the API,
 * the ledger and the deliveries from PostgreSQL.
 */
export interface DrillResult {
  readonly drill: string;
  readonly profile: string;
  readonly sent: number;
  readonly ok: number;
  readonly lost: number;
  readonly doubled: number;
  readonly other5xx: number;
  readonly seconds: number;
  readonly notes: string;
  /** Answers that broke the API's own contract (the fuzz): each a failure. */
  readonly findings?: number;
}

type Say = (m: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}

const failures = (t: Tally) => t.other5xx + t.without503RetryAfter;
const result = (
  drill: string,
  stack: Stack,
  t: Tally,
  started: number,
  lost: number,
  doubled: number,
  notes: string,
): DrillResult => ({
  drill,
  profile: stack.profile,
  sent: t.sent,
  ok: t.ok,
  lost,
  doubled,
  other5xx: failures(t),
  seconds: Math.round((Date.now() - started) / 100) / 10,
  notes: `${t.s503} × 503, ${t.connectionErrors} refused connections${notes ? `; ${notes}` : ''}`,
});

/**
 * Files a report and takes it to `until` through the API, as the people who do it: assigned, or
 * reward_approved (every stage before it), or closed (the reward paid). `onStep` gets each
 * request's latency.
 */
export async function prepare(
  stack: Stack,
  t: Tally,
  until: 'assigned' | 'reward_approved' | 'closed',
  onStep: (ms: number) => void = () => undefined,
): Promise<string> {
  const c = createClient(stack, t);
  const t0 = performance.now();
  const filed = await c.retrying('POST', '/v1/reports', 'intake', anIntake('prep'));
  onStep(performance.now() - t0);
  const id = filed.json?.id as string;
  const claimCode = filed.json?.claimCode as string;
  const step = async (path: string, as: string, body: unknown = {}) => {
    const started = performance.now();
    const a = await c.retrying('POST', reportPath(id, path), as, body);
    onStep(performance.now() - started);
    if (a.status !== 200) throw new Error(`${path} on ${id} answered ${a.status}: ${JSON.stringify(a.json)}`);
  };
  await step('accept-report', 'dispatcher', { urgency: 'general', category: 'fire', domain: 'e_bikes' });
  await step('assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
  if (until === 'assigned') return id;
  await step('start-verification', 'handler:unit-a');
  await step('submit-verification', 'handler:unit-a', {
    outcome: 'substantiated',
    findings: '楼道内违规充电属实',
    hazardsFound: 1,
    majorHazard: false,
    illegalActivity: true,
  });
  await step('order-rectification', 'handler:unit-a', {
    measures: ['order_rectification', 'administrative_penalty'],
    fineFen: 2_000_000,
    penaltyDecision: { number: '浦应急罚〔2026〕1号', decidedOn: new Date().toISOString().slice(0, 10) },
    dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
  });
  await step('report-rectification', 'handler:unit-a', { summary: '已清理电池，停止楼道充电' });
  await step('give-feedback', 'handler:unit-a', { summary: '已核查处理' });
  await step('record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
  await step('claim-reward', 'intake', {
    claimCode,
    payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
  });
  await step('propose-reward', 'reward_proposer', {
    basis: { kind: 'fine', fineFen: 2_000_000 },
    declaration: { safetyDutyStaff: false, closeRelativeOfStaff: false },
  });
  await step('decide-reward', 'reward_approver', { decision: 'approved' });
  if (until === 'closed') await step('pay-reward', 'finance', { voucher: `BENCH-${id.slice(-12)}` });
  return id;
}

const stageOf = async (stack: Stack, t: Tally, id: string) =>
  ((await createClient(stack, t).retrying('GET', reportPath(id), 'admin')).json?.stage as { name?: string })
    ?.name;

/** kill -9 a worker in the middle of a burst of steps and of reward payments. */
export async function workerKill(stack: Stack, say: Say, n = 12): Promise<DrillResult> {
  const prep = newTally();
  say(`preparing ${n} reports awaiting payment and ${n} awaiting verification`);
  const paying = await pool(Array.from({ length: n }), 4, () => prepare(stack, prep, 'reward_approved'));
  const verifying = await pool(Array.from({ length: n }), 4, () => prepare(stack, prep, 'assigned'));
  const t = newTally();
  const c = createClient(stack, t);
  const started = Date.now();
  const burst = Promise.all([
    ...paying.map((id) =>
      c.retrying('POST', reportPath(id, 'pay-reward'), 'finance', { voucher: `DRILL-${id}` }),
    ),
    ...verifying.map((id) => c.retrying('POST', reportPath(id, 'start-verification'), 'handler:unit-a', {})),
  ]);
  await sleep(150);
  say('kill -9 the worker');
  await stack.killChild('worker');
  const answers = await burst;
  const refused = answers.filter((a: Answer) => a.status !== 200).length;
  let lost = 0;
  for (const id of paying) if ((await stageOf(stack, t, id)) !== 'closed') lost += 1;
  for (const id of verifying) if ((await stageOf(stack, t, id)) !== 'verifying') lost += 1;
  const [ledger] = await stack.sql<{ paid: number; doubled: number }[]>`
    select count(distinct report_id)::int as paid, (count(*) - count(distinct report_id))::int as doubled
    from reward_ledger where report_id in ${stack.sql(paying)}`;
  return result(
    'kill -9 a worker during steps and payments',
    stack,
    t,
    started,
    lost + (n - (ledger?.paid ?? 0)),
    ledger?.doubled ?? 0,
    `${ledger?.paid ?? 0}/${n} paid once in the ledger; ${refused} steps not 200`,
  );
}

/** An intake burst, with `hurt` done after a third of it; every 2xx report must exist exactly once. */
async function intakeBurst(
  stack: Stack,
  say: Say,
  drill: string,
  hurt: () => Promise<void>,
  n = 60,
): Promise<DrillResult> {
  const t = newTally();
  const c = createClient(stack, t);
  const started = Date.now();
  const bodies = Array.from({ length: n }, () => anIntake('burst'));
  let hurtDone: Promise<void> = Promise.resolve();
  const answers = await pool(bodies, 6, async (body, i) => {
    if (i === Math.floor(n / 3)) hurtDone = hurt();
    return c.retrying('POST', '/v1/reports', 'intake', body);
  });
  await hurtDone;
  let lost = 0;
  let movedId = 0;
  for (const [i, a] of answers.entries()) {
    const expected = `report:${bodies[i]!.channel}:${bodies[i]!.externalId}`;
    if (a.status !== 201 && a.status !== 200) continue;
    if (a.json?.id !== expected) movedId += 1;
    const read = await c.retrying('GET', reportPath(expected), 'admin');
    if (read.status !== 200) lost += 1;
  }
  const [rows] = await stack.sql<{ doubled: number; answered: number }[]>`
    select (count(*) - count(distinct external_id))::int as doubled, count(*)::int as answered
    from intake_requests where external_id in ${stack.sql(bodies.map((b) => b.externalId))}`;
  const unanswered = answers.filter((a) => a.status !== 201 && a.status !== 200).length;
  return result(
    drill,
    stack,
    t,
    started,
    lost + unanswered,
    (rows?.doubled ?? 0) + movedId,
    `${n - unanswered}/${n} intakes answered 2xx (retries landing on the same report)`,
  );
}

export const temporalRestart = (stack: Stack, say: Say) =>
  intakeBurst(
    stack,
    say,
    `restart Temporal (${stack.profile === 'cluster' ? 'history service' : 'dev server'}) during intake`,
    async () => {
      say(`restarting ${stack.profile === 'cluster' ? 'the history service' : 'the dev server'}`);
      await stack.restartTemporal();
    },
  );

export const apiRestart = (stack: Stack, say: Say) =>
  intakeBurst(stack, say, 'kill -9 the API during intake', async () => {
    say('kill -9 the API');
    await stack.killChild('api');
  });

/** PostgreSQL stopped for `outageS` seconds: 503 with Retry-After, never 500; the read model catches up. */
export async function postgresOutage(stack: Stack, say: Say, outageS = 60, n = 8): Promise<DrillResult> {
  const prep = newTally();
  const c0 = createClient(stack, prep);
  const ids = (
    await pool(Array.from({ length: n }), 4, () =>
      c0.retrying('POST', '/v1/reports', 'intake', anIntake('pg')),
    )
  ).map((a) => a.json?.id as string);
  const t = newTally();
  const c = createClient(stack, t);
  const started = Date.now();
  say(`stopping PostgreSQL for ${outageS} s`);
  await stack.stopPostgres();
  const outageEnds = Date.now() + outageS * 1000;
  // Steps sent during the outage: the workflows take them and wait to project; the clients retry.
  const steps = ids.map((id) =>
    c.retrying(
      'POST',
      reportPath(id, 'accept-report'),
      'dispatcher',
      { urgency: 'general', category: 'fire', domain: 'e_bikes' },
      { deadlineMs: outageS * 1000 * 3 },
    ),
  );
  while (Date.now() < outageEnds) {
    await Promise.all([
      c.once('GET', '/v1/reports?limit=5', 'dispatcher'),
      c.once('POST', '/v1/reports', 'intake', anIntake('during')),
      c.once('GET', reportPath(ids[0]!), 'dispatcher'),
    ]);
    await sleep(1000);
  }
  say('starting PostgreSQL again');
  await stack.startPostgres();
  const back = Date.now();
  await Promise.all(steps);
  // The read model has caught up when every accepted report reads accepted from the list.
  let caughtUp = false;
  while (Date.now() - back < 2 * outageS * 1000) {
    const [row] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from reports where report_id in ${stack.sql(ids)} and stage = 'accepted'`;
    if (row?.n === n) {
      caughtUp = true;
      break;
    }
    await sleep(500);
  }
  const catchUpS = Math.round((Date.now() - back) / 100) / 10;
  let lost = caughtUp ? 0 : 1;
  for (const id of ids) if ((await stageOf(stack, t, id)) !== 'accepted') lost += 1;
  return result(
    `stop PostgreSQL for ${outageS} s`,
    stack,
    t,
    started,
    lost,
    0,
    `read model caught up ${catchUpS} s after (limit ${2 * outageS} s)`,
  );
}

/** kill -9 the delivery relay while it drains the outbox: nothing lost, nothing doubled. */
export async function relayKill(stack: Stack, say: Say, n = 20): Promise<DrillResult> {
  const t = newTally();
  const c = createClient(stack, t);
  const started = Date.now();
  const [before] = await stack.sql<
    { id: number }[]
  >`select coalesce(max(id), 0)::int as id from notification_outbox`;
  const ids = (
    await pool(Array.from({ length: n }), 4, () =>
      c.retrying('POST', '/v1/reports', 'intake', anIntake('relay')),
    )
  ).map((a) => a.json?.id as string);
  await pool(ids, 4, (id) =>
    c.retrying('POST', reportPath(id, 'accept-report'), 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    }),
  );
  say('kill -9 the delivery relay');
  await stack.killChild('delivery');
  // Drained: every delivery planned from this drill's outbox rows is final.
  const deadline = Date.now() + 120_000;
  let pending = Infinity;
  while (Date.now() < deadline) {
    const [row] = await stack.sql<{ unplanned: number; pending: number }[]>`
      select
        (select count(*) from notification_outbox o where o.id > ${before!.id} and o.planned_at is null)::int as unplanned,
        (select count(*) from notification_deliveries d join notification_outbox o on o.id = d.outbox_id
          where o.id > ${before!.id} and d.status not in ('delivered', 'skipped', 'dead'))::int as pending`;
    pending = (row?.unplanned ?? 0) + (row?.pending ?? 0);
    if (pending === 0) break;
    await sleep(500);
  }
  const rows = await stack.sql<{ key: string; status: string }[]>`
    select d.idempotency_key as key, d.status from notification_deliveries d
    join notification_outbox o on o.id = d.outbox_id where o.id > ${before!.id}`;
  const { http, smtp } = stack.receivers;
  const arrived = (key: string) => http.processed.has(key) || smtp.processed.has(key);
  const delivered = rows.filter((r) => r.status === 'delivered');
  // Lost: a delivery dead or never final, or marked delivered that no receiver got.
  const lost =
    pending +
    rows.filter((r) => r.status === 'dead').length +
    delivered.filter((r) => !arrived(r.key)).length;
  // Doubled: a message a receiver took under a key no delivery has — a second delivery of one
  // notification (one per destination is unique in the table, and keys are stable).
  const all = new Set(
    (await stack.sql<{ key: string }[]>`select idempotency_key as key from notification_deliveries`).map(
      (r) => r.key,
    ),
  );
  const strays = [...http.processed.keys(), ...smtp.processed.keys()].filter((k) => !all.has(k));
  const keys = new Set(rows.map((r) => r.key));
  const repeats =
    [...http.arrivals, ...smtp.arrivals].filter((a) => keys.has(a.key)).length -
    delivered.filter((r) => arrived(r.key)).length;
  return result(
    'kill -9 the delivery relay while it drains',
    stack,
    t,
    started,
    lost,
    strays.length,
    `${delivered.length} delivered (${rows.length - delivered.length} skipped, dead or pending), ${Math.max(0, repeats)} repeats of one key dropped by the receivers`,
  );
}

/**
 * OpenAPI fuzzing at full count (≥ `atLeast` requests, seed after seed) against the running API
 * over HTTP, every operation with every role: no 5xx, nothing undeclared, errors as problems.
 */
export async function fuzz(stack: Stack, say: Say, atLeast = 5000): Promise<DrillResult> {
  const { documentValidators, fuzzCredentials, runFuzz } = await import('../../test/support/openapi-fuzz.js');
  const t = newTally();
  const c = createClient(stack, t);
  const started = Date.now();
  const doc = (await (await fetch(`${stack.apiUrl}/docs/json`)).json()) as Parameters<
    typeof runFuzz
  >[0]['doc'];
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1)
    ids.push((await c.retrying('POST', '/v1/reports', 'intake', anIntake('fuzz'))).json?.id as string);
  const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
  await c.retrying('POST', reportPath(ids[1]!, 'accept-report'), 'dispatcher', accept);
  await c.retrying('POST', reportPath(ids[2]!, 'accept-report'), 'dispatcher', accept);
  const credentials = fuzzCredentials(stack.keys);
  // Every error in the Problem schema, every JSON success in the schema declared for it. (The
  // check that a refusal changes nothing is the test's: here timers and the relay change state.)
  const validators = documentValidators(doc);
  let sent = 0;
  let ok = 0;
  let other5xx = 0;
  const findings: string[] = [];
  for (let seed = 20_261_202; sent < atLeast; seed += 1) {
    const run = await runFuzz({
      doc,
      seed,
      credentials,
      realValues: { id: ids, format: ['csv', 'xlsx', 'md', 'docx'], unitId: ['unit-a', 'unit-b'] },
      ...validators,
      send: async (fc) => {
        const res = await fetch(`${stack.apiUrl}${fc.url}`, {
          method: fc.method,
          headers: fc.headers,
          ...(fc.payload !== undefined ? { body: fc.payload } : {}),
          signal: AbortSignal.timeout(60_000),
        }).catch(() => undefined);
        if (!res) return { status: 0, contentType: '', json: () => undefined };
        const text = await res.text();
        return {
          status: res.status,
          contentType: res.headers.get('content-type') ?? '',
          json: () => JSON.parse(text) as unknown,
        };
      },
    });
    sent += run.sent;
    for (const [status, n] of run.statuses) {
      if (status >= 200 && status < 300) ok += n;
      if (status >= 500 && status !== 503) other5xx += n;
    }
    findings.push(
      ...run.findings.map((f) => `${f.case.method} ${f.case.url} as ${f.case.kind}: ${f.status} ${f.why}`),
    );
    say(`fuzz seed ${seed}: ${run.sent} requests, ${run.findings.length} findings`);
  }
  for (const f of findings.slice(0, 10)) say(`finding: ${f}`);
  return {
    drill: `OpenAPI fuzzing (≥ ${atLeast} requests, every operation, every role)`,
    profile: stack.profile,
    sent: sent + t.sent,
    ok: ok + t.ok,
    lost: 0,
    doubled: 0,
    other5xx: other5xx + t.other5xx,
    findings: findings.length,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    notes: `${findings.length} findings (an undeclared status or content type, an error off the problem schema, a success off its schema, a 5xx)`,
  };
}
