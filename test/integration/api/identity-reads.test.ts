import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/**
 * A reporter's identity is opened only by those who must contact or pay them, each time for a
 * stated reason, and each opening is in the append-only audit log before the answer leaves.
 */
const REPORTER = { anonymous: false, name: '司马青云', phone: '13857240091', idNumber: '310101199001011234' };
const PROBLEM = 'https://bihuan.dev/problems/';

describe('reading a reporter’s identity', () => {
  let api: ApiEnv;
  let named: string;
  let anonymous: string;
  const audits = async () =>
    api.t.sql<
      { actor_id: string; actor_role: string; purpose: string; report_id: string; request_id: string }[]
    >`
      select actor_id, actor_role, purpose, report_id, request_id from identity_reads order by id`;

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    named = (await api.post('/v1/reports', 'intake', anIntakeBody({ reporter: REPORTER }))).json().id;
    anonymous = (await api.post('/v1/reports', 'intake', anIntakeBody())).json().id;
    for (const id of [named, anonymous]) {
      const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
      expect((await api.post(reportUrl(id, 'accept-report'), 'dispatcher', accept)).statusCode).toBe(200);
      const assign = { unitId: 'unit-a', routing: 'rule' };
      expect((await api.post(reportUrl(id, 'assign-report'), 'dispatcher', assign)).statusCode).toBe(200);
    }
  });
  afterAll(() => api?.close());

  const read = (id: string, as: string, query = 'purpose=feedback_contact') =>
    api.get(`${reportUrl(id)}/reporter${query ? `?${query}` : ''}`, as);

  it('never shows the identity in the report itself, only a vault reference', async () => {
    const body = (await api.get(reportUrl(named), 'supervisor')).body;
    for (const secret of [REPORTER.name, REPORTER.phone, REPORTER.idNumber])
      expect(body).not.toContain(secret);
    expect(body).toMatch(/"vaultRef":"vault:/);
  });

  it('opens it for each role that contacts or pays the reporter, and logs who, why and which request', async () => {
    const readers = ['dispatcher', 'handler:unit-a', 'reward_proposer', 'reward_approver', 'finance'];
    const before = (await audits()).length;
    for (const as of readers) {
      const res = await read(named, as, 'purpose=reward_payment&note=%E5%8F%91%E6%94%BE');
      expect(res.statusCode, `${as}: ${res.body}`).toBe(200);
      expect(res.json()).toEqual({ ...REPORTER, otherReports: [] });
      const last = (await audits()).at(-1)!;
      expect(last).toMatchObject({
        actor_id: `dev-${as.replace(':', '-')}`,
        actor_role: as.replace(/:.*/, ''),
        purpose: 'reward_payment',
        report_id: named,
        request_id: res.headers['x-request-id'],
      });
    }
    expect((await audits()).length).toBe(before + readers.length);
  });

  it('refuses everyone else, another unit as if the report did not exist, and a read without a reason; none of it is logged', async () => {
    const before = (await audits()).length;
    for (const as of ['intake', 'reviewer', 'supervisor', 'admin']) {
      const res = await read(named, as);
      expect(res.statusCode, as).toBe(403);
      expect(res.json().type).toBe(`${PROBLEM}not-allowed`);
    }
    expect((await read(named, 'handler:unit-b')).statusCode).toBe(404);
    const unexplained = await read(named, 'dispatcher', '');
    expect([unexplained.statusCode, unexplained.json().type]).toEqual([400, `${PROBLEM}invalid-input`]);
    expect((await read(named, 'dispatcher', 'purpose=curiosity')).statusCode).toBe(400);
    expect((await audits()).length).toBe(before);
  });

  it('has nothing to reveal of an anonymous reporter, and logs nothing', async () => {
    const before = (await audits()).length;
    const res = await read(anonymous, 'dispatcher');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ anonymous: true });
    expect((await audits()).length).toBe(before);
  });

  it('lets supervisors and admins page through the log; nobody can change or erase it', async () => {
    const all = await api.get(
      `/v1/audit/identity-reads?reportId=${encodeURIComponent(named)}&limit=3`,
      'supervisor',
    );
    expect(all.statusCode, all.body).toBe(200);
    const page = all.json<{ items: { id: number; purpose: string }[]; nextBefore: number | null }>();
    expect(page.items).toHaveLength(3);
    expect(page.items[0]!.id).toBeGreaterThan(page.items[2]!.id);
    const next = await api.get(`/v1/audit/identity-reads?before=${page.nextBefore}`, 'admin');
    expect(next.json().items.length).toBe(2);
    expect((await api.get('/v1/audit/identity-reads', 'dispatcher')).statusCode).toBe(403);
    await expect(api.t.sql`update identity_reads set purpose = 'x'`).rejects.toThrow(/append-only/);
    await expect(api.t.sql`delete from identity_reads`).rejects.toThrow(/append-only/);
  });
});
