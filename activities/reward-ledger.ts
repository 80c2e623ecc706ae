import { refuseBadData } from './data-errors.js';
import type { ActivityDeps } from './index.js';

export interface Disbursement {
  readonly reportId: string;
  readonly amountFen: number;
  readonly proposedBy: string;
  readonly approvedBy: string;
  readonly paidBy: string;
  /** Who is paid, as a reference (see payeeReference); absent from payments made before 0.3. */
  readonly payee?: string;
  /** Finance's own voucher number. */
  readonly voucher?: string;
}

export interface PaymentRecord {
  readonly paymentReference: string;
  readonly amountFen: number;
  readonly paidBy: string;
  readonly paidAt: string;
}

/**
 * 奖励发放, exactly once. The ledger holds at most one row per report (its primary key), and the
 * payment reference is derived from the report: an attempt retried after it wrote — or run again
 * by another worker after this one died mid-payment — finds the row and returns it instead of
 * paying twice.
 */
export function createLedgerActivities({ sql, log }: Pick<ActivityDeps, 'sql' | 'log'>) {
  return {
    async disburseReward(d: Disbursement): Promise<PaymentRecord> {
      const reference = `BH-PAY-${d.reportId}`;
      const [inserted] = await refuseBadData(
        'disburseReward',
        () => sql<{ paid_at: Date }[]>`
          insert into reward_ledger (report_id, amount_fen, payment_reference, proposed_by, approved_by, paid_by, payee_ref, voucher)
          values (${d.reportId}, ${d.amountFen}, ${reference}, ${d.proposedBy}, ${d.approvedBy}, ${d.paidBy},
                  ${d.payee ?? null}, ${d.voucher ?? null})
          on conflict (report_id) do nothing
          returning paid_at`,
      );
      if (inserted) {
        log.info({ reportId: d.reportId, amountFen: d.amountFen }, 'reward paid');
        return {
          paymentReference: reference,
          amountFen: d.amountFen,
          paidBy: d.paidBy,
          paidAt: inserted.paid_at.toISOString(),
        };
      }
      const [existing] = await sql<
        { payment_reference: string; amount_fen: string; paid_by: string; paid_at: Date }[]
      >`
        select payment_reference, amount_fen, paid_by, paid_at from reward_ledger where report_id = ${d.reportId}`;
      if (!existing) throw new Error(`reward ledger row for ${d.reportId} vanished`);
      log.info({ reportId: d.reportId }, 'reward already paid; returning the existing payment');
      return {
        paymentReference: existing.payment_reference,
        amountFen: Number(existing.amount_fen),
        paidBy: existing.paid_by,
        paidAt: existing.paid_at.toISOString(),
      };
    },
  };
}
