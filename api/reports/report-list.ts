import type postgres from 'postgres';
import Type, { type Static } from 'typebox';
import { OneOf } from '../../domain/schema.js';
import { CLOCK_VALUES, type Actor } from '../../domain/vocabulary.js';
import { shownRow, type ReportRow } from '../../infra/read-model.js';
import { ProblemError } from '../platform/problems.js';
import { ReportFilterQuery, reportFilter, textFilter } from './report-filter.js';

/**
 * The report list, served from the PostgreSQL read model (never Temporal visibility). Newest
 * first, with keyset pagination: a page ends with `nextCursor`, the position after its last row,
 * so paging stays fast and stable however deep it goes and while new reports arrive.
 */

export const ReportListQuery = Type.Object(
  {
    ...ReportFilterQuery.properties,
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

/** The columns a list item shows, read as the read model's rows. */
const LIST_COLUMNS = [
  'report_id',
  'channel',
  'external_id',
  'stage',
  'urgency',
  'category',
  'domain',
  'district',
  'street',
  'unit_id',
  'overdue',
  'major_hazard',
  'escalation_level',
  'next_due_at',
  'next_due_clock',
  'received_at',
  'accepted_at',
  'closed_at',
  'closure_outcome',
] as const satisfies readonly (keyof ReportRow)[];
type ListRow = Pick<ReportRow, (typeof LIST_COLUMNS)[number]>;

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
  const columns = sql(LIST_COLUMNS as unknown as string[]);
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
    items: page.map((r) => shownRow(r) as ReportListItem),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ receivedAt: last.received_at.toISOString(), reportId: last.report_id })
        : null,
  };
}
