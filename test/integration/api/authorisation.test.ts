import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDistrict, seedDistrict } from '../../../api/directory/repository.js';
import { stepPath } from '../../../api/reports/step-routes.js';
import { REPORT_STEPS } from '../../../domain/report/step-inputs.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * Who may call what, as the domain's roles say (../shared/DESIGN.md): every endpoint against every
 * caller. A caller outside an endpoint's roles gets 403 and nothing else; a handler of another
 * unit gets 404, as if the report did not exist; nobody without credentials gets past 401.
 */
const CALLERS = [
  'intake',
  'dispatcher',
  'handler:unit-a',
  'handler:unit-b',
  'reviewer',
  'reward_proposer',
  'reward_approver',
  'finance',
  'supervisor',
  'admin',
] as const;
const EVERYONE = CALLERS.map((c) => c.replace(/:.*/, ''));

const MAY: Record<string, readonly string[]> = {
  'POST /v1/reports': ['intake'],
  'GET /v1/reports': EVERYONE.filter((r) => r !== 'intake'),
  'GET /v1/reports/:id': EVERYONE,
  'GET /v1/reports/:id/timeline': EVERYONE,
  'GET /v1/exports/reports.csv': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/exports/major-hazards.xlsx': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/reports/:id/case-write-up.md': ['dispatcher', 'supervisor', 'admin'],
  'GET /v1/reports/:id/reporter': ['dispatcher', 'handler', 'reward_proposer', 'reward_approver', 'finance'],
  'GET /v1/audit/identity-reads': ['supervisor', 'admin'],
  'GET /v1/statistics': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/statistics/trend': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/exports/statistics.csv': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/statistics/assessment': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/exports/assessment.xlsx': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/boards/overdue': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/boards/due': ['dispatcher', 'handler', 'reviewer', 'supervisor', 'admin'],
  'GET /v1/units': EVERYONE,
  'GET /v1/units/unit-a': EVERYONE,
  'DELETE /v1/routing-rules/:id': ['admin'],
  'GET /v1/streets': EVERYONE,
  'GET /v1/routing-rules': ['dispatcher', 'supervisor', 'admin'],
  'GET /v1/routing/suggest?domain=gas&district=%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA': [
    'dispatcher',
    'supervisor',
    'admin',
  ],
  'PUT /v1/units/unit-z': ['admin'],
  'PUT /v1/routing-rules': ['admin'],
  'POST /codec/encode': ['admin', 'supervisor'],
  'POST /codec/decode': ['admin', 'supervisor'],
  'GET /v1/deliveries': ['admin'],
  'GET /v1/feed': ['intake'],
  'POST /v1/policies/what-if': ['admin', 'supervisor'],
  'GET /v1/policies': ['admin', 'supervisor'],
  'POST /v1/policies/district-default/adopt': ['admin'],
  'GET /v1/calendars': ['admin', 'supervisor'],
  'PUT /v1/calendars/2030': ['admin'],
  'POST /v1/deliveries/1/redrive': ['admin'],
  'GET /dev/outbox': ['admin'],
  'accept-report': ['dispatcher'],
  'reject-report': ['dispatcher'],
  'assign-report': ['dispatcher'],
  'return-assignment': ['handler'],
  'dispute-assignment': ['handler'],
  'resolve-dispute': ['dispatcher'],
  'start-verification': ['handler'],
  'submit-verification': ['handler'],
  'order-rectification': ['handler'],
  'report-rectification': ['handler'],
  'review-rectification': ['reviewer'],
  'give-interim-reply': ['handler', 'dispatcher'],
  'give-feedback': ['handler', 'dispatcher'],
  'record-callback-unreachable': ['intake', 'dispatcher'],
  'record-satisfaction': ['intake', 'dispatcher'],
  'claim-reward': ['intake'],
  'propose-reward': ['reward_proposer'],
  'decide-reward': ['reward_approver'],
  'pay-reward': ['finance'],
  'withdraw-report': ['intake'],
  'close-withdrawn-report': ['dispatcher'],
  'refuse-return': ['dispatcher'],
  'acknowledge-assignment': ['handler'],
  'recall-report': ['dispatcher'],
  'merge-report': ['dispatcher'],
  'cancel-report': ['admin'],
  'request-extension': ['handler'],
  'decide-extension': ['dispatcher', 'supervisor'],
  'decide-pause': ['dispatcher', 'supervisor'],
  'request-support': ['dispatcher', 'handler'],
  'reply-to-lead': ['handler'],
  'supervise-report': ['supervisor', 'dispatcher'],
  'reply-to-supervision': ['handler', 'dispatcher'],
  'lift-listing': ['supervisor'],
  'record-interview': ['supervisor'],
  'pause-clock': ['handler', 'dispatcher'],
  'resume-clock': ['handler', 'dispatcher'],
};

