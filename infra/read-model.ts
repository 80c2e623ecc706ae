import type { ClockSummary, ReportSummary } from '../domain/report/report-summary.js';
import { bigrams, normaliseText } from '../domain/search-text.js';

/**
 * The `reports` table of the read model, in one place: the row every reader gets back, and the one
 * mapping from a report's summary (what the workflow projects) to its columns. The projection
 * activity is the only writer; the list, the exports and the statistics read the same type.
 *
 * Columns are the summary's fields in snake_case, plus what is derived for queries (the next
 * deadline, the escalation level, the search text and its bigrams, the snapshot).
 */
type Snake<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}`
  : S;
/** How PostgreSQL hands a summary's value back: instants (`…At`) as Date, money (`…Fen`, bigint) as text. */
type Stored<K, V> = K extends `${string}At`
  ? Date | Exclude<V, string>
  : K extends `${string}Fen`
    ? string | Exclude<V, number>
    : V;
type SummaryColumns = Omit<ReportSummary, 'clocks' | 'text' | 'fivePoints' | 'measures'>;

/** A row of `reports` as this project's `sql` reads it: the summary's columns, and the derived ones. */
export type ReportRow = {
  readonly [K in keyof SummaryColumns as Snake<K & string>]: Stored<K, SummaryColumns[K]>;
} & {
  readonly measures: string[];
  readonly five_points: Readonly<Record<string, string>> | null;
  readonly next_due_at: Date | null;
  readonly next_due_clock: string | null;
  readonly escalation_level: number;
};

/** Columns set once, when the report is first projected. */
export const INSERT_ONLY_COLUMNS: readonly string[] = ['report_id', 'channel', 'external_id', 'received_at'];

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The nearest deadline among running, unpaused clocks: what a "due soon" board sorts by. */
function nextDue(clocks: readonly ClockSummary[]): { at: string | null; clock: string | null } {
  let next: ClockSummary | undefined;
  for (const c of clocks) {
    if (c.stoppedAt !== null || c.paused) continue;
    if (!next || Date.parse(c.dueAt) < Date.parse(next.dueAt)) next = c;
  }
  return { at: next?.dueAt ?? null, clock: next?.clock ?? null };
}

const escalationLevel = (clocks: readonly ClockSummary[]) =>
  Math.max(0, ...clocks.filter((c) => c.stoppedAt === null).map((c) => c.rungsFired));

/**
 * The columns a summary writes. `json` wraps the jsonb values (the caller's `sql.json`), so this
 * module needs no connection. Clocks go to `report_clocks`; the text only to the search columns.
 */
export function reportColumnsOf(
  summary: ReportSummary,
  json: (value: unknown) => unknown,
): Record<string, unknown> {
  const { clocks, text, fivePoints, ...plain } = summary;
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(plain)) columns[snake(key)] = value;
  const due = nextDue(clocks);
  const { text: _text, ...snapshot } = summary;
  const body = text ? `${text.description}\n${text.address}` : undefined;
  return {
    ...columns,
    five_points: fivePoints === null ? null : json(fivePoints),
    next_due_at: due.at,
    next_due_clock: due.clock,
    escalation_level: escalationLevel(clocks),
    snapshot: json(snapshot),
    ...(body === undefined ? {} : { search_text: normaliseText(body), search_grams: bigrams(body) }),
  };
}

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** A row as the API shows it: camelCase names, instants as ISO 8601 text. */
export type Shown<R> = {
  -readonly [K in keyof R as Camel<K & string>]: R[K] extends Date
    ? string
    : R[K] extends Date | null
      ? string | null
      : R[K];
};

/** The API's view of a row: camelCase names, instants as ISO 8601 text. */
export function shownRow<R extends object>(row: R): Shown<R> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      camel(key),
      value instanceof Date ? value.toISOString() : value,
    ]),
  ) as Shown<R>;
}
