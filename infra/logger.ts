import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The root logger. Children carry the component (`api`, `worker`, `postgres`, …) and, in the API,
 * the request id. Reporter identity must never reach a log line: the paths below are redacted as a
 * last line of defence, the first being that workflows and activities never hold it in clear.
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  /**
   * Standard output unless given (the privacy test reads what would be logged): one JSON object a
   * line for machines, or, when standard output is a terminal (`npm start` in a shell), lines a
   * person reads, with times in the local zone.
   */
  destination: DestinationStream | undefined = process.stdout.isTTY
    ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' })
    : undefined,
): Logger {
  return pino(
    {
      level,
      base: { service: 'bihuan', ...bindings },
      // A claim code in a path (/status/<code>) is the anonymous reporter's only key: never logged.
      serializers: { req: hideClaimCodes },
      redact: {
        paths: [
          '*.reporter.name',
          '*.reporter.phone',
          '*.reporter.idNumber',
          'req.headers.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * A request as logged — Fastify's own fields (method, url, host, client address) and nothing
 * else, the path's claim code (the status page's) replaced. This replaces Fastify's serializer of
 * the same name, so it must never spread the request: that would log its raw headers.
 */
function hideClaimCodes(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req;
  const r = req as {
    method?: string;
    url?: string;
    host?: string;
    ip?: string;
    socket?: { remotePort?: number };
  };
  return {
    method: r.method,
    url: typeof r.url === 'string' ? r.url.replace(/(\/status\/)[^/?#]+/gi, '$1[claim code]') : r.url,
    host: r.host,
    remoteAddress: r.ip,
    remotePort: r.socket?.remotePort,
  };
}

export type { Logger };
