import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolicyError, validatePolicy, type Policy } from '../domain/policy.js';

/**
 * The policies a worker can run reports under, loaded from `policies/<id>.v<version>.json` and
 * validated at start-up: a bad file stops the worker with a message naming file and field.
 */
export interface PolicyRegistry {
  readonly defaultId: string;
  /** The newest version of `id` (the default policy when absent): what a new report runs under. */
  current(id?: string): Policy;
  /** An exact version, for reports that already run under it. */
  get(id: string, version: number): Policy;
  /** Every version of every policy loaded. */
  all(): Policy[];
}

const FILE_NAME = /^([a-z0-9][a-z0-9-]*)\.v(\d+)\.json$/;

export async function loadPolicyRegistry(dir: string, defaultId: string): Promise<PolicyRegistry> {
  const byId = new Map<string, Map<number, Policy>>();
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.json')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new PolicyError(`${file}: policy files are named <id>.v<version>.json`);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(join(dir, file), 'utf8'));
    } catch (err) {
      throw new PolicyError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const policy = validatePolicy(data, file);
    if (policy.id !== match[1] || policy.version !== Number(match[2])) {
      throw new PolicyError(
        `${file}: holds ${policy.id} version ${policy.version}, which does not match its name`,
      );
    }
    const versions = byId.get(policy.id) ?? new Map<number, Policy>();
    versions.set(policy.version, Object.freeze(policy));
    byId.set(policy.id, versions);
  }
  if (!byId.has(defaultId)) throw new PolicyError(`the default policy ${defaultId} is not in ${dir}`);
  const versionsOf = (id: string) =>
    byId.get(id) ??
    (() => {
      throw new PolicyError(`unknown policy ${id}`);
    })();
  return {
    defaultId,
    all: () => [...byId.values()].flatMap((versions) => [...versions.values()]),
    current(id = defaultId) {
      const versions = versionsOf(id);
      return versions.get(Math.max(...versions.keys()))!;
    },
    get(id, version) {
      return (
        versionsOf(id).get(version) ??
        (() => {
          throw new PolicyError(`unknown policy ${id} version ${version}`);
        })()
      );
    },
  };
}
