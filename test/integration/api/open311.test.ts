import { spawn } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDemoDistrict, seedDistrict } from '../../../api/directory/repository.js';
import { createApiEnv, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * The Open311 GeoReport v2 façade, following the specification's own examples
 * (http://wiki.open311.org/GeoReport_v2): its POST service request (every field of the example,
 * with our service code and an intake key), and its response shapes in JSON and XML — read back by
 * an existing client library, `georeport` from PyPI, unchanged.
 */
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** The spec's example request (POST Service Request), with a Bihuan service code and api key. */
const specExample = (apiKey: string, serviceCode = 'fire') => ({
  api_key: apiKey,
  jurisdiction_id: 'city.gov',
  service_code: serviceCode,
  lat: '37.76524078',
  long: '-122.4212043',
  address_string: '1234 5th street',
  email: 'smit222@sfgov.edu',
  device_id: 'tt222111',
  account_id: '123456',
  first_name: 'john',
  last_name: 'smith',
  phone: '111111111',
  description: 'A large sinkhole is destroying the street',
  media_url: 'http://test.com/image.jpg',
  'attribute[WHISPAWN]': '123456',
  'attribute[WHISDORN]': 'COISL001',
});

describe('Open311 GeoReport v2', () => {
  let api: ApiEnv;
  let base: string;
  beforeAll(async () => {
    api = await createApiEnv();
    await seedDistrict(api.t.sql, loadDemoDistrict());
    base = `${await api.app.listen({ host: '127.0.0.1', port: 0 })}/open311/v2`;
  });
  afterAll(() => api?.close());

  const post = (
    format: 'json' | 'xml',
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ) =>
    api.app.inject({
      method: 'POST',
      url: `/open311/v2/requests.${format}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: form(fields),
    });
  const xml = new XMLParser();

  /** Runs the georeport client against the façade (in a child process: the API answers meanwhile). */
  async function georeport(script: string): Promise<Record<string, unknown>> {
    const python = inject('open311Client');
    if ('missing' in python) throw new Error(`no Open311 client for this test: ${python.missing}`);
    const program = `import json, sys\nfrom georeport import GeoReport\nbase = sys.argv[1]\nout = {}\n${script}\nprint(json.dumps(out))`;
    const child = spawn(python.path, ['-c', program, base], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`georeport failed (${code}): ${stderr}`);
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('takes the spec’s example request, JSON and XML, on the same intake path (vault, idempotency)', async () => {
    const json = await post('json', specExample(api.keys.intake!), { 'idempotency-key': 'spec-example-1' });
    expect(json.statusCode).toBe(201);
    const [created] =
      json.json<{ service_request_id: string; service_notice: string; account_id: string }[]>();
    expect(created!.service_request_id).toMatch(/^open311:O311-[0-9a-f]{24}$/);
    // A retry with the same key is the same request; the vault has the named reporter.
    const again = await post('json', specExample(api.keys.intake!), { 'idempotency-key': 'spec-example-1' });
    expect([again.statusCode, again.json<{ service_request_id: string }[]>()[0]!.service_request_id]).toEqual(
      [200, created!.service_request_id],
    );
    // The same key with another body is a conflict, not a second report.
    const other = await post(
      'json',
      { ...specExample(api.keys.intake!), description: 'Another hazard entirely' },
      { 'idempotency-key': 'spec-example-1' },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json<{ code: number }[]>()[0]!.code).toBe(409);
    const view = (await api.get(reportUrl(`report:${created!.service_request_id}`), 'dispatcher')).json<{
      reporter: { kind: string };
      intake: { channel: string; categoryHint: string; location: { address: string; district: string } };
    }>();
    expect(view.reporter.kind).toBe('named');
    expect(view.intake).toMatchObject({
      channel: 'open311',
      categoryHint: 'fire',
      location: { address: '1234 5th street', district: '浦东新区' },
    });

    const asXml = await post('xml', { ...specExample(api.keys.intake!), phone: '' });
    expect(asXml.statusCode).toBe(201);
    expect(asXml.headers['content-type']).toMatch(/^text\/xml/);
    const parsed = xml.parse(asXml.body) as {
      service_requests: { request: { service_request_id: string; service_notice: string } };
    };
    // No phone: an anonymous reporter, told the claim code that opens the status page.
    const notice = parsed.service_requests.request.service_notice;
    const code = /认领码 (\S{19})/.exec(notice)?.[1];
    expect(code).toBeDefined();
    // The status page reads the read model, which the workflow projects a moment after intake.
    await expect
      .poll(async () => {
        const res = await api.app.inject({
          method: 'GET',
          url: `/status/${code}`,
          headers: { accept: 'application/json' },
        });
        return res.statusCode === 200 ? res.json<{ stage: string }>().stage : res.statusCode;
      })
      .toBe('received');
  });

  it('answers errors as the spec’s arrays, with its status codes, in JSON and XML', async () => {
    const forged = await post('json', specExample('bh_not-a-key'));
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toEqual([{ code: 403, description: 'api_key is not a valid intake key' }]);
    const notIntake = await post('xml', specExample(api.keys.dispatcher!));
    expect(notIntake.statusCode).toBe(403);
    expect(xml.parse(notIntake.body)).toEqual({
      '?xml': '',
      errors: { error: { code: 403, description: 'api_key is not a valid intake key' } },
    });
    const noService = await post('json', specExample(api.keys.intake!, '033'));
    expect([noService.statusCode, noService.json()]).toEqual([
      404,
      [{ code: 404, description: 'no service 033' }],
    ]);
    const { description: _d, ...withoutDescription } = specExample(api.keys.intake!);
    const missing = await post('json', withoutDescription);
    expect([missing.statusCode, missing.json()]).toEqual([
      400,
      [{ code: 400, description: 'description is required' }],
    ]);
    const unknown = await api.app.inject({ method: 'GET', url: '/open311/v2/requests/open311:NOPE.xml' });
    expect(unknown.statusCode).toBe(404);
    expect(xml.parse(unknown.body)).toMatchObject({ errors: { error: { code: 404 } } });
  });

  it('reads back with an existing client, unchanged: services, a definition, requests, one request — JSON and XML', async () => {
    const [created] = (await post('json', specExample(api.keys.intake!))).json<
      { service_request_id: string }[]
    >();
    const id = created!.service_request_id;
    await api.post(reportUrl(`report:${id}`, 'accept-report'), 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'fire_safety',
    });
    await api.post(reportUrl(`report:${id}`, 'assign-report'), 'dispatcher', {
      unitId: 'unit-a',
      routing: 'rule',
    });
    const out = (await georeport(`
for fmt in ('json', 'xml'):
    c = GeoReport(base, output_format=fmt)
    out[fmt] = {
        'services': c.get_service_list(),
        'definition': c.get_service_definition('fire'),
        'requests': c.get_service_requests(service_request_id='${id}'),
        'request': c.get_service_request('${id}'),
        'open': c.get_service_requests(status='open', service_code='fire'),
    }
`)) as Record<'json' | 'xml', Record<string, unknown>>;

    const services = out.json.services as { service_code: string; metadata: boolean; type: string }[];
    expect(services.map((s) => s.service_code)).toEqual([
      'production_safety',
      'fire',
      'special_equipment',
      'occupational_health',
      'other',
    ]);
    expect(services[1]).toMatchObject({ service_name: '消防安全', metadata: true, type: 'realtime' });
    // xmltodict reads every XML value as text; the same services, field for field.
    const xmlServices = out.xml.services as Record<string, string>[];
    expect(xmlServices.map((s) => s.service_code)).toEqual(services.map((s) => s.service_code));
    expect(xmlServices[1]).toMatchObject({ service_name: '消防安全', metadata: 'true', type: 'realtime' });

    const definition = out.json.definition as { attributes: { code: string; values?: { key: string }[] }[] };
    expect(definition.attributes.map((a) => a.code)).toEqual(['domain', 'urgency', 'district', 'street']);
    const xmlDefinition = out.xml.definition as {
      service_code: string;
      attributes: { attribute: { code: string; values?: { value: { key: string }[] } }[] };
    };
    expect(xmlDefinition.service_code).toBe('fire');
    expect(xmlDefinition.attributes.attribute.map((a) => a.code)).toEqual([
      'domain',
      'urgency',
      'district',
      'street',
    ]);
    expect(xmlDefinition.attributes.attribute[1]!.values!.value.map((v) => v.key)).toEqual([
      'general',
      'emergency',
      'accident',
    ]);

    const request = out.json.request as Record<string, string>;
    expect(request).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '已交办',
      service_code: 'fire',
      agency_responsible: '浦兴路街道办事处',
      description: '',
    });
    expect(request.address).not.toContain('1234 5th street'); // public: the street at most
    expect((out.xml.request as Record<string, string>).service_request_id).toBe(id);
    expect((out.json.requests as { service_request_id: string }[]).map((r) => r.service_request_id)).toEqual([
      id,
    ]);
    expect((out.json.open as { service_request_id: string }[]).map((r) => r.service_request_id)).toContain(
      id,
    );
  });

  it('serves the discovery document and tokens', async () => {
    const discovery = await api.app.inject({ method: 'GET', url: '/open311/v2/discovery.json' });
    expect(discovery.json()).toMatchObject({
      endpoints: [
        { specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['application/json', 'text/xml'] },
      ],
    });
    const discoveryXml = xml.parse(
      (await api.app.inject({ method: 'GET', url: '/open311/v2/discovery.xml' })).body,
    ) as {
      discovery: { endpoints: { endpoint: { formats: { format: string[] } } } };
    };
    expect(discoveryXml.discovery.endpoints.endpoint.formats.format).toEqual([
      'application/json',
      'text/xml',
    ]);
    const [created] = (await post('json', specExample(api.keys.intake!))).json<
      { service_request_id: string }[]
    >();
    const token = await api.app.inject({
      method: 'GET',
      url: `/open311/v2/tokens/${created!.service_request_id}.json`,
    });
    expect(token.json()).toEqual([
      { service_request_id: created!.service_request_id, token: created!.service_request_id },
    ]);
  });
  it('answers hostile input with a 4xx in the spec’s shape and files nothing', async () => {
    const before = await api.t.sql<{ n: number }[]>`select count(*)::int as n from intake_requests`;
    const key = api.keys.intake!;
    const cases: [string, Record<string, string>][] = [
      [
        'a prototype attribute',
        { ...specExample(key), 'attribute[__proto__]': 'x', 'attribute[urgency]': 'soon' },
      ],
      ['a description past 10,000 characters', { ...specExample(key), description: '隐'.repeat(10_001) }],
      ['a control character', { ...specExample(key), description: 'bad\u0000text' }],
      [
        'coordinates that are not numbers',
        { ...specExample(key), address_string: '', lat: 'north', long: 'x' },
      ],
      ['no place at all', { ...specExample(key), address_string: '', lat: '', long: '' }],
    ];
    for (const [what, fields] of cases) {
      const res = await post('json', fields);
      expect([what, res.statusCode], res.body).toEqual([what, 400]);
      expect(res.json<{ code: number }[]>()[0]!.code).toBe(400);
    }
    // Prototype keys are fields the spec does not know: ignored, and nothing is polluted.
    const prototype = await api.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${form(specExample(key))}&__proto__[polluted]=1&constructor[prototype][polluted]=1`,
    });
    expect(prototype.statusCode).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const repeated = await api.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${form(specExample(key))}&service_code=other&service_code=fire`,
    });
    expect(repeated.statusCode).toBeLessThan(500);
    for (const url of [
      '/open311/v2/requests.json?start_date=yesterday',
      '/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z',
      '/open311/v2/requests.json?status=pending',
      '/open311/v2/requests.json?api_key=forged',
      '/open311/v2/requests.yaml',
    ]) {
      const res = await api.app.inject({ method: 'GET', url });
      expect([url, res.statusCode >= 400 && res.statusCode < 500]).toEqual([url, true]);
    }
    const after = await api.t.sql<{ n: number }[]>`select count(*)::int as n from intake_requests`;
    // Only the two well-formed requests (with ignored extras) may have filed.
    expect(after[0]!.n - before[0]!.n).toBeLessThanOrEqual(2);
  });
});
