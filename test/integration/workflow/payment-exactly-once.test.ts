import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../../../activities/index.js';
import { loadPolicyRegistry } from '../../../infra/policy-registry.js';
import type { Disbursement, PaymentRecord } from '../../../activities/reward-ledger.js';
import { createLogger } from '../../../infra/logger.js';
import { projectPath } from '../../../infra/project-paths.js';
import { createTestDatabase } from '../../support/database.js';
import { driveToConclusion } from '../../support/lifecycles.js';
import { createReportEnv, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people, NOT_EXCLUDED } from '../../support/reports.js';

// Monday 2026-11-23 09:30 Beijing time.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';
/** Past the payment activity's 30 s start-to-close timeout. */
const PAST_ACTIVITY_TIMEOUT = 35_000;

/** A history event's time in ms (protobuf Timestamp: seconds as a Long, nanos). */
const msOf = (t: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined) =>
  t ? Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;

type Pay = Activities['disburseReward'];
/** What the current test does around the real `disburseReward`; the real one alone when unset. */
let fault: ((pay: Pay, d: Disbursement) => Promise<PaymentRecord>) | undefined;

let t: ReportEnv;
beforeAll(async () => {
  t = await createReportEnv({
    startTime: MONDAY_MORNING,
    restartable: true,
    wrapActivities: (real) => ({
      disburseReward: (d) => (fault ? fault(real.disburseReward, d) : real.disburseReward(d)),
    }),
  });
});
afterAll(() => t?.close());

const ledgerOf = (reportId: string) =>
  t.sql<{ payment_reference: string; amount_fen: string }[]>`
    select payment_reference, amount_fen from reward_ledger where report_id = ${reportId}`;

/** A substantiated report whose reward of ¥7,500 (15 % of ¥50,000) is approved, waiting for finance. */
async function approvedReward(): Promise<ReportHandle> {
  const h = await t.start();
  await driveToConclusion(t, h, { fineFen: 5_000_000 });
  await t.step(h, 'proposeReward', {
    actor: people.proposer,
    basis: { kind: 'fine', fineFen: 5_000_000 },
    declaration: NOT_EXCLUDED,
  });
  const v = await t.step(h, 'decideReward', { actor: people.approver, decision: 'approved' });
  expect(v.stage.name).toBe('reward_approved');
  return h;
}

async function paidOnce(h: ReportHandle, paymentReference: string) {
  expect(await ledgerOf(h.workflowId)).toEqual([
    { payment_reference: paymentReference, amount_fen: '750000' },
  ]);
  const v = await t.view(h);
  expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
  expect(v.timeline.filter((e) => e.type === 'reward_paid')).toHaveLength(1);
  const outbox = await t.outbox(h.workflowId);
  expect(outbox.filter((n) => n.kind === 'reward_paid')).toHaveLength(1);
}

describe('发放 exactly once: the ledger pays a report once, whatever retries or restarts happen', () => {
  it('pays once when the payment activity fails after writing the ledger row and is retried', async () => {
    const attempts: number[] = [];
    fault = async (pay, d) => {
      const { attempt } = Context.current().info;
      attempts.push(attempt);
      const paid = await pay(d);
      if (attempt === 1) throw new Error('connection reset after the ledger write');
      return paid;
    };
    const h = await approvedReward();
    const v = await t.step(h, 'payReward', { actor: people.finance });
    fault = undefined;

    expect(attempts).toEqual([1, 2]);
    expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
    const reference = v.reward.payment!.paymentReference;
    await paidOnce(h, reference);
    const [row] = await ledgerOf(h.workflowId);
    expect(row?.payment_reference).toBe(reference);
  });

  it(
    'pays once when the worker dies mid-payment and another worker retries it after the timeout',
    // While the hung attempt is in flight the test server does not skip time: the 35 s pass for real.
    { timeout: 120_000 },
    async () => {
      let release!: () => void;
      const hung = new Promise<void>((resolve) => (release = resolve));
      fault = async (pay, d) => {
        await pay(d);
        // The ledger row is written; this worker never reports back (it "dies" here).
        await hung;
        throw new Error('the worker died before reporting the payment');
      };
      const h = await approvedReward();
      const paying = t.step(h, 'payReward', { actor: people.finance });
      paying.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
      await expect.poll(async () => (await ledgerOf(h.workflowId)).length, { timeout: 20_000 }).toBe(1);

      // The dying worker stops polling; the server gives up on its attempt after the timeout and
      // hands the retry to the new worker (unwrapped: the real activity).
      const restarting = t.restartWorker(() => ({}));
      await t.skip(PAST_ACTIVITY_TIMEOUT);
      release(); // lets the old worker's process end; its late report is for an attempt already timed out
      await restarting;
      fault = undefined;

      const v = await paying;
      expect(v.stage).toEqual({ name: 'closed', outcome: 'reward_paid' });
      await paidOnce(h, v.reward.payment!.paymentReference);
      expect(await h.result()).toEqual({ stage: { name: 'closed', outcome: 'reward_paid' } });

      // The history keeps the attempt that counted: the second, started after the first's 30 s ran out.
      const events = (await h.fetchHistory()).events ?? [];
      const scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'disburseReward',
      );
      const started = events.find(
        (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
      );
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
      expect(msOf(started?.eventTime) - msOf(scheduled?.eventTime)).toBeGreaterThanOrEqual(30_000);
    },
  );
});

describe('disburseReward is idempotent: the ledger row is the payment', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let activities: Activities;
  beforeAll(async () => {
    db = await createTestDatabase();
    const policies = await loadPolicyRegistry(projectPath('policies'), 'district-default');
    activities = createActivities({ sql: db.sql, log: createLogger('silent'), policies });
  });
  afterAll(() => db?.drop());

  const disbursement: Disbursement = {
    reportId: 'report:hotline_12345:GD-LEDGER-1',
    amountFen: 750_000,
    proposedBy: people.proposer.id,
    approvedBy: people.approver.id,
    paidBy: people.finance.id,
  };

  it('returns the same payment reference when called twice, and writes one row', async () => {
    const first = await activities.disburseReward(disbursement);
    const second = await activities.disburseReward(disbursement);
    expect(second).toEqual(first);
    const rows =
      await db.sql`select payment_reference from reward_ledger where report_id = ${disbursement.reportId}`;
    expect(rows).toEqual([{ payment_reference: first.paymentReference }]);
  });

  it('pays once when two attempts run at the same time (a retry racing a worker presumed dead)', async () => {
    const d = { ...disbursement, reportId: 'report:hotline_12345:GD-LEDGER-2' };
    const [a, b] = await Promise.all([activities.disburseReward(d), activities.disburseReward(d)]);
    expect(a).toEqual(b);
    const [{ count }] = await db.sql<[{ count: string }]>`
      select count(*) from reward_ledger where report_id = ${d.reportId}`;
    expect(count).toBe('1');
  });
});
