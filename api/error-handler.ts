import {
  ApplicationFailure,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PROBLEMS,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  STEP_REJECTION_PROBLEMS,
  problemType,
  type ProblemKind,
} from './problems.js';

/**
 * The one place where errors become answers: every failure — validation, authentication, the
 * workflow's refusals, Temporal and PostgreSQL outages, bugs — leaves as an RFC 9457 problem
 * document with a stable `type`. Internals (stack traces, SQL, gRPC messages) never leave: a 500
 * or 503 says only what to do, and the log line under the same request id says what happened.
 */
interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly errors?: readonly { path: string; message: string }[];
  readonly headers?: Record<string, string>;
}

const BY_STATUS: Readonly<Record<number, ProblemKind>> = {
  400: 'invalid-input',
  401: 'unauthenticated',
  403: 'not-allowed',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

const INTERNAL_DETAIL = 'something failed on our side; quote the request id when you report it';
const UNAVAILABLE_DETAIL = 'Temporal or the database did not answer in time; retry with backoff';

export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError) return { kind: err.kind, detail: err.detail, headers: err.headers };
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const kind = cause instanceof ApplicationFailure ? STEP_REJECTION_PROBLEMS[cause.type ?? ''] : undefined;
    return kind ? { kind, detail: cause!.message } : { kind: 'internal', detail: INTERNAL_DETAIL };
  }
  if (err instanceof WorkflowNotFoundError) return { kind: 'report-not-found', detail: 'no such report' };
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof ServiceError || isDown(err)) {
    return { kind: 'unavailable', detail: UNAVAILABLE_DETAIL, headers: { 'retry-after': '5' } };
  }
  const fe = err as Partial<FastifyError>;
  if (fe.validation) {
    return {
      kind: 'invalid-input',
      detail: fe.message ?? 'invalid input',
      errors: fe.validation.map((v) => ({
        path: `${fe.validationContext ?? ''}${v.instancePath}`,
        message: v.message ?? 'is invalid',
      })),
    };
  }
  if (fe.code?.startsWith('FST_BEARER_AUTH') || fe.code?.startsWith('FST_JWT')) {
    return { kind: 'unauthenticated', detail: 'send Authorization: Bearer <API key or token>' };
  }
  const kind = fe.statusCode === undefined ? undefined : BY_STATUS[fe.statusCode];
  if (kind) return { kind, detail: fe.message ?? PROBLEMS[kind].title };
  return { kind: 'internal', detail: INTERNAL_DETAIL };
}

/** PostgreSQL or a socket refusing: a dependency is down, not a bug. */
function isDown(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'CONNECT_TIMEOUT',
      'CONNECTION_CLOSED',
      'CONNECTION_ENDED',
    ].includes(code)
  );
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const { status, title } = PROBLEMS[problem.kind];
  if (problem.kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="bihuan"');
  for (const [name, value] of Object.entries(problem.headers ?? {})) reply.header(name, value);
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: problemType(problem.kind),
      title,
      status,
      detail: problem.detail,
      instance: req.url.split('?')[0] ?? req.url,
      requestId: req.id,
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req, reply) => {
    const problem = toProblem(err);
    if (problem.kind === 'internal' || problem.kind === 'unavailable')
      req.log.error({ err }, 'request failed');
    else req.log.info({ problem: problem.kind, detail: problem.detail }, 'request refused');
    return sendProblem(req, reply, problem);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, {
      kind: 'not-found',
      detail: `no endpoint ${req.method} ${req.url.split('?')[0]}`,
    }),
  );
}
