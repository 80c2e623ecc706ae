import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import {
  apiRestart,
  postgresOutage,
  relayKill,
  temporalRestart,
  workerKill,
  type DrillResult,
} from '../../scripts/drill/drills.js';
import { startStack, type Profile, type Stack } from '../../scripts/drill/stack.js';

/**
 * The fault drills of `npm run drill` that fit in CI, smaller (issue 18): on the dev server and on
 * a real Temporal cluster (the server's four services on PostgreSQL, two workers), each process
 * of its own and each hurt in the middle of real work. Nothing may be lost or done twice, and no
 * answer may be a 5xx other than 503. `npm run drill` runs them at full size.
 */
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const say = () => undefined;
const clean = (r: DrillResult) => ({
  drill: r.drill,
  lost: r.lost,
  doubled: r.doubled,
  other5xx: r.other5xx,
});
const expectClean = (r: DrillResult) =>
  expect(clean(r), r.notes).toEqual({ drill: r.drill, lost: 0, doubled: 0, other5xx: 0 });

describe.each<Profile>(['dev', 'cluster'])('fault drills on the %s profile', (profile) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(profile, log);
  }, 300_000);
  afterAll(() => stack?.stop(), 120_000);

  it(
    'kill -9 a worker during payments and steps: each report where its steps put it, each paid once',
    { timeout: 300_000 },
    async () => {
      expectClean(await workerKill(stack, say, 4));
    },
  );

  it(
    `restart Temporal (${profile === 'dev' ? 'the dev server' : 'the history service'}) during intake: each 2xx report exists once`,
    { timeout: 300_000 },
    async () => {
      expectClean(await temporalRestart(stack, say));
    },
  );

  if (profile === 'dev') {
    it('kill -9 the API during intake: each 2xx report exists once', { timeout: 300_000 }, async () => {
      expectClean(await apiRestart(stack, say));
    });
    it(
      'kill -9 the delivery relay while it drains: nothing lost, nothing doubled',
      { timeout: 300_000 },
      async () => {
        expectClean(await relayKill(stack, say, 8));
      },
    );
    it(
      'stop PostgreSQL for 20 s: 503 with Retry-After, never 500; the read model catches up',
      { timeout: 300_000 },
      async () => {
        const r = await postgresOutage(stack, say, 20, 4);
        expectClean(r);
        expect(r.sent).toBeGreaterThan(r.ok);
      },
    );
  }
});
