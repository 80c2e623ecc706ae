import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { projectPath } from '../../../infra/project-paths.js';

/**
 * The replay guard: the histories recorded at each release (`npm run record-histories`, into
 * `test/fixtures/histories/<version>/`) are replayed against the workflow code as it is now.
 * Reports live for weeks, so a report started under any release may still be running: a change
 * that would make it take a different path on replay — a new or reordered activity, timer or
 * signal — fails here, before it reaches a worker with reports in flight. Such a change needs
 * `patched()` (see domain/report/rule-changes.ts), not a re-recording.
 */

const HISTORIES = projectPath('test', 'fixtures', 'histories');
/** The lifecycles every release records (scripts/history-scenarios.ts). */
const LIFECYCLES = [
  'rejected',
  'reward-paid',
  'major-hazard-review',
  'verification-escalated',
  'merged-duplicate',
  'merge-survivor',
];

const releases = (await readdir(HISTORIES, { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const fixtures = (
  await Promise.all(
    releases.map(async (release) =>
      (await readdir(join(HISTORIES, release)))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => `${release}/${f.replace(/\.json$/, '')}`),
    ),
  )
).flat();

let results: Map<string, ReplayResult>;
beforeAll(async () => {
  const histories = await Promise.all(
    fixtures.map(async (name) => ({
      workflowId: name,
      history: JSON.parse(await readFile(join(HISTORIES, `${name}.json`), 'utf8')) as unknown,
    })),
  );
  results = new Map();
  const replays = Worker.runReplayHistories(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: 'bihuan-replay-guard' },
    histories,
  );
  for await (const result of replays) results.set(result.workflowId, result);
});

describe('replay guard: the workflow code still replays every history every release recorded', () => {
  it('keeps the histories of release 0.1.0, the first', () => {
    expect(releases).toContain('0.1.0');
  });

  it.each(releases)('has every lifecycle of release %s recorded', (release) => {
    expect(fixtures.filter((f) => f.startsWith(`${release}/`))).toEqual(
      expect.arrayContaining(LIFECYCLES.map((name) => `${release}/${name}`)),
    );
  });

  it.each(fixtures)('replays %s deterministically', (name) => {
    const result = results.get(name);
    expect(result, `no replay result for ${name}`).toBeDefined();
    expect(result?.error, `${name}: ${result?.error?.message ?? ''}`).toBeUndefined();
  });
});
