import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { projectPath } from '../../../infra/project-paths.js';

/**
 * The replay guard: histories recorded from representative lifecycles (`npm run record-histories`)
 * are replayed against the workflow code as it is now. A change that would make a running report
 * take a different path on replay — a new or reordered activity, timer or signal — fails here,
 * before it reaches a worker with reports in flight. Such a change needs `patched()` (or a new
 * workflow type), not a re-recording.
 */

const HISTORIES = projectPath('test', 'fixtures', 'histories');
const fixtures = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();

let results: Map<string, ReplayResult>;
beforeAll(async () => {
  const histories = await Promise.all(
    fixtures.map(async (file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: JSON.parse(await readFile(join(HISTORIES, file), 'utf8')) as unknown,
    })),
  );
  results = new Map();
  const replays = Worker.runReplayHistories(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: 'bihuan-replay-guard' },
    histories,
  );
  for await (const result of replays) results.set(result.workflowId, result);
});

describe('replay guard: the workflow code still replays every recorded history', () => {
  it('has the representative lifecycles recorded', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'rejected.json',
        'reward-paid.json',
        'major-hazard-review.json',
        'verification-escalated.json',
        'merged-duplicate.json',
        'merge-survivor.json',
      ]),
    );
  });

  it.each(fixtures.map((f) => f.replace(/\.json$/, '')))('replays %s deterministically', (name) => {
    const result = results.get(name);
    expect(result, `no replay result for ${name}`).toBeDefined();
    expect(result?.error, `${name}: ${result?.error?.message ?? ''}`).toBeUndefined();
  });
});
