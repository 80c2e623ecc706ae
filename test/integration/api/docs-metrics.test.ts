import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepPath } from '../../../api/reports/step-routes.js';
import { PROBLEMS } from '../../../api/platform/problems.js';
import { REPORT_STEPS } from '../../../domain/report/step-inputs.js';
import { anIntakeBody, createApiEnv, reportUrl, type ApiEnv } from '../../support/api-env.js';

interface Operation {
  operationId?: string;
  security?: unknown;
  responses?: Record<string, { content?: Record<string, unknown> }>;
  requestBody: { content: Record<string, { schema: { required: string[]; properties: object } }> };
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

/** Every operation the API offers, as OpenAPI spells paths. */
const OPERATIONS = [
  'get /health',
  'get /ready',
  'post /v1/reports',
  'get /v1/reports/{id}',
  'get /v1/reports/{id}/timeline',
  ...REPORT_STEPS.map((s) => `post /v1/reports/{id}/${stepPath(s)}`),
];

describe('production manners: OpenAPI, metrics, request ids', () => {
  let api: ApiEnv;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    api = await createApiEnv({ log: pino({ level: 'info' }, sink) });
  });
  afterAll(() => api?.close());

  it('serves OpenAPI 3 at /docs/json, generated from the route schemas, listing every route', async () => {
    const res = await api.get('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDoc>();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`),
    );
    for (const op of OPERATIONS) expect(listed).toContain(op);

    const operations = listed.map((op) => {
      const [method, path] = op.split(' ') as [string, string];
      return { op, spec: doc.paths[path]![method]! };
    });
    const ids = operations.map((o) => o.spec.operationId).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op, spec } of operations) expect(Object.keys(spec.responses ?? {}), op).not.toHaveLength(0);

    // the step's body is the step input without `actor`; errors are problem documents
    const accept = doc.paths['/v1/reports/{id}/accept-report']!.post!;
    const body = accept.requestBody.content['application/json']!.schema;
    expect(body.required).toEqual(expect.arrayContaining(['urgency', 'category', 'domain']));
    expect(Object.keys(body.properties)).not.toContain('actor');
    expect(accept.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const status of ['400', '401', '403', '404', '409', '500', '503'])
      expect(Object.keys(accept.responses![status]!.content!), status).toEqual(['application/problem+json']);
    for (const kind of Object.keys(PROBLEMS)) expect(doc.info.description).toContain(`problems/${kind}`);

    // every reference resolves inside the document
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) {
      const target = ref
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
    expect((await api.get('/docs')).statusCode).toBeLessThan(400);
  });

  it('exposes Prometheus metrics at /metrics: request durations by method, route pattern and status', async () => {
    const { id } = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>();
    await api.get(reportUrl(id), 'dispatcher');
    await api.get(reportUrl('report:web:none'), 'dispatcher');
    const res = await api.get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/v1\/reports\/:id"[^}]*status_code="200"[^}]*\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/v1\/reports\/:id"[^}]*status_code="404"/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/reports",status_code="201"\}/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain(id); // the route pattern, never the URL
  });

  it('echoes x-request-id, or makes one, on every response, problem documents and log lines', async () => {
    const given = await api.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'hotline-42' },
    });
    expect(given.headers['x-request-id']).toBe('hotline-42');
    const made = await api.get('/v1/reports');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.json().requestId).toBe(made.headers['x-request-id']);
    const hostile = await api.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'a\u0001b'.repeat(100) },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const traced = await api.app.inject({
      method: 'GET',
      url: reportUrl('report:web:missing'),
      headers: { 'x-request-id': 'trace-me-7', authorization: `Bearer ${api.keys.dispatcher}` },
    });
    expect(traced.statusCode).toBe(404);
    const lines = logLines.filter((l) => l.requestId === 'trace-me-7');
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'request refused', 'request completed']);
    expect(JSON.stringify(logLines)).not.toContain(api.keys.dispatcher);
  });
});
