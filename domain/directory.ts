import Type, { type Static } from 'typebox';
import { Closed, OneOf } from './schema.js';
import { DOMAIN_VALUES, type HazardDomain } from './vocabulary.js';

/**
 * The directory: handling units with their contact sheet, the district's streets and towns, and
 * routing rules from (domain, locality) to the competent unit (属地管理 + 行业管理).
 */
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,19}$', description: 'digits, spaces, dashes' });
const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 254 });
/** A person on a unit's contact sheet; notices reach them by e-mail (issue 16), so give one. */
const Contact = Closed({ name: Name, phone: Phone, email: Type.Optional(Email) });

export const UNIT_KINDS = ['street_office', 'town_government', 'district_department', 'other'] as const;
export const UnitId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });

export const UnitBody = Closed({
  name: Name,
  kind: OneOf(UNIT_KINDS),
  district: Name,
  /** 分管领导, 科长, 经办人 */
  contacts: Closed({ leaderInCharge: Contact, sectionChief: Contact, caseOfficer: Contact }),
  active: Type.Optional(Type.Boolean()),
});
export type UnitBody = Static<typeof UnitBody>;
export interface Unit extends UnitBody {
  readonly id: string;
  readonly active: boolean;
}

export const RoutingRuleBody = Closed({
  domain: OneOf(DOMAIN_VALUES),
  district: Name,
  /** A street or town of the district; absent: the rule covers the whole district. */
  street: Type.Optional(Name),
  unitId: UnitId,
});
export type RoutingRuleBody = Static<typeof RoutingRuleBody>;
export interface RoutingRule extends RoutingRuleBody {
  readonly id: number;
}

/**
 * The unit a report goes to: the rule for its domain in its street wins over the district-wide
 * rule for the domain; then the street's rule for `other`, then the district's. Undefined when no
 * rule applies (the dispatcher chooses by hand).
 */
export function routeReport(
  rules: readonly RoutingRule[],
  at: { domain: HazardDomain; district: string; street?: string | undefined },
): RoutingRule | undefined {
  const find = (domain: string, street: string | undefined) =>
    rules.find((r) => r.domain === domain && r.district === at.district && r.street === street);
  const street = at.street;
  return (
    (street ? find(at.domain, street) : undefined) ??
    find(at.domain, undefined) ??
    (street ? find('other', street) : undefined) ??
    find('other', undefined)
  );
}

const Contacts = Closed({ leaderInCharge: Contact, sectionChief: Contact, caseOfficer: Contact });

/** The seed file of a district (domain/directory/demo-district.json is the demo one). */
export const DistrictSeedSchema = Closed({
  district: Name,
  streets: Type.Array(Closed({ id: Type.String({ minLength: 1, maxLength: 64 }), name: Name })),
  units: Type.Array(Closed({ id: UnitId, name: Name, kind: OneOf(UNIT_KINDS), contacts: Contacts })),
  routingRules: Type.Array(
    Closed({ domain: OneOf(DOMAIN_VALUES), street: Type.Optional(Name), unitId: UnitId }),
  ),
});
export type DistrictSeed = Static<typeof DistrictSeedSchema>;
