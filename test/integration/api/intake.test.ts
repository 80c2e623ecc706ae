import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createApiDeps } from '../../../api/app.js';
import { hashClaimCode } from '../../../api/reports/claim-code.js';
import { readReporter } from '../../../api/identity/reporter-vault.js';
import { loadConfig } from '../../../infra/config.js';
import { createLogger } from '../../../infra/logger.js';
import { KeyRing } from '../../../infra/vault.js';
import type { IntakeResponse } from '../../../api/reports/intake-schema.js';
import { getReportQuery } from '../../../workflows/messages.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

const NAMED = {
  anonymous: false,
  name: '欧阳振华',
  phone: '13912345678',
  idNumber: '31011519800101123X',
} as const;

describe('POST /v1/reports: intake, exactly once per (channel, externalId)', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => api?.close());

  const handleOf = (id: string) => api.t.client.workflow.getHandle(id);
  const startedEvents = async (id: string) =>
    (await handleOf(id).fetchHistory()).events?.filter((e) => e.workflowExecutionStartedEventAttributes)
      .length;

  it('starts the report’s workflow and answers 201 with its id, status URL and the anonymous reporter’s claim code', async () => {
    const body = anIntakeBody({ urgency: 'emergency', category: 'fire', domain: 'e_bikes' });
    const res = await api.post('/v1/reports', 'intake', body);
    expect(res.statusCode).toBe(201);
    const answer = res.json<Required<IntakeResponse>>();
    expect(answer).toEqual({
      id: `report:hotline_12345:${body.externalId}`,
      statusUrl: reportUrl(answer.id),
      claimCode: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/),
    });
    expect(res.headers.location).toBe(answer.statusUrl);

    const view = await handleOf(answer.id).query(getReportQuery);
    expect(view.stage).toEqual({ name: 'received' });
    expect(view.intake).toMatchObject({
      urgencyHint: 'emergency',
      categoryHint: 'fire',
      domainHint: 'e_bikes',
    });
    // the workflow holds the claim code's hash only, and never shows even that
    expect(view.reporter).toEqual({ kind: 'anonymous' });
    expect(JSON.stringify(view)).not.toContain(hashClaimCode(answer.claimCode));
    // the code as a citizen types it (lower case, spaces) hashes the same
    expect(hashClaimCode(answer.claimCode.toLowerCase().replaceAll('-', ' '))).toBe(
      hashClaimCode(answer.claimCode),
    );
    expect((await api.get(answer.statusUrl, 'intake')).json().stage).toEqual({ name: 'received' });
  });

  it('answers a repeat of (channel, externalId) with 200 and the same body, and starts nothing', async () => {
    const body = anIntakeBody();
    const first = await api.post('/v1/reports', 'intake', body);
    const handle = handleOf(first.json<IntakeResponse>().id);
    const before = await handle.describe();

    // the same body with its keys in another order is the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await api.post('/v1/reports', 'intake', reordered);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const after = await handle.describe();
    expect(after.runId).toBe(before.runId);
    expect(await startedEvents(first.json<IntakeResponse>().id)).toBe(1);
  });

  it('starts one workflow for 20 identical requests arriving at once, and gives all of them the same answer', async () => {
    const body = anIntakeBody();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post('/v1/reports', 'intake', body)),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(19);
    const bodies = answers.map((a) => a.json<Required<IntakeResponse>>());
    for (const b of bodies) expect(b).toEqual(bodies[0]);

    const id = bodies[0]!.id;
    expect(await startedEvents(id)).toBe(1);
    const rows = await api.t.sql`select started_at from intake_requests where report_id = ${id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.started_at).not.toBeNull();
    // the report holds the hash of the one claim code every answer gave (never shown by the view)
    const [ref] = await api.t.sql<{ reporter_ref: unknown }[]>`
      select reporter_ref from intake_requests where report_id = ${id}`;
    expect(ref!.reporter_ref).toEqual({
      kind: 'anonymous',
      claimCodeHash: hashClaimCode(bodies[0]!.claimCode),
    });
    expect((await handleOf(id).query(getReportQuery)).reporter).toEqual({ kind: 'anonymous' });
  });

  it('refuses the same (channel, externalId) with another body: 409 intake-conflict, the first report untouched', async () => {
    const body = anIntakeBody();
    const first = await api.post('/v1/reports', 'intake', body);
    const res = await api.post('/v1/reports', 'intake', { ...body, description: '另一件事' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: 'https://bihuan.dev/problems/intake-conflict',
      status: 409,
      instance: '/v1/reports',
    });
    const view = await handleOf(first.json<IntakeResponse>().id).query(getReportQuery);
    expect(view.intake.description).toBe(body.description);
  });

  it('keeps a named reporter’s identity out of Temporal and out of the database in clear, sealed in the vault', async () => {
    const body = anIntakeBody({ reporter: NAMED });
    const res = await api.post('/v1/reports', 'intake', body);
    expect(res.statusCode).toBe(201);
    expect(res.json().claimCode).toBeUndefined();
    const id = res.json<IntakeResponse>().id;
    const view = await handleOf(id).query(getReportQuery);
    expect(view.reporter).toEqual({
      kind: 'named',
      vaultRef: expect.stringMatching(/^vault:[0-9a-f-]{36}$/),
    });
    await expect
      .poll(async () => (await api.t.sql`select 1 from reports where report_id = ${id}`).length)
      .toBe(1);

    const history = JSON.stringify(await handleOf(id).fetchHistory());
    for (const secret of [NAMED.name, NAMED.phone, NAMED.idNumber]) {
      expect(history).not.toContain(secret);
      expect(history).not.toContain(Buffer.from(secret).toString('base64'));
    }
    const tables = await api.t.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public'`;
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await api.t.sql`select t::text as row from ${api.t.sql(table_name)} t`);
      for (const secret of [NAMED.name, NAMED.phone, NAMED.idNumber])
        expect(dump, table_name).not.toContain(secret);
    }
    const vault = new KeyRing(api.config.vaultKeys);
    const ref = view.reporter.kind === 'named' ? view.reporter.vaultRef : '';
    expect(await readReporter(api.t.sql, vault, ref)).toEqual({
      name: NAMED.name,
      phone: NAMED.phone,
      idNumber: NAMED.idNumber,
    });
    // the key is needed: another key opens nothing
    const otherKey = new KeyRing([{ id: 'test', key: Buffer.alloc(32, 7) }]);
    await expect(readReporter(api.t.sql, otherKey, ref)).rejects.toThrow();
  });

  it('refuses a malformed report with 400 invalid-input naming the field, and starts nothing', async () => {
    const body = anIntakeBody({ location: { address: '', district: '浦东新区' } });
    const res = await api.post('/v1/reports', 'intake', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      type: 'https://bihuan.dev/problems/invalid-input',
      errors: [expect.objectContaining({ path: 'body/location/address' })],
    });
    const rows = await api.t.sql`select 1 from intake_requests where external_id = ${body.externalId}`;
    expect(rows).toHaveLength(0);
  });

  it('limits intake per client: past INTAKE_RATE_LIMIT a minute it answers 429 rate-limited with Retry-After', async () => {
    const config = loadConfig({ ...envOf(api), INTAKE_RATE_LIMIT: '2' });
    const limited = await buildApp(createApiDeps(config, api.t.sql, api.t.client), createLogger('silent'));
    const post = (as: string) =>
      limited.inject({
        method: 'POST',
        url: '/v1/reports',
        headers: { authorization: `Bearer ${api.keys[as]}` },
        payload: anIntakeBody(),
      });
    expect((await post('intake')).statusCode).toBe(201);
    expect((await post('intake')).statusCode).toBe(201);
    const res = await post('intake');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ type: 'https://bihuan.dev/problems/rate-limited', status: 429 });
    await limited.close();
  });
});

/** The settings the env's app was built with, as environment variables. */
function envOf(api: ApiEnv): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    TEMPORAL_TASK_QUEUE: api.t.taskQueue,
    BIHUAN_VAULT_KEYS: api.config.vaultKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
  };
}
