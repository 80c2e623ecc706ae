import { timingSafeEqual } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Sql } from '../../infra/database.js';
import type postgres from 'postgres';
import { KeyRing, sealedFromJson, sealedToJson } from '../../infra/vault.js';
import { reportWorkflowId } from '../../domain/report/report-id.js';
import type { ReporterRef } from '../../domain/report/step-inputs.js';
import { hashClaimCode, newClaimCode } from './claim-code.js';
import { canonicalJson, toIntake, type IntakeBody, type IntakeResponse } from './intake-schema.js';
import { ProblemError } from '../platform/problems.js';
import type { IntakeBounds, PolicyRef } from '../../domain/policy.js';
import { newVaultRef, storeReporter } from '../identity/reporter-vault.js';
import { startReport } from './start-report.js';

export interface IntakeDeps {
  readonly sql: Sql;
  readonly temporal: Client;
  readonly vault: KeyRing;
  readonly taskQueue: string;
  readonly searchAttributes: boolean;
  /** What the policy new reports run under accepts. */
  intakeBounds(): IntakeBounds & { readonly policy: PolicyRef };
  now(): Promise<number>;
}

export interface IntakeOutcome {
  /** True for the request that created the report; a repeat gets the same response, not created. */
  readonly created: boolean;
  readonly response: IntakeResponse;
}

interface IntakeRow {
  body_hash: string;
  reporter_ref: ReporterRef;
  claim_code: { keyId: string; iv: string; tag: string; ciphertext: string } | null;
  response: IntakeResponse;
  started_at: Date | null;
}

/**
 * Receives a report exactly once per (channel, externalId), however often and however
 * concurrently the intake system sends it.
 *
 * The `intake_requests` row is the decision: `insert … on conflict do nothing` lets exactly one
 * request create it (concurrent ones wait for its commit, then find it), in the same transaction
 * as the reporter's vault entry. The workflow starts after the commit, with USE_EXISTING, so a
 * repeat whose original is still starting (or crashed before starting) may start it too without
 * a second workflow; once `started_at` is set, repeats touch nothing. A repeat with a different
 * body is a conflict: the fingerprint is a keyed HMAC, recomputed under the key that made it.
 *
 * The claim code is random and stored only sealed (AES-GCM, the report id as additional data),
 * so a repeat can answer the same code; deriving it from a key would have made it predictable to
 * whoever holds the key and tied it to key rotation.
 */
