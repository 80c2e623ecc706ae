import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anIntake } from '../../support/reports.js';
import { createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * A request never waits forever for a report: every query and step the API sends to Temporal has a
 * deadline (API_TEMPORAL_TIMEOUT_MS). A report whose worker is gone — here, one started on a task
 * queue no worker polls — answers 503 `timeout` with Retry-After, and the API goes on answering.
 */
describe('the API’s deadline on Temporal', () => {
  let api: ApiEnv;
  let id: string;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING, env: { API_TEMPORAL_TIMEOUT_MS: '1500' } });
    const intake = anIntake({ receivedAt: MONDAY_MORNING });
    id = `report:${intake.channel}:${intake.externalId}`;
    await api.t.client.workflow.start('reportWorkflow', {
      workflowId: id,
      taskQueue: 'no-worker-polls-this',
      args: [{ intake }],
    });
  });
  afterAll(() => api?.close());

  it('answers a read of a report no worker serves with 503 and Retry-After', async () => {
    const res = await api.get(reportUrl(id), 'dispatcher');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ type: 'https://bihuan.dev/problems/timeout', status: 503 });
  });

  it('answers a step on it the same way, and a retry with the same Idempotency-Key too', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const res = await api.app.inject({
        method: 'POST',
        url: reportUrl(id, 'accept-report'),
        headers: { authorization: `Bearer ${api.keys.dispatcher}`, 'idempotency-key': 'accept-1' },
        payload: { urgency: 'general', category: 'fire', domain: 'e_bikes' },
      });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    }
    expect((await api.get('/health')).statusCode).toBe(200);
  });
});