/** Endpoints that are not about one report: a handler of another unit is not refused by existence there. */
const NOT_OF_ONE_REPORT = new Set([
  'POST /v1/reports',
  'GET /v1/deliveries',
  'GET /v1/feed',
  'POST /v1/policies/what-if',
  'GET /v1/policies',
  'POST /v1/policies/district-default/adopt',
  'GET /v1/calendars',
  'PUT /v1/calendars/2030',
  'POST /v1/deliveries/1/redrive',
  'GET /dev/outbox',
  'GET /v1/reports',
  'GET /v1/exports/reports.csv',
  'GET /v1/exports/major-hazards.xlsx',
  'GET /v1/audit/identity-reads',
  'GET /v1/statistics',
  'GET /v1/statistics/trend',
  'GET /v1/exports/statistics.csv',
  'GET /v1/statistics/assessment',
  'GET /v1/exports/assessment.xlsx',
  'GET /v1/boards/overdue',
  'GET /v1/boards/due',
  'POST /codec/encode',
  'POST /codec/decode',
  'GET /v1/units',
  'GET /v1/streets',
  'GET /v1/routing-rules',
  'GET /v1/routing/suggest?domain=gas&district=%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA',
  'PUT /v1/units/unit-z',
  'PUT /v1/routing-rules',
  'GET /v1/units/unit-a',
  'DELETE /v1/routing-rules/:id',
]);

