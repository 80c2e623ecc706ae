import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDistrict, seedDistrict } from '../../../api/directory/repository.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';

/** The directory of the demo district, its admin endpoints, and routing by domain and locality. */
const PROBLEM = 'https://bihuan.dev/problems/';
const CONTACTS = {
  leaderInCharge: { name: '钱进', phone: '021-58000011' },
  sectionChief: { name: '孔明', phone: '021 5800 0012' },
  caseOfficer: { name: '曹操', phone: '13800000013' },
};

describe('the directory and routing', () => {
  let api: ApiEnv;
  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    expect(await seedDistrict(api.t.sql, loadDemoDistrict())).toBe(true);
    expect(await seedDistrict(api.t.sql, loadDemoDistrict())).toBe(false); // seeds once
  });
  afterAll(() => api?.close());

  const suggest = async (domain: string, street?: string) => {
    const q = `domain=${domain}&district=${encodeURIComponent('浦东新区')}${street ? `&street=${encodeURIComponent(street)}` : ''}`;
    return api.get(`/v1/routing/suggest?${q}`, 'dispatcher');
  };
  const suggested = async (domain: string, street?: string) =>
    (await suggest(domain, street)).json().unit?.id;

  it('lists the units with their contact sheet and the streets, to everyone who works reports', async () => {
    const units = await api.get('/v1/units', 'handler:unit-a');
    expect(units.statusCode).toBe(200);
    expect(units.json<{ id: string }[]>().map((u) => u.id)).toEqual([
      'unit-a',
      'unit-b',
      'unit-c',
      'unit-d',
      'unit-e',
    ]);
    expect(units.json()[0]).toMatchObject({
      name: '浦兴路街道办事处',
      district: '浦东新区',
      active: true,
      contacts: { leaderInCharge: { name: expect.any(String), phone: expect.any(String) } },
    });
    expect((await api.get('/v1/streets', 'reviewer')).json()).toHaveLength(6);
  });

  it('routes by the most specific rule: the street’s for the domain, then the district’s, then “other”', async () => {
    expect(await suggested('e_bikes', '浦兴路街道')).toBe('unit-a'); // street rule
    expect(await suggested('e_bikes', '川沙新镇')).toBe('unit-e'); // district rule for the domain
    expect(await suggested('gas', '金桥镇')).toBe('unit-b'); // the domain's district rule beats the street's "other"
    expect(await suggested('other', '金桥镇')).toBe('unit-c');
    const res = await suggest('special_equipment');
    expect(res.json()).toMatchObject({
      unit: { id: 'unit-d' },
      rule: { domain: 'special_equipment', unitId: 'unit-d' },
    });
    const nowhere = await api.get(
      `/v1/routing/suggest?domain=gas&district=${encodeURIComponent('黄浦区')}`,
      'dispatcher',
    );
    expect([nowhere.statusCode, nowhere.json().type]).toEqual([404, `${PROBLEM}no-routing-rule`]);
  });

  it('lets an admin edit units and rules, validated; nobody else', async () => {
    const unit = {
      name: '川沙新镇人民政府',
      kind: 'town_government',
      district: '浦东新区',
      contacts: CONTACTS,
    };
    const created = await api.app.inject({
      method: 'PUT',
      url: '/v1/units/unit-f',
      headers: { authorization: `Bearer ${api.keys.admin}` },
      payload: unit,
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({ id: 'unit-f', active: true });
    const put = (url: string, as: string, payload: unknown) =>
      api.app.inject({
        method: 'PUT',
        url,
        headers: { authorization: `Bearer ${api.keys[as]}` },
        payload: payload as object,
      });
    expect((await put('/v1/units/unit-f', 'supervisor', unit)).statusCode).toBe(403);
    const badPhone = { ...unit, contacts: { ...CONTACTS, caseOfficer: { name: '曹操', phone: 'call me' } } };
    expect((await put('/v1/units/unit-f', 'admin', badPhone)).json().type).toBe(`${PROBLEM}invalid-input`);
    expect((await put('/v1/units/Bad_Id', 'admin', unit)).statusCode).toBe(400);

    const rule = { domain: 'e_bikes', district: '浦东新区', street: '川沙新镇', unitId: 'unit-f' };
    const ruled = await put('/v1/routing-rules', 'admin', rule);
    expect(ruled.statusCode, ruled.body).toBe(200);
    expect(await suggested('e_bikes', '川沙新镇')).toBe('unit-f');
    const toNobody = await put('/v1/routing-rules', 'admin', { ...rule, unitId: 'unit-x' });
    expect([toNobody.statusCode, toNobody.json().type]).toEqual([409, `${PROBLEM}unknown-unit`]);
    const removed = await api.app.inject({
      method: 'DELETE',
      url: `/v1/routing-rules/${ruled.json().id}`,
      headers: { authorization: `Bearer ${api.keys.admin}` },
    });
    expect(removed.statusCode).toBe(204);
    expect(await suggested('e_bikes', '川沙新镇')).toBe('unit-e');
  });

  it('stops routing to a retired unit', async () => {
    const retire = await api.app.inject({
      method: 'PUT',
      url: '/v1/units/unit-e',
      headers: { authorization: `Bearer ${api.keys.admin}` },
      payload: {
        name: '区消防救援支队',
        kind: 'district_department',
        district: '浦东新区',
        contacts: CONTACTS,
        active: false,
      },
    });
    expect(retire.statusCode).toBe(200);
    expect(await suggested('e_bikes', '川沙新镇')).toBe('unit-b'); // falls back to the district's "other"
  });

  it('refuses to assign a report to a unit the directory does not have', async () => {
    const id = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
    expect((await api.post(reportUrl(id, 'accept-report'), 'dispatcher', accept)).statusCode).toBe(200);
    const wrong = await api.post(reportUrl(id, 'assign-report'), 'dispatcher', {
      unitId: 'unit-x',
      routing: 'manual',
    });
    expect([wrong.statusCode, wrong.json().type]).toEqual([409, `${PROBLEM}unknown-unit`]);
    const retired = await api.post(reportUrl(id, 'assign-report'), 'dispatcher', {
      unitId: 'unit-e',
      routing: 'manual',
    });
    expect(retired.statusCode).toBe(409);
    const right = await api.post(reportUrl(id, 'assign-report'), 'dispatcher', {
      unitId: 'unit-a',
      routing: 'rule',
    });
    expect(right.statusCode).toBe(200);
  });
});
