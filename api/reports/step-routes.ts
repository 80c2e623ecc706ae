import type postgres from 'postgres';
import { ProblemError } from '../platform/problems.js';
import { unitMayBeAssigned } from '../directory/repository.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type TSchema } from 'typebox';
import { Closed } from '../../domain/schema.js';
import { REPORT_STEPS, STEP_INPUTS, type StepInput, type StepName } from '../../domain/report/step-inputs.js';
import { STEPS } from '../../domain/report/steps.js';
import { isTerminal } from '../../domain/report/report-state.js';
import type { Actor } from '../../domain/vocabulary.js';
import { ROLES } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { ClaimCodeSchema, hashClaimCode } from './claim-code.js';
import type { KeyRing } from '../../infra/vault.js';
import { OneOf } from '../../domain/schema.js';
import { forgetPayout, payoutRefFor, storePayout, type Payout } from '../identity/reporter-vault.js';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { problemResponses } from '../platform/problems.js';
import { readReport, runStep, stepUpdateId } from './report-access.js';
import type { ReportAccess } from './report-access.js';
import { ReportIdParams, ReportViewSchema } from './report-schemas.js';

/**
 * One route per human step, generated from the step table: `POST /v1/reports/:id/<kebab-step>`,
 * the body the step's input schema without `actor` (the authenticated caller is the actor), the
 * roles those of the state machine's step definition. The answer is the report's new state.
 */
export const stepPath = (step: StepName): string => step.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type StepBody<S extends StepName> = Omit<StepInput<S>, 'actor'>;

interface BodyAdapter {
  readonly schema: TSchema;
  readonly toInput: (
    body: Record<string, unknown>,
    ctx: { readonly sql: postgres.Sql; readonly vault: KeyRing; readonly updateId: string | undefined },
  ) => Promise<{
    readonly input: Record<string, unknown>;
    /** Takes back what toInput wrote, when the workflow refused the step: a refusal leaves nothing. */
    readonly undo?: () => Promise<void>;
  }>;
}

/**
 * The workflow (or the API before it) said no, for certain. A timeout or an unavailable service is
 * not a refusal: the step may yet have been done, and may hold what was written for it.
 */
const isRefusal = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError || (err instanceof ProblemError && err.statusCode < 500);

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const PayoutSchema = Closed({
  method: OneOf(['bank_transfer', 'alipay', 'wechat_pay', 'cash'] as const),
  payeeName: Text(50),
  account: Type.Optional(Text(64)),
  bank: Type.Optional(Text(100)),
});

/**
 * Where the wire body differs from the step input. A citizen's claim code is hashed here: the
 * caller sends the code, the workflow compares hashes and never sees the code. How to pay the
 * claimant is sealed in the vault here: the workflow gets its reference only.
 */
const ADAPTERS: Partial<Record<StepName, BodyAdapter>> = {
  claimReward: {
    schema: Closed({ claimCode: ClaimCodeSchema, payout: Type.Optional(PayoutSchema) }),
    async toInput(body, { sql, vault, updateId }) {
      const claimCodeHash = hashClaimCode(body.claimCode as string);
      const payout = body.payout as Payout | undefined;
      if (!payout) return { input: { claimCodeHash } };
      if (payout.method !== 'cash' && !payout.account)
        throw new ProblemError('invalid-input', `a ${payout.method} payout names the account`);
      const payoutRef = payoutRefFor(updateId);
      // A refused claim must not keep a stranger's bank account. Only a record sealed by this very
      // request is taken back: one already there belongs to an earlier attempt with the same
      // Idempotency-Key, which the workflow may have accepted.
      const sealedNow = await storePayout(sql, vault, payoutRef, payout);
      return {
        input: { claimCodeHash, payoutRef },
        ...(sealedNow ? { undo: () => forgetPayout(sql, payoutRef) } : {}),
      };
    },
  },
};

