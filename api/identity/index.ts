import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { OneOf } from '../../domain/schema.js';
import type { Role } from '../../domain/vocabulary.js';
import type { KeyRing } from '../../infra/vault.js';
import type { Authorize } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';
import { readReport } from '../reports/report-access.js';
import type { ReportAccess } from '../reports/report-access.js';
import { ReportIdParams } from '../reports/report-schemas.js';
import { otherReportsOf, readPayout, readReporter } from './reporter-vault.js';

/**
 * Reading a reporter's identity (举报人信息保护). Only the roles that must contact or pay the
 * reporter may: the command centre and the handling unit (feedback), the reward proposer and
 * approver (verifying who is rewarded) and finance (paying). Each read states why, and is written to
 * the append-only `identity_reads` log before the identity leaves the API.
 */
export const IDENTITY_ROLES: readonly Role[] = [
  'dispatcher',
  'handler',
  'reward_proposer',
  'reward_approver',
  'finance',
];
export const AUDIT_ROLES: readonly Role[] = ['supervisor', 'admin'];

export const PURPOSES = {
  feedback_contact: '反馈联系',
  reward_verification: '奖励核实',
  reward_payment: '奖励发放',
  satisfaction_visit: '回访',
} as const;
const PURPOSE_VALUES = Object.keys(PURPOSES) as (keyof typeof PURPOSES)[];

const IdentityQuery = Type.Object(
  {
    purpose: OneOf(PURPOSE_VALUES),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const RecipientReport = Type.Optional(
  Type.String({
    description:
      'for a reward purpose, the merged duplicate whose reporter the reward goes to, when not this report',
  }),
);

const IdentitySchema = Type.Union([
  Type.Object({
    anonymous: Type.Literal(true),
    recipientReportId: RecipientReport,
    payout: Type.Optional(
      Type.Object(
        {
          method: Type.String(),
          payeeName: Type.String(),
          account: Type.Optional(Type.String()),
          bank: Type.Optional(Type.String()),
        },
        { description: 'how the anonymous claimant asked to be paid (reward purposes only)' },
      ),
    ),
  }),
  Type.Object({
    anonymous: Type.Literal(false),
    recipientReportId: RecipientReport,
    name: Type.String(),
    phone: Type.String(),
    idNumber: Type.Optional(Type.String()),
    otherReports: Type.Array(Type.String(), {
      description: 'other reports by the same phone number (recognised by its blind index)',
    }),
  }),
]);

const AuditQuery = Type.Object(
  {
    reportId: Type.Optional(ReportIdParams.properties.id),
    actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    before: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'id of the oldest entry of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    id: Type.String(),
    role: Type.String(),
    unitId: Type.Union([Type.String(), Type.Null()]),
  }),
  reportId: Type.String(),
  purpose: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.String(),
});

export function identityRoutes(deps: {
  access: ReportAccess;
  sql: postgres.Sql;
  vault: KeyRing;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    app.get(
      '/reports/:id/reporter',
      {
        onRequest: deps.authorize(IDENTITY_ROLES),
        schema: {
          tags: ['reports'],
          operationId: 'getReporterIdentity',
          summary: 'The reporter’s identity, for those who must contact or pay them; every read is audited',
          description:
            'The report itself (GET /v1/reports/:id) never carries the identity, only a vault reference. ' +
            'State the purpose; the read is logged (who, when, why) before the answer. ' +
            'For reward_verification and reward_payment the answer is the reporter the reward goes to: ' +
            'a merged duplicate’s (recipientReportId) where that one reported first, and for an ' +
            'anonymous claimant how the claim asked to be paid. Otherwise an anonymous reporter has ' +
            'nothing to reveal.',
          security,
          params: ReportIdParams,
          querystring: IdentityQuery,
          response: { 200: IdentitySchema, ...problemResponses },
        },
      },
      async (req) => {
        const caller = req.caller!;
        // The report's own record says whose identity it is (and a handler of another unit gets 404).
        const view = await readReport(deps.access, caller, req.params.id);
        // 奖励: the reward's reporter — a merged duplicate's, where that one was first — is the one
        // verified and paid.
        const forReward =
          req.query.purpose === 'reward_verification' || req.query.purpose === 'reward_payment';
        const { reportId: recipientId, reporter } = forReward
          ? view.rewardRecipient
          : { reportId: view.reportId, reporter: view.reporter };
        const recipient = recipientId !== view.reportId ? { recipientReportId: recipientId } : {};
        const audit = (tx: postgres.TransactionSql, ref: string) => tx`
          insert into identity_reads (actor_id, actor_role, actor_unit, report_id, vault_ref, purpose, note, request_id)
          values (${caller.id}, ${caller.role}, ${caller.unitId ?? null}, ${view.reportId}, ${ref},
                  ${req.query.purpose}, ${req.query.note ?? null}, ${req.id})`;
        if (reporter.kind === 'anonymous') {
          const payoutRef = forReward ? view.reward.payoutRef : undefined;
          if (!payoutRef) return { anonymous: true as const, ...recipient };
          return deps.sql.begin(async (tx) => {
            await audit(tx, payoutRef);
            const payout = await readPayout(tx, deps.vault, payoutRef);
            if (!payout) throw new ProblemError('internal', 'the vault has no entry for this claim’s payout');
            return { anonymous: true as const, ...recipient, payout };
          });
        }
        const ref = reporter.vaultRef;
        return deps.sql.begin(async (tx) => {
          await audit(tx, ref);
          const identity = await readReporter(tx, deps.vault, ref);
          if (!identity)
            throw new ProblemError('internal', 'the reporter vault has no entry for this report');
          const otherReports = await otherReportsOf(tx, deps.vault, ref);
          return { anonymous: false as const, ...recipient, ...identity, otherReports };
        });
      },
    );

    app.get(
      '/audit/identity-reads',
      {
        onRequest: deps.authorize(AUDIT_ROLES),
        schema: {
          tags: ['audit'],
          operationId: 'listIdentityReads',
          summary: 'Who read which reporter’s identity, when and why; newest first',
          security,
          querystring: AuditQuery,
          response: {
            200: Type.Object({
              items: Type.Array(AuditEntry),
              nextBefore: Type.Union([Type.Integer(), Type.Null()]),
            }),
            ...problemResponses,
          },
        },
      },
      async (req) => {
        const { reportId, actorId, before, limit = 100 } = req.query;
        const rows = await deps.sql<
          {
            id: string;
            at: Date;
            actor_id: string;
            actor_role: string;
            actor_unit: string | null;
            report_id: string;
            purpose: string;
            note: string | null;
            request_id: string;
          }[]
        >`
          select id, at, actor_id, actor_role, actor_unit, report_id, purpose, note, request_id
          from identity_reads
          where true
            ${reportId ? deps.sql`and report_id = ${reportId}` : deps.sql``}
            ${actorId ? deps.sql`and actor_id = ${actorId}` : deps.sql``}
            ${before ? deps.sql`and id < ${before}` : deps.sql``}
          order by id desc
          limit ${limit + 1}`;
        const page = rows.slice(0, limit);
        return {
          items: page.map((r) => ({
            id: Number(r.id),
            at: r.at.toISOString(),
            actor: { id: r.actor_id, role: r.actor_role, unitId: r.actor_unit },
            reportId: r.report_id,
            purpose: r.purpose,
            note: r.note,
            requestId: r.request_id,
          })),
          nextBefore: rows.length > limit ? Number(page.at(-1)!.id) : null,
        };
      },
    );
    return Promise.resolve();
  };
}
