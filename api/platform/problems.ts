import Type from 'typebox';
import type { StepRejectionCode } from '../../domain/report/step-rejected.js';

/**
 * Every kind of problem the API answers with, as an RFC 9457 problem document
 * (`application/problem+json`). `type` is `https://bihuan.dev/problems/<kind>` and stable: clients
 * branch on it, never on `title` or `detail`.
 */
export const PROBLEMS = {
  'invalid-input': { status: 400, title: 'The request is malformed or misses fields' },
  unauthenticated: { status: 401, title: 'Missing, unknown or revoked credentials' },
  'not-allowed': { status: 403, title: 'Your role may not do this' },
  'report-not-found': { status: 404, title: 'No such report' },
  'not-found': { status: 404, title: 'No such endpoint' },
  'method-not-allowed': { status: 405, title: 'The endpoint does not take this method' },
  'wrong-stage': { status: 409, title: 'The report is not at a stage where this step applies' },
  'same-person': { status: 409, title: 'One person cannot hold two reward roles on one report' },
  'out-of-window': { status: 409, title: 'The step came too late' },
  'intake-conflict': {
    status: 409,
    title: 'This (channel, externalId) was already received with a different body',
  },
  'unknown-unit': { status: 409, title: 'No active unit with this id in the directory' },
  'unknown-report': { status: 409, title: 'No open report with this id to merge into' },
  'no-routing-rule': { status: 404, title: 'No routing rule covers this domain and locality' },
  'delivery-not-found': { status: 404, title: 'No such delivery' },
  'policy-not-found': { status: 404, title: 'No such policy version' },
  'not-validated': {
    status: 409,
    title: 'Adopt a policy version only as a dry run of the same change validated it',
  },
  'not-a-dead-letter': { status: 409, title: 'Only a dead letter is re-driven' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'uri-too-long': { status: 414, title: 'The request path is too long' },
  'unsupported-media-type': { status: 415, title: 'Send application/json' },
  'not-eligible': { status: 422, title: 'The report or reporter is not eligible' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'A dependency is unavailable; retry later' },
  // 503, not 504: the service itself cannot answer now (its worker busy or restarting), and a
  // client treats it like any other temporary unavailability — Retry-After, then retry.
  timeout: {
    status: 503,
    title: 'The report did not answer in time; retry, with the same Idempotency-Key for a step',
  },
} as const;
export type ProblemKind = keyof typeof PROBLEMS;
type ProblemStatus = (typeof PROBLEMS)[ProblemKind]['status'];

export const PROBLEM_BASE = 'https://bihuan.dev/problems/';
export const problemType = (kind: ProblemKind): string => `${PROBLEM_BASE}${kind}`;
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The workflow's stable ApplicationFailure types (domain/report/step-rejected.ts) and their
 * problems: a new rejection code without a problem here does not compile.
 */
export const STEP_REJECTION_PROBLEMS = {
  invalid_input: 'invalid-input',
  not_allowed: 'not-allowed',
  wrong_stage: 'wrong-stage',
  same_person: 'same-person',
  out_of_window: 'out-of-window',
  not_eligible: 'not-eligible',
  unknown_report: 'report-not-found',
  /** activities/data-errors.ts: the step's data is something PostgreSQL cannot hold. */
  data_rejected: 'invalid-input',
} as const satisfies { readonly [C in StepRejectionCode | 'data_rejected']: ProblemKind };

/** The problem of a failure type the workflow raises, if it is one of the above. */
export const problemOfFailureType = (type: string | undefined | null): ProblemKind | undefined =>
  type && Object.hasOwn(STEP_REJECTION_PROBLEMS, type)
    ? STEP_REJECTION_PROBLEMS[type as keyof typeof STEP_REJECTION_PROBLEMS]
    : undefined;

/** A problem the API raises on purpose; the error handler turns it into the document. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly statusCode: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    options?: {
      cause?: unknown;
      headers?: Record<string, string>;
      /** invalid-input: each offending field. */
      errors?: readonly { path: string; message: string }[];
    },
  ) {
    super(detail, options);
    this.statusCode = PROBLEMS[kind].status;
    this.headers = options?.headers ?? {};
    this.errors = options?.errors;
  }
  readonly headers: Record<string, string>;
  readonly errors: readonly { path: string; message: string }[] | undefined;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', examples: [problemType('wrong-stage')] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.String({ description: 'the request path' }),
    requestId: Type.String({ description: 'the x-request-id of the request, for support' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'invalid-input only: each offending field',
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } };

/**
 * The error responses every route documents: each status a problem can have, named explicitly, so
 * a client (or a fuzzer) can tell a declared answer from a surprise. `type` says which problem.
 */
export const problemResponses = Object.fromEntries(
  [...new Set(Object.values(PROBLEMS).map((p) => p.status))]
    .sort((a, b) => a - b)
    .map((status) => {
      const kinds = Object.entries(PROBLEMS)
        .filter(([, p]) => p.status === status)
        .map(([kind]) => kind);
      return [status, { description: `a problem document: ${kinds.join(', ')}`, content: problemContent }];
    }),
) as { readonly [S in ProblemStatus as `${S}`]: { description: string; content: typeof problemContent } };

/** A file's bytes (a stream or buffer the route sends as they are; typed loosely for the handler). */
const FileBody = Type.Unsafe<unknown>({ type: 'string', format: 'binary' });

/** A 200 that is a file of one of `types` (a stream or buffer, never JSON), plus the problems. */
export const fileResponses = (types: readonly string[], description: string) => ({
  200: {
    description,
    content: Object.fromEntries(types.map((t) => [t.split(';')[0]!, { schema: FileBody }])),
  },
  ...problemResponses,
});
