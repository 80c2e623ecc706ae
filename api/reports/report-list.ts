import type postgres from 'postgres';
import Type, { type Static } from 'typebox';
import { STAGE_NAMES } from '../../domain/report/report-state.js';
import { Instant as BoundedInstant, OneOf } from '../../domain/schema.js';
import { UnitId } from '../../domain/directory.js';
import { bigrams, searchTerms } from '../../domain/search-text.js';
import {
  CATEGORY_VALUES,
  CHANNEL_VALUES,
  CLOCK_VALUES,
  DOMAIN_VALUES,
  URGENCY_VALUES,
  type Actor,
} from '../../domain/vocabulary.js';
import { ProblemError } from '../platform/problems.js';

/**
 * The report list, served from the PostgreSQL read model (never Temporal visibility): filters
 * combine with AND, values of one repeated filter with OR. Newest first, with keyset pagination:
 * a page ends with `nextCursor`, the position after its last row, so paging stays fast and
 * stable however deep it goes and while new reports arrive.
 */

const Many = <T extends readonly string[]>(values: T, description: string) =>
  Type.Optional(Type.Array(OneOf(values), { minItems: 1, maxItems: values.length, description }));

export const ReportListQuery = Type.Object(
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
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export type ReportListQuery = Static<typeof ReportListQuery>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

export const ReportListItem = Type.Object({
  reportId: Type.String(),
  channel: Type.String(),
  externalId: Type.String(),
  stage: Type.String(),
  urgency: Type.String(),
  category: Nullable(Type.String()),
  domain: Nullable(Type.String()),
  district: Type.String(),
  street: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  overdue: Type.Boolean(),
  majorHazard: Type.Boolean(),
  escalationLevel: Type.Integer({ description: 'rungs fired on the most escalated running deadline' }),
  nextDueAt: Nullable(Instant),
  nextDueClock: Nullable(OneOf(CLOCK_VALUES)),
  receivedAt: Instant,
  acceptedAt: Nullable(Instant),
  closedAt: Nullable(Instant),
  closureOutcome: Nullable(Type.String()),
});
export type ReportListItem = Static<typeof ReportListItem>;

export const ReportListPage = Type.Object({
  items: Type.Array(ReportListItem),
  nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page; null at the end' })),
});
export type ReportListPage = Static<typeof ReportListPage>;

interface Position {
  readonly receivedAt: string;
  readonly reportId: string;
}

const encodeCursor = (p: Position) =>
  Buffer.from(JSON.stringify([p.receivedAt, p.reportId])).toString('base64url');

function decodeCursor(cursor: string): Position {
  try {
    const [receivedAt, reportId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof receivedAt === 'string' &&
      typeof reportId === 'string' &&
      !Number.isNaN(Date.parse(receivedAt))
    )
      return { receivedAt, reportId };
  } catch {
    // falls through to the problem below
  }
  throw new ProblemError('invalid-input', 'cursor is not one this API gave out');
}

/** `like` takes % and _ as wildcards: a search for "50%" means the characters. */
const likeLiteral = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface ListRow {
  report_id: string;
  channel: string;
  external_id: string;
  stage: string;
  urgency: string;
  category: string | null;
  domain: string | null;
  district: string;
  street: string | null;
  unit_id: string | null;
  overdue: boolean;
  major_hazard: boolean;
  escalation_level: number;
  next_due_at: Date | null;
  next_due_clock: (typeof CLOCK_VALUES)[number] | null;
  received_at: Date;
  accepted_at: Date | null;
  closed_at: Date | null;
  closure_outcome: string | null;
}

const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * The WHERE clause of a list query (shared with exports and statistics, which must count exactly
 * what the list shows). A handler sees its own unit's reports only: asking for another unit is
 * refused rather than silently answered with nothing.
 */
export function reportFilter(
  sql: postgres.Sql,
  caller: Actor,
  q: Omit<ReportListQuery, 'limit' | 'cursor'>,
  /** The alias of `reports` in the statement, when it joins other tables. */
  alias?: 'r',
) {
  // Column names are this module's constants, never input.
  const col = (name: string) => sql.unsafe<postgres.Row[]>(alias ? `${alias}.${name}` : name);
  const parts: Fragment[] = [];
  if (caller.role === 'handler') {
    if (q.unitId && q.unitId.some((u) => u !== caller.unitId))
      throw new ProblemError('not-allowed', 'a handler lists the reports of its own unit only');
    parts.push(sql`${col('unit_id')} = ${caller.unitId ?? ''}`);
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

type Fragment = postgres.PendingQuery<postgres.Row[]>;

const and = (sql: postgres.Sql, parts: readonly Fragment[]): Fragment =>
  parts.length === 0 ? sql`true` : parts.reduce((acc, p) => sql`${acc} and ${p}`);

/** Every term's bigrams among the report's (the GIN index), and every term in its text. */
function textFilter(sql: postgres.Sql, q: string, col: (name: string) => Fragment): Fragment | undefined {
  const terms = searchTerms(q);
  if (terms.length === 0) return undefined;
  const grams = terms.flatMap(bigrams);
  return and(sql, [
    ...(grams.length > 0 ? [sql`${col('search_grams')} @> ${grams}::text[]`] : []),
    ...terms.map((term) => sql`${col('search_text')} like ${likeLiteral(term)}`),
  ]);
}

/** How many of the newest candidate reports a text search reads in order before using its index. */
const SEARCH_WINDOW = 5000;

export async function listReports(
  sql: postgres.Sql,
  caller: Actor,
  query: ReportListQuery,
): Promise<ReportListPage> {
  const { limit = 50, cursor, q, ...filters } = query;
  const where = reportFilter(sql, caller, filters);
  const after = cursor ? decodeCursor(cursor) : undefined;
  const position = after
    ? sql`and (received_at, report_id) < (${after.receivedAt}::timestamptz, ${after.reportId})`
    : sql``;
  const text = q === undefined ? undefined : textFilter(sql, q, (name) => sql.unsafe<postgres.Row[]>(name));
  const columns = sql`report_id, channel, external_id, stage, urgency, category, domain, district, street,
    unit_id, overdue, major_hazard, escalation_level, next_due_at, next_due_clock, received_at, accepted_at,
    closed_at, closure_outcome`;
  const order = sql`order by received_at desc, report_id desc`;
  const everywhere = () => sql<ListRow[]>`
    select ${columns} from reports where ${where} ${position} ${text ? sql`and ${text}` : sql``}
    ${order} limit ${limit + 1}`;
  let rows: ListRow[];
  if (!text) rows = await everywhere();
  else {
    // The planner takes a word's bigrams as independent and believes "燃气管道" rare when one
    // report in twelve says it; then it collects every match from the bigram index and sorts them
    // (a second at a million reports). So a search first reads the newest candidates in order —
    // a common word fills the page within a few hundred — and uses the index only when they don't.
    rows = await sql<ListRow[]>`
      select ${columns} from (
        select * from reports where ${where} ${position} ${order} limit ${SEARCH_WINDOW}
      ) newest where ${text} ${order} limit ${limit + 1}`;
    if (rows.length <= limit) rows = await everywhere();
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      reportId: r.report_id,
      channel: r.channel,
      externalId: r.external_id,
      stage: r.stage,
      urgency: r.urgency,
      category: r.category,
      domain: r.domain,
      district: r.district,
      street: r.street,
      unitId: r.unit_id,
      overdue: r.overdue,
      majorHazard: r.major_hazard,
      escalationLevel: r.escalation_level,
      nextDueAt: isoOrNull(r.next_due_at),
      nextDueClock: r.next_due_clock,
      receivedAt: r.received_at.toISOString(),
      acceptedAt: isoOrNull(r.accepted_at),
      closedAt: isoOrNull(r.closed_at),
      closureOutcome: r.closure_outcome,
    })),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ receivedAt: last.received_at.toISOString(), reportId: last.report_id })
        : null,
  };
}
