import { mkdtemp, readdir, copyFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyRegistry, type PolicyRegistry } from '../../infra/policy-registry.js';
import { projectPath } from '../../infra/project-paths.js';
import type { Policy } from '../../domain/policy.js';

/**
 * The shipped policies in a folder of the test's own, and a registry over them that a test can
 * reload after adding a version: what deploying a worker release with a new policy file does.
 */
export async function deployablePolicies(defaultId = 'district-default') {
  const dir = await mkdtemp(join(tmpdir(), 'bihuan-policies-'));
  for (const file of await readdir(projectPath('policies')))
    if (file.endsWith('.json')) await copyFile(join(projectPath('policies'), file), join(dir, file));
  let loaded = await loadPolicyRegistry(dir, defaultId);
  const registry: PolicyRegistry = {
    get defaultId() {
      return loaded.defaultId;
    },
    current: (id) => loaded.current(id),
    get: (id, version) => loaded.get(id, version),
    all: () => loaded.all(),
  };
  return {
    registry,
    /** Publishes a policy version (its file written as the registry names it) and reloads. */
    async deploy(policy: Policy) {
      await writeFile(join(dir, `${policy.id}.v${policy.version}.json`), JSON.stringify(policy, null, 2));
      loaded = await loadPolicyRegistry(dir, defaultId);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The next version of a policy as a district might publish it: 核查 (general) within
 * `workingDays` working days instead of its own limit.
 */
export const withVerificationWithin = (policy: Policy, workingDays: number): Policy => ({
  ...policy,
  version: policy.version + 1,
  name: `${policy.name}（核查时限改为${workingDays}个工作日）`,
  clocks: {
    ...policy.clocks,
    verification: {
      ...policy.clocks.verification,
      due: { ...policy.clocks.verification.due, general: { workingDays } },
    },
  },
});

/**
 * A 2027 New Year notice made up for the tests (not the real one): 元旦 1–4 January, Monday
 * 4 January a bridging day off, Saturday 9 January the make-up working day (调休).
 */
export const TEST_NOTICE_2027 = {
  source: '测试用通知（虚构）：2027年元旦放假安排',
  sourceUrl: 'https://example.org/test-notice-2027',
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'].map((date) => ({
    date,
    zh: '元旦',
    en: "New Year's Day",
  })),
  adjustedWorkdays: [{ date: '2027-01-09', zh: '元旦', en: "New Year's Day" }],
};