describe('authorisation: every role against every endpoint', () => {
  let api: ApiEnv;
  let id: string;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    await seedDistrict(api.t.sql, loadDemoDistrict());
    // A dead letter (delivery 1) for the re-drive endpoint to find.
    const [outbox] = await api.t.sql<{ id: string }[]>`
      insert into notification_outbox (dedupe_key, report_id, kind, recipient, payload)
      values ('authorisation-test', 'report:hotline_12345:AUTH', 'escalated', '{"kind":"supervisors"}', '{}')
      returning id`;
    await api.t.sql`
      insert into notification_deliveries (id, outbox_id, channel, destination, idempotency_key, status)
      overriding system value
      values (1, ${outbox!.id}, 'email', 'mailbox:supervisors', 'msg_authorisation', 'dead')`;
    id = (await api.post('/v1/reports', 'intake', anIntakeBody())).json().id;
    const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
    expect((await api.post(reportUrl(id, 'accept-report'), 'dispatcher', accept)).statusCode).toBe(200);
    const assign = { unitId: 'unit-a', routing: 'rule' };
    expect((await api.post(reportUrl(id, 'assign-report'), 'dispatcher', assign)).statusCode).toBe(200);
  });
  afterAll(() => api?.close());

  /** Calls an endpoint as `as` with an empty body: enough to tell authorisation from validation. */
  const call = async (endpoint: string, as: string | undefined, report = id) => {
    if (endpoint === 'POST /v1/reports') return api.post('/v1/reports', as, {});
    if (endpoint === 'GET /v1/reports') return api.get('/v1/reports', as);
    if (endpoint === 'GET /v1/reports/:id') return api.get(reportUrl(report), as);
    if (endpoint === 'GET /v1/reports/:id/timeline') return api.get(`${reportUrl(report)}/timeline`, as);
    if (endpoint === 'GET /v1/reports/:id/case-write-up.md')
      return api.get(`${reportUrl(report)}/case-write-up.md`, as);
    if (endpoint === 'GET /v1/reports/:id/reporter')
      return api.get(`${reportUrl(report)}/reporter?purpose=feedback_contact`, as);
    if (endpoint.startsWith('GET /v1/')) return api.get(endpoint.slice('GET '.length), as);
    if (endpoint.startsWith('POST /codec/')) return api.post(endpoint.slice('POST '.length), as, {});
    if (endpoint.startsWith('POST /v1/deliveries/') || endpoint.startsWith('POST /v1/policies/'))
      return api.post(endpoint.slice('POST '.length), as, {});
    if (endpoint === 'GET /dev/outbox') return api.get('/dev/outbox', as);
    if (endpoint === 'DELETE /v1/routing-rules/:id') {
      const [rule] = await api.t.sql<{ id: string }[]>`select id from routing_rules order by id limit 1`;
      return api.app.inject({
        method: 'DELETE',
        url: `/v1/routing-rules/${rule!.id}`,
        headers: as ? { authorization: `Bearer ${api.keys[as] ?? as}` } : {},
      });
    }
    if (endpoint.startsWith('PUT '))
      return api.app.inject({
        method: 'PUT',
        url: endpoint.slice('PUT '.length),
        headers: as ? { authorization: `Bearer ${api.keys[as] ?? as}` } : {},
        payload: {},
      });
    return api.post(reportUrl(report, endpoint), as, {});
  };

  it('covers every step route', () => {
    expect(REPORT_STEPS.map(stepPath).sort()).toEqual(
      Object.keys(MAY)
        .filter((e) => !e.includes(' '))
        .sort(),
    );
  });

  it.each(Object.keys(MAY))('%s: only its roles get past authorisation', async (endpoint) => {
    const unauthenticated = await call(endpoint, undefined);
    expect(unauthenticated.statusCode).toBe(401);
    for (const caller of CALLERS) {
      const res = await call(endpoint, caller);
      const role = caller.replace(/:.*/, '');
      const why = `${caller} → ${endpoint}: ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (!MAY[endpoint]!.includes(role)) {
        expect(res.statusCode, why).toBe(403);
        expect(res.json().type, why).toBe('https://bihuan.dev/problems/not-allowed');
      } else if (caller === 'handler:unit-b' && !NOT_OF_ONE_REPORT.has(endpoint)) {
        // unit A's report does not exist for unit B: the answer is that of an unknown report
        const unknown = await call(endpoint, caller, 'report:hotline_12345:NO-SUCH-TICKET');
        expect([400, 404], why).toContain(res.statusCode);
        expect([res.statusCode, res.json().type, res.json().detail], why).toEqual([
          unknown.statusCode,
          unknown.json().type,
          unknown.json().detail,
        ]);
      } else {
        expect([401, 403, 404], why).not.toContain(res.statusCode);
      }
    }
  });

  it('authorises JWT callers by their role claim; refuses a handler token without a unit, and tokens without or past their expiry', async () => {
    const sign = (claims: object) => api.app.jwt.sign(claims);
    expect((await api.get(reportUrl(id), sign({ sub: 'zhang-wei', role: 'supervisor' }))).statusCode).toBe(
      200,
    );
    const asFinance = sign({ sub: 'zhang-wei', role: 'finance' });
    expect((await api.post(reportUrl(id, 'accept-report'), asFinance, {})).statusCode).toBe(403);
    expect(
      (await api.get(reportUrl(id), sign({ sub: 'wang-fang', role: 'handler', unitId: 'unit-a' })))
        .statusCode,
    ).toBe(200);
    expect((await api.get(reportUrl(id), sign({ sub: 'wang-fang', role: 'handler' }))).statusCode).toBe(401);
    expect((await api.get(reportUrl(id), sign({ sub: 'wang-fang', role: 'mayor' }))).statusCode).toBe(401);
    // tokens must expire, and expired ones open nothing
    const now = Math.floor(Date.now() / 1000);
    const hs256 = (payload: object) => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
      const mac = createHmac('sha256', api.config.jwtSecret!).update(unsigned).digest('base64url');
      return `${unsigned}.${mac}`;
    };
    const supervisor = { sub: 'zhang-wei', role: 'supervisor' };
    expect((await api.get(reportUrl(id), hs256({ ...supervisor, exp: now + 60 }))).statusCode).toBe(200);
    expect((await api.get(reportUrl(id), hs256(supervisor))).statusCode).toBe(401);
    expect((await api.get(reportUrl(id), hs256({ ...supervisor, exp: now - 60 }))).statusCode).toBe(401);
  });
});
