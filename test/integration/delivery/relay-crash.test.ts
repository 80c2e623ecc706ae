import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../support/database.js';
import { spawnEntry, type Spawned } from '../../support/processes.js';
import { startSmtpReceiver, type Receiver } from '../../support/receivers.js';

/**
 * kill -9 of the delivery relay (`npm run deliver`) in the middle of a batch: the deliveries it
 * was sending stay pending (their transactions never committed) and the next relay sends them
 * again under the same idempotency key, so the receiver has every message and processes each once.
 */
const MESSAGES = 40;
const CONCURRENCY = 4;

describe('the delivery relay killed mid-batch', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: Receiver;
  const relays: Spawned[] = [];

  beforeAll(async () => {
    [db, smtp] = await Promise.all([createTestDatabase(), startSmtpReceiver()]);
    const rows = Array.from({ length: MESSAGES }, (_, i) => ({
      dedupe_key: `crash-${i}`,
      report_id: `report:hotline_12345:CRASH-${i}`,
      kind: 'escalated',
      recipient: db.sql.json({ kind: 'supervisors' }),
      payload: db.sql.json({ clock: 'acceptance', occurrence: 1, rung: 'circular' }),
    }));
    await db.sql`insert into notification_outbox ${db.sql(rows)}`;
  });
  afterAll(async () => {
    for (const r of relays) r.child.kill('SIGKILL');
    await smtp?.close();
    await db?.drop();
  });

  const startRelay = () => {
    const relay = spawnEntry('delivery/main.ts', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      BIHUAN_VAULT_KEYS: `test:${randomBytes(32).toString('base64')}`,
      SMTP_URL: smtp.url,
      MAILBOX_SUPERVISORS: 'anweiban@example.gov.cn',
      DELIVERY_POLL_MS: '50',
      DELIVERY_CONCURRENCY: String(CONCURRENCY),
      DELIVERY_BACKOFF_MS: '50',
    });
    relays.push(relay);
    return relay;
  };
  const statuses = () =>
    db.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from notification_deliveries group by status order by status`;

  it('loses nothing and processes nothing twice', async () => {
    smtp.delayMs = 100;
    const first = startRelay();
    await vi.waitFor(() => expect(smtp.arrivals.length).toBeGreaterThanOrEqual(10), {
      timeout: 60_000,
      interval: 20,
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const [{ n: deliveredBefore } = { n: 0 }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from notification_deliveries where status = 'delivered'`;
    expect(deliveredBefore).toBeLessThan(MESSAGES);

    const second = startRelay();
    await vi.waitFor(async () => expect(await statuses()).toEqual([{ status: 'delivered', n: MESSAGES }]), {
      timeout: 60_000,
      interval: 100,
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // Every message arrived; a repeat (a send in flight at the kill) came under the same key.
    expect(smtp.processed.size).toBe(MESSAGES);
    expect(smtp.repeats()).toBeLessThanOrEqual(CONCURRENCY);
    const keys = await db.sql<
      { idempotency_key: string }[]
    >`select idempotency_key from notification_deliveries`;
    expect(new Set(keys.map((k) => k.idempotency_key))).toEqual(new Set(smtp.processed.keys()));
    const [{ n: attempts } = { n: 0 }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from delivery_attempts where outcome = 'delivered'`;
    expect(attempts).toBe(MESSAGES);
  });
});
