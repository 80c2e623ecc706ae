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