/**
 * `Idempotency-Key`: a retry of a step with the same key (and body) answers as the first attempt
 * did — once done, never done twice — instead of 409 for a stage already passed.
 */
const StepHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._:-]{1,128}$',
      description:
        'makes the step safe to retry: the same key and body from the same caller is done once and always answers the same',
    }),
  ),
});

/** The step's input schema without `actor`, refusing unknown fields as the workflow does. */
function bodySchemaOf(step: StepName): TSchema {
  const { actor: _actor, ...properties } = STEP_INPUTS[step].properties;
  return Type.Object(properties, { additionalProperties: false });
}

/**
 * Steps that name units (交办, 改派, 协办): each must be an active one of the directory (when there is one), so a
 * typo never sends a report to nobody. The workflow does not know the directory; the API checks.
 */
async function checkUnit(sql: postgres.Sql, body: Record<string, unknown>): Promise<void> {
  const named: unknown[] = [body.unitId, ...(Array.isArray(body.unitIds) ? (body.unitIds as unknown[]) : [])];
  for (const unitId of named)
    if (typeof unitId === 'string' && !(await unitMayBeAssigned(sql, unitId)))
      throw new ProblemError('unknown-unit', `no active unit ${unitId} in the directory (see GET /v1/units)`);
}

/**
 * 重复件: a report is merged only into an open report. The workflow signals the survivor, and a
 * signal to no workflow fails the step: the API asks the survivor's workflow first (not the read
 * model, which may not have projected a report received a moment ago) and says so in words.
 */
async function checkMergeTarget(
  access: ReportAccess,
  caller: Actor,
  step: StepName,
  body: Record<string, unknown>,
): Promise<void> {
  if (step !== 'mergeReport' || typeof body.intoReportId !== 'string') return;
  const nowhere = () =>
    new ProblemError('unknown-report', `no open report ${String(body.intoReportId)} to merge into`);
  const target = await readReport(access, caller, body.intoReportId).catch((err: unknown) => {
    throw err instanceof ProblemError && err.kind === 'report-not-found' ? nowhere() : err;
  });
  if (isTerminal(target.stage)) throw nowhere();
}

export function stepRoutes(deps: {
  access: ReportAccess;
  sql: postgres.Sql;
  vault: KeyRing;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    for (const step of REPORT_STEPS) {
      const adapter = ADAPTERS[step];
      const roles = STEPS[step].roles;
      app.post(
        `/reports/:id/${stepPath(step)}`,
        {
          onRequest: deps.authorize(roles),
          // A step with nothing to say (payReward, startVerification …) may be posted without a body.
          preValidation: (req, _reply, done) => {
            req.body ??= {};
            done();
          },
          schema: {
            tags: ['steps'],
            operationId: step,
            summary: `${step} — for ${roles.map((r) => `${r} (${ROLES[r]})`).join(', ')}`,
            security: [{ bearer: [] }],
            params: ReportIdParams,
            headers: StepHeaders,
            body: adapter?.schema ?? bodySchemaOf(step),
            response: { 200: ReportViewSchema, ...problemResponses },
          },
        },
        async (req) => {
          const body = req.body as Record<string, unknown>;
          await checkUnit(deps.sql, body);
          await checkMergeTarget(deps.access, req.caller!, step, body);
          const caller = req.caller!;
          const updateId = stepUpdateId(step, caller, req.headers['idempotency-key'], [req.params.id, body]);
          const adapted = adapter
            ? await adapter.toInput(body, { sql: deps.sql, vault: deps.vault, updateId })
            : { input: body };
          const input = adapted.input as StepBody<typeof step>;
          try {
            return await runStep(
              deps.access,
              caller,
              req.params.id,
              step,
              input,
              updateId ? { updateId } : {},
            );
          } catch (err) {
            if (adapted.undo && isRefusal(err)) await adapted.undo();
            throw err;
          }
        },
      );
    }
    return Promise.resolve();
  };
}
