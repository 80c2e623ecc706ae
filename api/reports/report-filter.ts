import type postgres from 'postgres';
import Type, { type Static } from 'typebox';
import { UnitId } from '../../domain/directory.js';
import { STAGE_NAMES } from '../../domain/report/report-state.js';
import { Instant as BoundedInstant, OneOf } from '../../domain/schema.js';
import { bigrams, searchTerms } from '../../domain/search-text.js';
import {
  CATEGORY_VALUES,
  CHANNEL_VALUES,
  DOMAIN_VALUES,
  URGENCY_VALUES,
  type Actor,
} from '../../domain/vocabulary.js';
import { ProblemError } from '../platform/problems.js';

/**
 * Which reports a request is about: the filters of the list, and of every figure and export
 * drawn from it — one schema and one WHERE clause, so a statistic, an export and the list never
 * count differently. Filters combine with AND, the values of one repeated filter with OR.
 */
const Many = <T extends readonly string[]>(values: T, description: string) =>
  Type.Optional(Type.Array(OneOf(values), { minItems: 1, maxItems: values.length, description }));

export const ReportFilterQuery = Type.Object(
  {
    stage: Many(STAGE_NAMES, 'stage; repeat for several (stage=verifying&stage=rectifying)'),
    unitId: Type.Optional(Type.Array(UnitId, { minItems: 1, maxItems: 50, description: 'handling unit' })),
    urgency: Many(URGENCY_VALUES, 'urgency'),
    channel: Many(CHANNEL_VALUES, 'intake channel'),
    category: Many(CATEGORY_VALUES, 'hazard category'),
    domain: Many(DOMAIN_VALUES, 'industry domain'),
    district: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    street: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    overdue: Type.Optional(Type.Boolean({ description: 'a running deadline has passed' })),
    majorHazard: Type.Optional(Type.Boolean({ description: 'verification found a major hazard' })),
    receivedFrom: Type.Optional(BoundedInstant({ description: 'received at or after' })),
    receivedTo: Type.Optional(BoundedInstant({ description: 'received before' })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'words that must all occur in the description or address',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ReportFilterQuery = Static<typeof ReportFilterQuery>;

/**
 * The WHERE clause of a list query (shared with exports and statistics, which must count exactly
 * what the list shows). A handler sees its own unit's reports only: asking for another unit is
 * refused rather than silently answered with nothing.
 */
export function reportFilter(
  sql: postgres.Sql,
  caller: Actor,
  q: ReportFilterQuery,
  /** The alias of `reports` in the statement, when it joins other tables. */
  alias?: 'r',
) {
  // Column names are this module's constants, never input.
  const col = (name: string) => sql.unsafe<postgres.Row[]>(alias ? `${alias}.${name}` : name);
  const parts: Fragment[] = [];
  if (caller.role === 'handler') {
    if (q.unitId && q.unitId.some((u) => u !== caller.unitId))
      throw new ProblemError('not-allowed', 'a handler lists the reports of its own unit only');
    // Its own reports, and those it supports (协办).
    const unit = caller.unitId ?? '';
    parts.push(sql`(${col('unit_id')} = ${unit} or ${unit} = any(${col('supporting_unit_ids')}))`);
  } else if (q.unitId) parts.push(sql`${col('unit_id')} in ${sql(q.unitId)}`);
  if (q.stage) parts.push(sql`${col('stage')} in ${sql(q.stage)}`);
  if (q.urgency) parts.push(sql`${col('urgency')} in ${sql(q.urgency)}`);
  if (q.channel) parts.push(sql`${col('channel')} in ${sql(q.channel)}`);
  if (q.category) parts.push(sql`${col('category')} in ${sql(q.category)}`);
  if (q.domain) parts.push(sql`${col('domain')} in ${sql(q.domain)}`);
  if (q.district !== undefined) parts.push(sql`${col('district')} = ${q.district}`);
  if (q.street !== undefined) parts.push(sql`${col('street')} = ${q.street}`);
  if (q.overdue !== undefined) parts.push(sql`${col('overdue')} = ${q.overdue}`);
  if (q.majorHazard !== undefined) parts.push(sql`${col('major_hazard')} = ${q.majorHazard}`);
  if (q.receivedFrom !== undefined) parts.push(sql`${col('received_at')} >= ${q.receivedFrom}`);
  if (q.receivedTo !== undefined) parts.push(sql`${col('received_at')} < ${q.receivedTo}`);
  const text = q.q === undefined ? undefined : textFilter(sql, q.q, col);
  return text ? and(sql, [...parts, text]) : and(sql, parts);
}

export type Fragment = postgres.PendingQuery<postgres.Row[]>;

const and = (sql: postgres.Sql, parts: readonly Fragment[]): Fragment =>
  parts.length === 0 ? sql`true` : parts.reduce((acc, p) => sql`${acc} and ${p}`);

/** Every term's bigrams among the report's (the GIN index), and every term in its text. */
export function textFilter(
  sql: postgres.Sql,
  q: string,
  col: (name: string) => Fragment,
): Fragment | undefined {
  const terms = searchTerms(q);
  if (terms.length === 0) return undefined;
  const grams = terms.flatMap(bigrams);
  return and(sql, [
    ...(grams.length > 0 ? [sql`${col('search_grams')} @> ${grams}::text[]`] : []),
    ...terms.map((term) => sql`${col('search_text')} like ${likeLiteral(term)}`),
  ]);
}

/** `like` takes % and _ as wildcards: a search for "50%" means the characters. */
const likeLiteral = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
