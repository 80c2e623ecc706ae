import { randomUUID } from 'node:crypto';
import type { Stack } from './stack.js';

/**
 * A drill's HTTP client: counts every answer, and retries what a real client retries — a refused
 * connection (the API restarting) and 503 (a dependency or the report unavailable for a moment) —
 * with the same body and Idempotency-Key, until an answer or the deadline.
 */
export interface Tally {
  sent: number;
  ok: number;
  s503: number;
  /** 5xx other than 503: each is a failure of the drill. */
  other5xx: number;
  connectionErrors: number;
  /** 503 answers without Retry-After: also a failure. */
  without503RetryAfter: number;
}

export const newTally = (): Tally => ({
  sent: 0,
  ok: 0,
  s503: 0,
  other5xx: 0,
  connectionErrors: 0,
  without503RetryAfter: 0,
});

export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
}

export function createClient(stack: Stack, tally: Tally) {
  async function once(
    method: string,
    path: string,
    as: string,
    body?: unknown,
    key?: string,
  ): Promise<Answer> {
    tally.sent += 1;
    try {
      const res = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${stack.keys[as] ?? as}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) tally.ok += 1;
      else if (res.status === 503) {
        tally.s503 += 1;
        if (!res.headers.get('retry-after')) tally.without503RetryAfter += 1;
      } else if (res.status >= 500) tally.other5xx += 1;
      let json: Record<string, unknown> | undefined;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    } catch {
      tally.connectionErrors += 1;
      return { status: 0, json: undefined };
    }
  }
  /** Sends until the answer is neither a refused connection nor 503, or `deadlineMs` passes. */
  async function retrying(
    method: string,
    path: string,
    as: string,
    body?: unknown,
    opts: { deadlineMs?: number; idempotent?: boolean } = {},
  ): Promise<Answer> {
    const key = opts.idempotent === false || method === 'GET' ? undefined : randomUUID();
    const deadline = Date.now() + (opts.deadlineMs ?? 180_000);
    for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
      const answer = await once(method, path, as, body, key);
      if ((answer.status !== 0 && answer.status !== 503) || Date.now() > deadline) return answer;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  return { once, retrying };
}

export const reportPath = (id: string, step?: string) =>
  `/v1/reports/${encodeURIComponent(id)}${step ? `/${step}` : ''}`;

let counter = 0;
export const anIntake = (tag: string) => {
  counter += 1;
  return {
    channel: 'hotline_12345',
    externalId: `DRILL-${tag}-${process.pid}-${counter}`,
    receivedAt: new Date().toISOString(),
    description: '某仓库内违规存放大量电动自行车电池并在楼道充电',
    location: { address: '浦兴路街道某路100号', district: '浦东新区', street: '浦兴路街道' },
    reporter: { anonymous: true },
  };
};
