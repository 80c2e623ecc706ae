import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyVersionChanged, recordPolicies } from '../../activities/policy-record.js';
import { loadPolicyRegistry } from '../../infra/policy-registry.js';
import { projectPath } from '../../infra/project-paths.js';
import { createTestDatabase } from '../support/database.js';

/** The `policies` table keeps each policy version as first run; an edited version is refused. */
describe('recording the policies a worker runs with', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'bihuan-policies-'));
    await cp(projectPath('policies'), dir, { recursive: true });
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records every version once, and accepts the same files again', async () => {
    const registry = await loadPolicyRegistry(dir, 'district-default');
    await recordPolicies(db.sql, registry);
    await recordPolicies(db.sql, registry);
    const rows = await db.sql<
      { id: string; version: number }[]
    >`select id, version from policies order by id`;
    expect(rows.map((r) => `${r.id}.v${r.version}`)).toEqual(
      registry
        .all()
        .map((p) => `${p.id}.v${p.version}`)
        .sort(),
    );
    const [row] = await db.sql`select document from policies where id = 'district-default'`;
    expect(row!.document).toMatchObject({ id: 'district-default', version: 1 });
  });

  it('refuses a version whose content changed since it was first run, naming it and the fix', async () => {
    const file = join(dir, 'district-default.v1.json');
    const policy = JSON.parse(await readFile(file, 'utf8')) as { disputeWindowHours: number };
    await writeFile(file, JSON.stringify({ ...policy, disputeWindowHours: policy.disputeWindowHours + 24 }));
    const edited = await loadPolicyRegistry(dir, 'district-default');
    const refused = await recordPolicies(db.sql, edited).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PolicyVersionChanged);
    expect((refused as Error).message).toMatch(/district-default v1 .* publish its changes as v2/);
  });
});
