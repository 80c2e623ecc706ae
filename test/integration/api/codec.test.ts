import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, type ApiEnv } from '../../support/api-env.js';

/**
 * 双加密, the second layer: Temporal stores only ciphertext, and the codec server gives an
 * authorised operator's Web UI the clear payloads back.
 */
const DESCRIPTION = '化工厂储罐区有明显刺鼻气味，疑似泄漏';

describe('the payload codec and its codec server', () => {
  let api: ApiEnv;
  let id: string;
  /** The workflow's first payload (its input), as Temporal stores it. */
  let stored: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    id = (await api.post('/v1/reports', 'intake', anIntakeBody({ description: DESCRIPTION }))).json().id;
    // A client without the codec sees what Temporal's database holds.
    const raw = new Client({ connection: api.t.env.connection });
    const history = await raw.workflow.getHandle(id).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    stored = {
      metadata: Object.fromEntries(
        Object.entries(input.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(input.data!).toString('base64'),
    };
    const json = JSON.stringify(history);
    expect(json).not.toContain(DESCRIPTION);
  });
  afterAll(() => api?.close());

  it('stores every payload encrypted: the history holds neither the description nor a plain JSON payload', async () => {
    expect(Buffer.from(stored.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const raw = new Client({ connection: api.t.env.connection });
    const history = await raw.workflow.getHandle(id).fetchHistory();
    const encodings = new Set<string>();
    const visit = (node: unknown) => {
      if (!node || typeof node !== 'object') return;
      const p = node as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
      if (p.metadata?.encoding && p.data) encodings.add(Buffer.from(p.metadata.encoding).toString());
      for (const v of Object.values(node)) if (typeof v === 'object') visit(v);
    };
    for (const e of history.events ?? []) visit(e);
    expect([...encodings]).toEqual(['binary/encrypted']);
  });

  it('decodes for an administrator: the Web UI gets the clear payload back', async () => {
    const res = await api.post('/codec/decode', 'admin', { payloads: [stored] });
    expect(res.statusCode, res.body).toBe(200);
    const [clear] = res.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    expect(Buffer.from(clear!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(clear!.data, 'base64').toString()).toContain(DESCRIPTION);
    // encode → decode is the identity
    const encoded = (await api.post('/codec/encode', 'supervisor', { payloads: [clear] })).json();
    const again = (await api.post('/codec/decode', 'supervisor', encoded)).json();
    expect(again.payloads).toEqual([clear]);
  });

  it('is for administrators and supervisors only, and refuses garbage with a 400 problem', async () => {
    expect((await api.post('/codec/decode', undefined, { payloads: [stored] })).statusCode).toBe(401);
    expect((await api.post('/codec/decode', 'handler:unit-a', { payloads: [stored] })).statusCode).toBe(403);
    expect((await api.post('/codec/decode', 'dispatcher', { payloads: [stored] })).statusCode).toBe(403);
    const tampered = {
      ...stored,
      data: Buffer.from('nonsense-nonsense-nonsense-nonsense').toString('base64'),
    };
    const res = await api.post('/codec/decode', 'admin', { payloads: [tampered] });
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe('https://bihuan.dev/problems/invalid-input');
  });

  it('answers the Web UI’s CORS preflight from the configured origin only', async () => {
    const preflight = (origin: string) =>
      api.app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight('http://localhost:8233');
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // CORS is the codec server's only: the rest of the API sends no CORS headers.
    const list = await api.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'http://localhost:8233' },
    });
    expect(list.headers['access-control-allow-origin']).toBeUndefined();
  });
});
