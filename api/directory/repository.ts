import { readFileSync } from 'node:fs';
import type postgres from 'postgres';
import { Value } from 'typebox/value';
import {
  DistrictSeedSchema,
  type DistrictSeed,
  type RoutingRule,
  type Unit,
  type UnitBody,
} from '../../domain/directory.js';
import { projectPath } from '../../infra/project-paths.js';

/** The directory in PostgreSQL: units, streets, routing rules. */

export const DEMO_DISTRICT_FILE = projectPath('domain/directory/demo-district.json');

/** The demo district `npm start` seeds outside production (validated: a broken seed file fails loudly). */
export function loadDemoDistrict(): DistrictSeed {
  const data: unknown = JSON.parse(readFileSync(DEMO_DISTRICT_FILE, 'utf8'));
  if (!Value.Check(DistrictSeedSchema, data)) {
    const [first] = [...Value.Errors(DistrictSeedSchema, data)];
    throw new Error(`${DEMO_DISTRICT_FILE}: ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`);
  }
  return data;
}

interface UnitRow {
  id: string;
  name: string;
  kind: Unit['kind'];
  district: string;
  contacts: Unit['contacts'];
  active: boolean;
}
const unitOf = (r: UnitRow): Unit => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  district: r.district,
  contacts: r.contacts,
  active: r.active,
});

export async function listUnits(sql: postgres.Sql): Promise<Unit[]> {
  return (await sql<UnitRow[]>`select id, name, kind, district, contacts, active from units order by id`).map(
    unitOf,
  );
}

export async function getUnit(
  sql: postgres.Sql | postgres.TransactionSql,
  id: string,
): Promise<Unit | undefined> {
  const [row] = await sql<
    UnitRow[]
  >`select id, name, kind, district, contacts, active from units where id = ${id}`;
  return row ? unitOf(row) : undefined;
}

export async function putUnit(
  sql: postgres.Sql | postgres.TransactionSql,
  id: string,
  body: UnitBody,
): Promise<Unit> {
  const [row] = await sql<UnitRow[]>`
    insert into units (id, name, kind, district, contacts, active)
    values (${id}, ${body.name}, ${body.kind}, ${body.district}, ${sql.json(body.contacts)}, ${body.active ?? true})
    on conflict (id) do update set name = excluded.name, kind = excluded.kind, district = excluded.district,
      contacts = excluded.contacts, active = excluded.active, updated_at = now()
    returning id, name, kind, district, contacts, active`;
  return unitOf(row!);
}

interface RuleRow {
  id: string;
  domain: RoutingRule['domain'];
  district: string;
  street: string | null;
  unit_id: string;
}
const ruleOf = (r: RuleRow): RoutingRule => ({
  id: Number(r.id),
  domain: r.domain,
  district: r.district,
  ...(r.street === null ? {} : { street: r.street }),
  unitId: r.unit_id,
});

export async function listRules(sql: postgres.Sql): Promise<RoutingRule[]> {
  return (
    await sql<
      RuleRow[]
    >`select id, domain, district, street, unit_id from routing_rules order by district, domain, street nulls first`
  ).map(ruleOf);
}

/** Creates or replaces the rule of (domain, district, street). */
export async function putRule(
  sql: postgres.Sql | postgres.TransactionSql,
  rule: Omit<RoutingRule, 'id'>,
): Promise<RoutingRule> {
  const [row] = await sql<RuleRow[]>`
    insert into routing_rules (domain, district, street, unit_id)
    values (${rule.domain}, ${rule.district}, ${rule.street ?? null}, ${rule.unitId})
    on conflict (domain, district, street) do update set unit_id = excluded.unit_id, updated_at = now()
    returning id, domain, district, street, unit_id`;
  return ruleOf(row!);
}

export async function deleteRule(sql: postgres.Sql, id: number): Promise<boolean> {
  return (await sql`delete from routing_rules where id = ${id} returning 1`).length > 0;
}

/** Whether `unitId` is an active unit, or the directory is empty (then any unit id goes). */
export async function unitMayBeAssigned(sql: postgres.Sql, unitId: string): Promise<boolean> {
  const [row] = await sql<{ known: boolean; empty: boolean }[]>`
    select exists (select 1 from units where id = ${unitId} and active) as known,
           not exists (select 1 from units) as empty`;
  return Boolean(row?.known || row?.empty);
}

/** Seeds a district into an empty directory; answers whether it did. Two starts at once seed once. */
export async function seedDistrict(sql: postgres.Sql, seed: DistrictSeed): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`lock table units in exclusive mode`;
    const [any] = await tx`select 1 from units limit 1`;
    if (any) return false;
    for (const u of seed.units)
      await putUnit(tx, u.id, { name: u.name, kind: u.kind, district: seed.district, contacts: u.contacts });
    for (const s of seed.streets)
      await tx`insert into streets (id, district, name) values (${s.id}, ${seed.district}, ${s.name})`;
    for (const r of seed.routingRules)
      await putRule(tx, {
        domain: r.domain,
        district: seed.district,
        ...(r.street ? { street: r.street } : {}),
        unitId: r.unitId,
      });
    return true;
  });
}
