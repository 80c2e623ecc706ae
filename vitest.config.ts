import { defineConfig } from 'vitest/config';

/**
 * Two projects mirror the runtime split:
 * - `unit`: pure code (calendar, rules, state machine), no servers, fully parallel;
 * - `integration`: real PostgreSQL and real Temporal servers, started once by the global setup.
 *
 * The Temporal worker loads a native module and bundles workflow code, so tests run in forked
 * processes (`pool: 'forks'`) and get generous timeouts: two cores may be busy bundling.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // Each integration file may start its own time-skipping server (a JVM): two at a time on two cores.
          maxWorkers: 2,
        },
      },
    ],
  },
});
