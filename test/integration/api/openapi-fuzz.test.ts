import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';
import {
  documentValidators,
  fuzzCredentials,
  runFuzz,
  type OpenApiDocument,
} from '../../support/openapi-fuzz.js';
import { stateFingerprint } from '../../support/state-fingerprint.js';

/**
 * Every operation of the OpenAPI document, asked by every role (and by nobody, and with a forged
 * token), with requests generated from the document — valid ones and broken ones — from a fixed
 * seed. The API must never answer 5xx, never a status the document does not declare for that
 * operation, never a content type it does not declare for that status; every error must be a
 * problem document and every JSON success in its declared schema; and a refused request must leave
 * the database and every report's history as they were. A failure prints the case; the same seed
 * reproduces it.
 */
const SEED = 20_261_201;

describe('the API answers what its OpenAPI document declares, whatever it is sent', () => {
  let api: ApiEnv;
  let doc: OpenApiDocument;
  const reportIds: string[] = [];
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    doc = (await api.get('/docs/json')).json<OpenApiDocument>();
    // Real reports at a few stages, so that generated requests reach the workflow too.
    for (let i = 0; i < 3; i += 1) {
      const res = await api.post('/v1/reports', 'intake', anIntakeBody());
      reportIds.push(res.json<{ id: string }>().id);
    }
    await api.post(reportUrl(reportIds[1]!, 'accept-report'), 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    await api.post(reportUrl(reportIds[2]!, 'accept-report'), 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    await api.post(reportUrl(reportIds[2]!, 'assign-report'), 'dispatcher', {
      unitId: 'unit-a',
      routing: 'rule',
    });
  });
  afterAll(() => api?.close());

  it(
    'finds no 5xx, nothing undeclared, nothing off its schema, no change made by a refusal',
    { timeout: 600_000 },
    async () => {
      const credentials = fuzzCredentials(api.keys);
      const { sent, statuses, findings, refusalsChecked } = await runFuzz({
        doc,
        seed: SEED,
        credentials,
        realValues: { id: reportIds, format: ['csv', 'xlsx', 'md', 'docx'], unitId: ['unit-a', 'unit-b'] },
        ...documentValidators(doc),
        fingerprint: () => stateFingerprint(api.t.sql, api.t.client, reportIds),
        send: async (c) => {
          const res = await api.app.inject({
            method: c.method as 'GET',
            url: c.url,
            headers: c.headers,
            ...(c.payload !== undefined ? { payload: c.payload } : {}),
          });
          return {
            status: res.statusCode,
            contentType: String(res.headers['content-type'] ?? ''),
            json: () => res.json(),
          };
        },
      });
      const summary = [...statuses.entries()].sort(([a], [b]) => a - b);
      console.log(
        `fuzz: ${sent} requests (${refusalsChecked} refusals checked for changes), statuses ${summary.map(([s, n]) => `${s}×${n}`).join(' ')}`,
      );
      expect(sent).toBeGreaterThan(300);
      expect(refusalsChecked).toBeGreaterThan(200);
      // The broken requests reached the routes, not only the authentication in front of them.
      expect(statuses.get(400) ?? 0).toBeGreaterThan(200);
      expect(findings.slice(0, 10)).toEqual([]);
    },
  );
});
