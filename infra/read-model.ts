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
export interface ReportRow {
  readonly report_id: string;
  readonly channel: string;
  readonly external_id: string;
  readonly stage: string;
  readonly urgency: string;
  readonly category: string | null;
  readonly domain: string | null;
  readonly district: string;
  readonly street: string | null;
  readonly grid: string | null;
  readonly unit_id: string | null;
  readonly major_hazard: boolean;
  readonly overdue: boolean;
  readonly received_at: Date;
  readonly accepted_at: Date | null;
  readonly closed_at: Date | null;
  readonly verified_at: Date | null;
  readonly verification_outcome: string | null;
  readonly hazards_found: number;
  readonly findings: string | null;
  readonly measures: string[];
  readonly five_points: Readonly<Record<string, string>> | null;
  readonly rectification_ordered_at: Date | null;
  readonly rectification_due_at: Date | null;
  readonly rectified_at: Date | null;
  readonly written_off_at: Date | null;
  readonly feedback_at: Date | null;
  readonly satisfaction: string | null;
  readonly reward_proposed_fen: string | null;
  readonly reward_approved_fen: string | null;
  readonly reward_paid_fen: string | null;
  readonly closure_outcome: string | null;
  readonly returns: number;
  readonly disputes: number;
  readonly reopens: number;
  readonly next_due_at: Date | null;
  readonly next_due_clock: string | null;
  readonly escalation_level: number;
  readonly last_sequence: number;
}

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
