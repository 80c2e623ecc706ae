import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyRegistry } from '../../infra/policy-registry.js';
import { PolicyError } from '../../domain/policy.js';
import { projectPath } from '../../infra/project-paths.js';

const shipped = async () =>
  JSON.parse(await readFile(projectPath('policies', 'district-default.v1.json'), 'utf8')) as Record<
    string,
    unknown
  >;

async function dirWith(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bihuan-policies-'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('policies are validated when the worker loads them', () => {
  it('loads the shipped policies; a new report runs under the newest version of the default', async () => {
    const registry = await loadPolicyRegistry(projectPath('policies'), 'district-default');
    expect(registry.current()).toMatchObject({ id: 'district-default', version: 7 });
    expect(registry.get('district-working-days', 1).clocks.feedback.due.within).toEqual({ workingDays: 7 });
  });

  it('keeps every version, so a report keeps the version it was accepted under', async () => {
    const v1 = await shipped();
    const v2 = { ...v1, version: 2, name: '第二版' };
    const registry = await loadPolicyRegistry(
      await dirWith({ 'district-default.v1.json': v1, 'district-default.v2.json': v2 }),
      'district-default',
    );
    expect(registry.current().version).toBe(2);
    expect(registry.get('district-default', 1).name).toBe(v1.name);
  });

  it('refuses a policy with a bad field, naming the file and the field', async () => {
    const bad = await shipped();
    (bad.clocks as Record<string, { warnBeforeHours: unknown }>).verification!.warnBeforeHours = -1;
    await expect(
      loadPolicyRegistry(await dirWith({ 'district-default.v1.json': bad }), 'district-default'),
    ).rejects.toThrow(/district-default\.v1\.json: \/clocks\/verification\/warnBeforeHours/);
  });

  it('refuses unknown fields, broken JSON, a name that does not match the content, and a missing default', async () => {
    const good = await shipped();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'district-default.v1.json': { ...good, deadlinez: {} } }, /district-default\.v1\.json/],
      [{ 'district-default.v1.json': '{ not json' }, /not valid JSON/],
      [{ 'district-default.v2.json': good }, /does not match its name/],
      [{ 'other.v1.json': { ...good, id: 'other' } }, /the default policy district-default is not in/],
    ];
    for (const [files, message] of cases) {
      const load = loadPolicyRegistry(await dirWith(files), 'district-default');
      await expect(load).rejects.toThrow(PolicyError);
      await expect(load).rejects.toThrow(message);
    }
  });
});
