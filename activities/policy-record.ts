import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import type { Policy } from '../domain/policy.js';
import type { PolicyRegistry } from '../infra/policy-registry.js';

/** A policy version whose content changed after reports started running under it. */
export class PolicyVersionChanged extends Error {
  override readonly name = 'PolicyVersionChanged';
}

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;
const digest = (p: Policy) =>
  createHash('sha256')
    .update(JSON.stringify(canonical(p)))
    .digest('hex');

/**
 * Records in `policies` every policy version the worker loaded, as it was the first time. A report
 * names its policy by (id, version); if the file of a version already recorded now says something
 * else, the worker refuses to start: deadlines of running reports would silently change meaning.
 * Publish a new version instead.
 */
export async function recordPolicies(sql: postgres.Sql, registry: PolicyRegistry): Promise<void> {
  for (const policy of registry.all()) {
    const sha256 = digest(policy);
    await sql`
      insert into policies (id, version, sha256, document)
      values (${policy.id}, ${policy.version}, ${sha256}, ${sql.json(policy)})
      on conflict (id, version) do nothing`;
    const [first] = await sql<{ sha256: string; first_loaded_at: Date }[]>`
      select sha256, first_loaded_at from policies where id = ${policy.id} and version = ${policy.version}`;
    if (first && first.sha256 !== sha256)
      throw new PolicyVersionChanged(
        `policy ${policy.id} v${policy.version} is not the one first run on ${first.first_loaded_at.toISOString()}: publish its changes as v${policy.version + 1} instead of editing v${policy.version}`,
      );
  }
}