export async function receiveReport(
  deps: IntakeDeps,
  body: IntakeBody,
  /** The intake client's subject: its feed shows the outcomes of the reports it filed. */
  filedBy?: string,
): Promise<IntakeOutcome> {
  const { sql, vault } = deps;
  checkReceivedAt(body.receivedAt, await deps.now(), deps.intakeBounds());
  const reportId = reportWorkflowId(body.channel, body.externalId);
  const canonical = canonicalJson(body);
  const response: IntakeResponse = { id: reportId, statusUrl: `/v1/reports/${encodeURIComponent(reportId)}` };
  const claimCode = body.reporter.anonymous ? newClaimCode() : undefined;
  const reporterRef: ReporterRef = claimCode
    ? { kind: 'anonymous', claimCodeHash: hashClaimCode(claimCode) }
    : { kind: 'named', vaultRef: newVaultRef() };

  const insert = (tx: Sql | postgres.TransactionSql) => tx`
    insert into intake_requests
      (channel, external_id, report_id, body_hash, reporter_ref, claim_code, response, filed_by, received_at)
    values (${body.channel}, ${body.externalId}, ${reportId}, ${vault.fingerprint(canonical)},
            ${tx.json(reporterRef)}, ${claimCode ? tx.json(sealedToJson(vault.seal(claimCode, reportId))) : null},
            ${tx.json(response)}, ${filedBy ?? null}, ${body.receivedAt})
    on conflict do nothing
    returning 1`;
  // A named reporter's vault entry commits with the row; an anonymous report is one statement,
  // with no transaction round trips around it.
  const reporter = body.reporter;
  const vaultRef = reporterRef.kind === 'named' ? reporterRef.vaultRef : undefined;
  const created =
    !reporter.anonymous && vaultRef
      ? await sql.begin(async (tx) => {
          if ((await insert(tx)).length === 0) return false;
          await storeReporter(tx, vault, vaultRef, reporter);
          return true;
        })
      : (await insert(sql)).length > 0;
  if (created) {
    await start(deps, body, reporterRef);
    return { created: true, response: { ...response, ...(claimCode ? { claimCode } : {}) } };
  }

  const [row] = await sql<IntakeRow[]>`
    select body_hash, reporter_ref, claim_code, response, started_at from intake_requests
    where channel = ${body.channel} and external_id = ${body.externalId}`;
  if (!row) throw new Error(`intake request ${reportId} vanished`);
  if (!sameFingerprint(vault.fingerprint(canonical, KeyRing.keyIdOf(row.body_hash)), row.body_hash)) {
    throw new ProblemError(
      'intake-conflict',
      `${body.channel} ticket ${body.externalId} was received before with a different body; send a new externalId for a new report`,
    );
  }
  if (!row.started_at) await start(deps, body, row.reporter_ref);
  const storedCode = row.claim_code ? vault.open(sealedFromJson(row.claim_code), reportId) : undefined;
  return { created: false, response: { ...row.response, ...(storedCode ? { claimCode: storedCode } : {}) } };
}

/**
 * When an earlier request for this report said it was received, if there was one: a client that
 * retries under its own idempotency key (Open311's `Idempotency-Key`, whose requests carry no time
 * of their own) sends the same body only with that time. Rows from before 0.8 have none.
 */
export async function earlierReceivedAt(sql: Sql, reportId: string): Promise<string | undefined> {
  const [row] = await sql<{ received_at: Date | null }[]>`
    select received_at from intake_requests where report_id = ${reportId}`;
  return row?.received_at?.toISOString();
}

/** Starts (or reaches) the workflow, then records that it exists. Safe to call more than once. */
async function start(deps: IntakeDeps, body: IntakeBody, reporter: ReporterRef): Promise<void> {
  try {
    await startReport(deps.temporal, toIntake(body, reporter), {
      taskQueue: deps.taskQueue,
      searchAttributes: deps.searchAttributes,
    });
  } catch (err) {
    // A closed report's workflow id is never reused: it exists, which is all intake needs.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await deps.sql`
    update intake_requests set started_at = now()
    where channel = ${body.channel} and external_id = ${body.externalId} and started_at is null`;
}

const MINUTE = 60_000;

/**
 * `receivedAt` starts every clock of the report: one far in the past would fire every warning and
 * rung at once, one in the future would hold them back. The policy says how far from now it may lie.
 */
function checkReceivedAt(receivedAt: string, now: number, bounds: ReturnType<IntakeDeps['intakeBounds']>) {
  const at = Date.parse(receivedAt);
  const { maxPastDays, maxFutureMinutes } = bounds.receivedAt;
  const policy = `policy ${bounds.policy.id} v${bounds.policy.version}`;
  const nowIso = new Date(now).toISOString();
  const refuse = (detail: string) => {
    throw new ProblemError('invalid-input', `receivedAt ${receivedAt} ${detail}`, {
      errors: [{ path: 'body/receivedAt', message: detail }],
    });
  };
  if (at < now - maxPastDays * 24 * 60 * MINUTE)
    refuse(`is more than ${maxPastDays} days before now (${nowIso}), the most the ${policy} accepts`);
  if (at > now + maxFutureMinutes * MINUTE)
    refuse(`is more than ${maxFutureMinutes} minutes after now (${nowIso}), the most the ${policy} accepts`);
}

const sameFingerprint = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
