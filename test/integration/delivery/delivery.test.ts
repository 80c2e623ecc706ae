import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDemoDistrict, seedDistrict } from '../../../api/directory/repository.js';
import { createRelay, type Relay } from '../../../delivery/relay.js';
import type { DeliveryConfig } from '../../../infra/config.js';
import { createLogger } from '../../../infra/logger.js';
import { KeyRing } from '../../../infra/vault.js';
import { anIntakeBody, createApiEnv, reportUrl, type ApiEnv } from '../../support/api-env.js';
import { partsOf, startHttpReceiver, startSmtpReceiver, type Receiver } from '../../support/receivers.js';
import { HOUR } from '../../support/report-env.js';

/**
 * Delivering the outbox on real servers: the API, the worker and the time-skipping Temporal server
 * make the notifications; the relay sends them to a local hotline webhook, a local SMS gateway and
 * a local SMTP server. Nothing is lost, nothing is processed twice, and nothing about a reporter
 * leaves the vault except the phone, to the SMS gateway alone.
 */
const CANARY_NAME = 'CANARY举报人';
const CANARY_PHONE = '13912345678';

describe('delivering the outbox', () => {
  let api: ApiEnv;
  let hotline: Receiver;
  let gateway: Receiver;
  let smtp: Receiver;
  const secrets = [1, 2].map(() => `whsec_${randomBytes(24).toString('base64')}`);
  const logLines: string[] = [];
  const log = createLogger(
    'info',
    { process: 'test' },
    { write: (line: string) => void logLines.push(line) },
  );

  beforeAll(async () => {
    [hotline, gateway, smtp] = await Promise.all([
      startHttpReceiver(),
      startHttpReceiver(),
      startSmtpReceiver(),
    ]);
    api = await createApiEnv({
      log,
      env: {
        DELIVERY_WEBHOOKS: JSON.stringify({ hotline_12345: { url: `${hotline.url}/bihuan`, secrets } }),
        SMTP_URL: smtp.url,
        MAILBOX_SUPERVISORS: 'anweiban@example.gov.cn',
        MAILBOX_DISPATCH_CENTRE: 'zhihui@example.gov.cn',
        SMS_GATEWAY_URL: `${gateway.url}/sms/send`,
        SMS_GATEWAY_AUTH: 'Authorization: Bearer gateway-token',
      },
    });
    await seedDistrict(api.t.sql, loadDemoDistrict());
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all([hotline, gateway, smtp].map((r) => r?.close()));
  });

  const relayWith = (overrides: Partial<DeliveryConfig> = {}): Relay =>
    createRelay({
      sql: api.t.sql,
      config: { ...api.config.delivery, ...overrides },
      vault: new KeyRing(api.config.vaultKeys),
      log,
    });
  /** Plans, then attempts every delivery due now, once. */
  const drain = async (relay: Relay) => {
    await relay.plan();
    while (await relay.deliverOne());
  };
  const deliveriesOf = (ids: string[]) =>
    api.t.sql<{ id: string; channel: string; idempotency_key: string; status: string; attempts: number }[]>`
      select d.id::text, d.channel, d.idempotency_key, d.status, d.attempts
      from notification_deliveries d join notification_outbox o on o.id = d.outbox_id
      where o.report_id in ${api.t.sql(ids)} and d.status <> 'skipped' order by d.id`;
  const fileNamed = async () => {
    const body = anIntakeBody({ reporter: { anonymous: false, name: CANARY_NAME, phone: CANARY_PHONE } });
    const { id } = (await api.post('/v1/reports', 'intake', body)).json<{ id: string }>();
    const rejected = await api.post(reportUrl(id, 'reject-report'), 'dispatcher', {
      reason: '不属于安全生产举报受理范围',
    });
    expect(rejected.statusCode).toBe(200);
    return { id, externalId: body.externalId };
  };

  it('a report’s life: the rejection by SMS (the phone from the vault) and by signed webhook, the 函告 by e-mail to the section chief', async () => {
    const named = await fileNamed();
    const anonymous = (await api.post('/v1/reports', 'intake', anIntakeBody())).json<{ id: string }>().id;
    const accept = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
    expect((await api.post(reportUrl(anonymous, 'accept-report'), 'dispatcher', accept)).statusCode).toBe(
      200,
    );
    const assign = { unitId: 'unit-a', routing: 'rule' };
    expect((await api.post(reportUrl(anonymous, 'assign-report'), 'dispatcher', assign)).statusCode).toBe(
      200,
    );
    // Nobody signs for the assignment: its ladder climbs to 函告, to the unit's section chief.
    await api.t.skip(3 * 24 * HOUR);
    await vi.waitFor(
      async () => {
        const [row] = await api.t.sql<{ n: number }[]>`
          select count(*)::int as n from notification_outbox
          where report_id = ${anonymous} and kind = 'escalated' and payload ->> 'rung' = 'circular'
            and recipient ->> 'level' = 'section_chief'`;
        expect(row!.n).toBe(1);
      },
      { timeout: 20_000, interval: 200 },
    );
    await drain(relayWith());

    const sms = gateway.arrivals.map(partsOf).filter((a) => a.json.templateId === 'BIHUAN_REJECTION');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.path).toBe('/sms/send');
    expect(sms[0]!.json).toMatchObject({
      to: CANARY_PHONE,
      params: { ticket: named.externalId, reason: '不属于安全生产举报受理范围' },
    });
    expect(gateway.arrivals[0]!.headers).toMatchObject({ authorization: 'Bearer gateway-token' });

    const hook = hotline.arrivals.find((a) => partsOf(a).json.type === 'report.rejection_notice')!;
    const { raw, json } = partsOf(hook);
    // Either secret verifies it: a receiver rotating its secret accepts both meanwhile.
    for (const secret of secrets)
      expect(new Webhook(secret).verify(raw, hook.headers as Record<string, string>)).toMatchObject({
        data: {
          reportId: named.id,
          channel: 'hotline_12345',
          externalId: named.externalId,
          event: 'rejection_notice',
        },
      });
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(
        raw,
        hook.headers as Record<string, string>,
      ),
    ).toThrow();
    expect((json.data as { outcome: unknown }).outcome).toEqual({ reason: '不属于安全生产举报受理范围' });

    // 受理告知 of the anonymous report: to its hotline; to the reporter only through the status page.
    const accepted = hotline.arrivals.map(partsOf).filter((a) => a.json.type === 'report.acceptance_notice');
    expect(accepted.map((a) => (a.json.data as { reportId: string }).reportId)).toContain(anonymous);
    const [skipped] = await api.t.sql<{ status: string; last_error: string }[]>`
      select d.status, d.last_error from notification_deliveries d join notification_outbox o on o.id = d.outbox_id
      where o.report_id = ${anonymous} and o.kind = 'acceptance_notice' and d.destination = 'reporter:anonymous'`;
    expect(skipped).toEqual({
      status: 'skipped',
      last_error: 'anonymous: reached through the claim-code status page',
    });

    const mails = await Promise.all(
      smtp.arrivals.map(async (m) => ({ to: m.headers.to, mail: await simpleParser(m.body) })),
    );
    const circular = mails.filter(
      (m) => m.to === 'unit-a.chief@example.gov.cn' && m.mail.text?.includes('circular'),
    );
    expect(circular).toHaveLength(1);
    expect(circular[0]!.mail.subject).toContain('督办通知');
    expect(circular[0]!.mail.messageId).toMatch(/^<msg_[A-Za-z0-9_-]{32}@bihuan>$/);

    // Opening the phone is on the record, like any identity read.
    const reads = await api.t.sql`select actor_id, purpose from identity_reads where report_id = ${named.id}`;
    expect(reads).toEqual([{ actor_id: 'bihuan-delivery', purpose: 'notification' }]);

    // The canary: the name and the phone appear in no table, no webhook, no e-mail and no log line.
    const tables = await api.t.sql<{ dump: string }[]>`
      select (select coalesce(json_agg(o), '[]')::text from notification_outbox o)
          || (select coalesce(json_agg(d), '[]')::text from notification_deliveries d)
          || (select coalesce(json_agg(a), '[]')::text from delivery_attempts a)
          || (select coalesce(json_agg(i), '[]')::text from identity_reads i) as dump`;
    const seen = [
      tables[0]!.dump,
      ...hotline.arrivals.map((a) => a.body),
      ...mails.map((m) => `${m.mail.subject ?? ''}\n${m.mail.text ?? ''}`),
      ...logLines,
    ].join('\n');
    expect(seen).not.toContain(CANARY_PHONE);
    expect(seen).not.toContain('CANARY');
    expect(logLines.some((l) => l.includes('"msg":"delivered"'))).toBe(true);
  });

  it('a receiver down for a while, then up, gets every message once by idempotency key', async () => {
    const reports = [await fileNamed(), await fileNamed(), await fileNamed()];
    const ids = reports.map((r) => r.id);
    const relay = relayWith({ maxAttempts: 10, backoffMs: 50, backoffMaxMs: 200 });
    hotline.mode = gateway.mode = 'down';
    await drain(relay);
    const failed = await deliveriesOf(ids);
    // Each tried at least once (a busy machine may try some twice within the backoff), none given up.
    expect(failed.map((d) => [d.channel, d.status, d.attempts >= 1])).toEqual(
      ids.flatMap(() => [
        ['webhook', 'pending', true],
        ['sms', 'pending', true],
      ]),
    );
    hotline.mode = gateway.mode = 'up';
    await vi.waitFor(
      async () => {
        await drain(relay);
        expect((await deliveriesOf(ids)).every((d) => d.status === 'delivered')).toBe(true);
      },
      { timeout: 20_000, interval: 100 },
    );
    for (const d of await deliveriesOf(ids)) {
      const receiver = d.channel === 'webhook' ? hotline : gateway;
      expect(receiver.arrivals.filter((a) => a.key === d.idempotency_key)).toHaveLength(1);
    }
    const attempts = await api.t.sql<{ outcomes: string[] }[]>`
      select array_agg(a.outcome order by a.attempt) as outcomes
      from delivery_attempts a join notification_deliveries d on d.id = a.delivery_id
      join notification_outbox o on o.id = d.outbox_id
      where o.report_id in ${api.t.sql(ids)} group by a.delivery_id`;
    expect(attempts.every((a) => a.outcomes[0] === 'failed' && a.outcomes.at(-1) === 'delivered')).toBe(true);
  });

  it('one permanently down ends in dead letters, which an admin lists and re-drives once it is back', async () => {
    const { id } = await fileNamed();
    const relay = relayWith({ maxAttempts: 2, backoffMs: 10, backoffMaxMs: 20 });
    hotline.mode = gateway.mode = 'down';
    await vi.waitFor(
      async () => {
        await drain(relay);
        expect((await deliveriesOf([id])).map((d) => d.status)).toEqual(['dead', 'dead']);
      },
      { timeout: 20_000, interval: 50 },
    );
    const listed = await api.get(`/v1/deliveries?reportId=${encodeURIComponent(id)}`, 'admin');
    expect(listed.statusCode).toBe(200);
    const dead = listed.json<{
      items: { id: string; status: string; attempts: number; lastError: string }[];
    }>().items;
    expect(dead.map((d) => [d.status, d.attempts])).toEqual([
      ['dead', 2],
      ['dead', 2],
    ]);
    expect(dead[0]!.lastError).toMatch(/answered 503/);
    expect((await api.get('/v1/deliveries', 'supervisor')).statusCode).toBe(403);

    hotline.mode = gateway.mode = 'up';
    for (const d of dead) {
      const res = await api.post(`/v1/deliveries/${d.id}/redrive`, 'admin');
      expect(res.json()).toEqual({ id: d.id, status: 'pending' });
      expect((await api.post(`/v1/deliveries/${d.id}/redrive`, 'admin')).statusCode).toBe(409);
    }
    expect((await api.post('/v1/deliveries/999999999/redrive', 'admin')).statusCode).toBe(404);
    await drain(relay);
    expect((await deliveriesOf([id])).map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });
});
