import {
  ApplicationFailure,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPVersion } from 'find-my-way';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  PROBLEMS,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemOfFailureType,
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
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  431: 'headers-too-large',
  503: 'unavailable',
  504: 'timeout',
};

const INTERNAL_DETAIL = 'something failed on our side; quote the request id when you report it';
const UNAVAILABLE_DETAIL = 'Temporal or the database did not answer; retry with backoff';
const TIMEOUT_DETAIL =
  'the report did not answer within the deadline (its worker may be busy or restarting); retry with backoff, and send the same Idempotency-Key with a step so that it is done once';

/** A gRPC call that ran past the deadline the API gave it (client.withDeadline). */
function isDeadlineExceeded(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 4) return true; // grpc DEADLINE_EXCEEDED
    if (e === (e as { cause?: unknown }).cause) break;
  }
  return false;
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ProblemError)
    return {
      kind: err.kind,
      detail: err.detail,
      headers: err.headers,
      ...(err.errors ? { errors: err.errors } : {}),
    };
  if (err instanceof WorkflowUpdateFailedError) {
    // The step's own refusal, or an activity's (data PostgreSQL refused) one level further down.
    for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
      const kind = cause instanceof ApplicationFailure ? problemOfFailureType(cause.type) : undefined;
      if (kind) return { kind, detail: cause.message };
    }
    return { kind: 'internal', detail: INTERNAL_DETAIL };
  }
  if (err instanceof WorkflowNotFoundError) return { kind: 'report-not-found', detail: 'no such report' };
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadlineExceeded(err)) {
    return { kind: 'timeout', detail: TIMEOUT_DETAIL, headers: { 'retry-after': '5' } };
  }
  if (err instanceof ServiceError || isDown(err)) {
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

function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(err);
  if (problem.kind === 'internal' || problem.kind === 'unavailable' || problem.kind === 'timeout')
    req.log.error({ err }, 'request failed');
  else req.log.info({ problem: problem.kind, detail: problem.detail }, 'request refused');
  return sendProblem(req, reply, problem);
}

/**
 * Fastify's own refusals before routing (a malformed percent-escape, a path parameter over
 * `maxParamLength`): pass as the `frameworkErrors` option, so they are problems like the rest.
 */
export const frameworkErrors = (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void =>
  void handleError(err, req, reply);

/**
 * What Node's HTTP parser refuses before there is a request at all (headers over the limit, a
 * request that never finished arriving, garbage): pass as the `clientErrorHandler` option. It can
 * only write to the socket, so it writes the problem document itself.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const kind: ProblemKind =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers-too-large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request-timeout'
        : 'invalid-input';
  const { status, title } = PROBLEMS[kind];
  const body = JSON.stringify({
    type: problemType(kind),
    title,
    status,
    detail: kind === 'invalid-input' ? 'the request is not well-formed HTTP' : title,
    instance: '/',
    requestId: randomUUID(),
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Errors as problems everywhere: the error handler for what routes throw, 404 for unknown paths
 * and 405 (with `Allow`) for a known path asked with another method, and — last — any error
 * answer that a plugin wrote itself (a CORS preflight refusal, a rate limit) rewritten into the
 * same document shape. Install before the routes: it learns their paths as they are added.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req, reply) => handleError(err, req, reply));
  const known = FindMyWay<HTTPVersion.V1>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if ((METHODS as readonly string[]).includes(method) && !route.url.includes('*'))
        known.on(method as (typeof METHODS)[number], route.url, () => undefined);
    }
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((m) => m !== req.method && known.find(m, path) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(req, reply, {
        kind: 'method-not-allowed',
        detail: `${path} takes ${allowed.join(', ')}, not ${req.method}`,
      });
    }
    return sendProblem(req, reply, { kind: 'not-found', detail: `no endpoint ${req.method} ${path}` });
  });
  app.addHook('onSend', async (req, reply, payload) => {
    // A JSON error answer is a route's declared one (a 503 /ready): only what a plugin wrote as
    // text (a CORS preflight refusal) or left empty becomes a problem document.
    if (reply.statusCode < 400) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    // …and an Open311 error is the GeoReport spec's array, in JSON or XML (api/open311/).
    if (
      type.startsWith(PROBLEM_CONTENT_TYPE) ||
      type.startsWith('application/json') ||
      type.startsWith('text/xml')
    )
      return payload;
    const kind = BY_STATUS[reply.statusCode] ?? (reply.statusCode >= 500 ? 'internal' : 'invalid-input');
    const { title } = PROBLEMS[kind];
    void reply.type(PROBLEM_CONTENT_TYPE);
    return JSON.stringify({
      type: problemType(kind),
      title,
      status: reply.statusCode,
      detail:
        typeof payload === 'string' && payload.length < 300 && !payload.startsWith('{') ? payload : title,
      instance: req.url.split('?')[0] ?? req.url,
      requestId: req.id,
    });
  });
}
