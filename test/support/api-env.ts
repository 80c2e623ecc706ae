import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { buildApp, createApiDeps, type App } from '../../api/app.js';
import { createApiKey } from '../../api/platform/api-keys.js';
import { devApiKeySpecs } from '../../scripts/dev-api-keys.js';
import type { IntakeBody } from '../../api/reports/intake-schema.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger, type Logger } from '../../infra/logger.js';
import { createReportEnv, type ReportEnv } from './report-env.js';
import type { PolicyRegistry } from '../../infra/policy-registry.js';

/** Who calls: a key name of {@link devApiKeySpecs} (`dispatcher`, `handler:unit-a`, …). */
export type As = string;

/**
 * The API as `npm start` builds it, driven with `inject`, on a real Temporal (the report env's
 * time-skipping server and worker) and a real PostgreSQL: one API key per role, one handler key per
 * demo unit. Nothing is mocked.
 */
export async function createApiEnv(
  opts: {
    startTime?: string;
    env?: Record<string, string>;
    log?: Logger;
    defaultPolicy?: string;
    /** The policies both the worker and the API run (a test's own, to deploy a version into). */
    policies?: PolicyRegistry;
  } = {},
) {
  // The test server's clock is the API's clock too (intake checks receivedAt against it), and it
  // starts on a fixed Monday so that fixed dates in tests stay within the policy's bounds for good.
  const t: ReportEnv = await createReportEnv({
    startTime: opts.startTime ?? MONDAY_MORNING,
    ...(opts.defaultPolicy ? { defaultPolicy: opts.defaultPolicy } : {}),
    ...(opts.policies ? { policies: opts.policies } : {}),
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused', // the app gets t.sql
    TEMPORAL_ADDRESS: '127.0.0.1:1', // the app gets t.client
    TEMPORAL_TASK_QUEUE: t.taskQueue,
    BIHUAN_VAULT_KEYS: `test:${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...(opts.defaultPolicy ? { BIHUAN_POLICY: opts.defaultPolicy } : {}),
    ...opts.env,
  });
  const app: App = await buildApp(
    createApiDeps(config, t.sql, t.client, {
      codec: t.codec,
      now: async () => (await t.now()).getTime(),
      ...(opts.policies ? { policies: opts.policies } : {}),
    }),
    opts.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  );
  const keys: Record<As, string> = {};
  for (const [name, spec] of Object.entries(devApiKeySpecs())) keys[name] = await createApiKey(t.sql, spec);

  const call = (method: InjectOptions['method'], url: string, as: As | undefined, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: as ? { authorization: `Bearer ${keys[as] ?? as}` } : {},
      ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    });
  return {
    t,
    app,
    config,
    keys,
    get: (url: string, as?: As) => call('GET', url, as),
    post: (url: string, as: As | undefined, body?: unknown) => call('POST', url, as, body),
    put: (url: string, as: As | undefined, body?: unknown) => call('PUT', url, as, body),
    async close() {
      await app.close();
      await t.close();
    },
  };
}
export type ApiEnv = Awaited<ReturnType<typeof createApiEnv>>;

/** `/v1/reports/<id percent-encoded>[/<step>]`. */
export const reportUrl = (id: string, step?: string): string =>
  `/v1/reports/${encodeURIComponent(id)}${step ? `/${step}` : ''}`;

let counter = 0;
/** A valid intake body from the 12345 hotline, unique per call unless `externalId` is given. */
export function anIntakeBody(overrides: Partial<IntakeBody> = {}): IntakeBody {
  counter += 1;
  return {
    channel: 'hotline_12345',
    externalId: `GD${process.pid}-${counter}-${randomBytes(3).toString('hex')}`,
    receivedAt: '2026-11-23T01:30:00.000Z',
    description: '某仓库内违规存放大量电动自行车电池并在楼道充电',
    location: { address: '浦兴路街道某路100号', district: '浦东新区', street: '浦兴路街道' },
    reporter: { anonymous: true },
    ...overrides,
  };
}

export const MONDAY_MORNING = '2026-11-23T01:30:00Z';

/**
 * Through the API, as the people who do it: an ordinary substantiated hazard accepted, assigned to
 * unit A, verified, rectified (with `fineFen` when given), answered and rated satisfied, and the
 * anonymous reporter's claim made (unless `claim: false`) — the report ends `reward_pending`.
 */
export async function handleToRewardThroughApi(
  api: ApiEnv,
  id: string,
  claimCode: string,
  opts: { fineFen?: number; claim?: boolean } = {},
): Promise<void> {
  const step = async (path: string, as: As, body?: unknown) => {
    const res = await api.post(reportUrl(id, path), as, body);
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
  };
  await step('accept-report', 'dispatcher', { urgency: 'general', category: 'fire', domain: 'e_bikes' });
  await step('assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
  await step('start-verification', 'handler:unit-a');
  await step('submit-verification', 'handler:unit-a', {
    outcome: 'substantiated',
    findings: '楼道内违规充电属实',
    hazardsFound: 1,
    majorHazard: false,
    illegalActivity: true,
  });
  await step('order-rectification', 'handler:unit-a', {
    measures: opts.fineFen ? ['order_rectification', 'administrative_penalty'] : ['order_rectification'],
    ...(opts.fineFen
      ? { fineFen: opts.fineFen, penaltyDecision: { number: '浦应急罚〔2026〕1号', decidedOn: '2026-11-20' } }
      : {}),
    dueAt: new Date(Date.parse(MONDAY_MORNING) + 10 * 86_400_000).toISOString(),
  });
  await step('report-rectification', 'handler:unit-a', { summary: '已清理电池，停止楼道充电' });
  await step('give-feedback', 'handler:unit-a', { summary: '已核查处理' });
  await step('record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
  if (opts.claim ?? true)
    await step('claim-reward', 'intake', {
      claimCode,
      payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
    });
}
