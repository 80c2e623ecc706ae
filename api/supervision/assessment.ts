import type postgres from 'postgres';
import type { Actor } from '../../domain/vocabulary.js';
import { RUNG_VALUES } from '../../domain/vocabulary.js';
import {
  FORMULAS,
  rate,
  groupFigures,
  selectionOf,
  type Rate,
  type StatisticsFilter,
  type ThreeRates,
} from './statistics.js';

/**
 * 年度考核: per unit, over the reports a list filter selects (a year is `receivedFrom`/`receivedTo`),
 * the figures a 安委办 scores a unit on — on time per step, extensions, returns as the dispatcher
 * decided them, escalations per rung, listed hazards and 三率. The same counting as the statistics
 * (GET /v1/statistics), unit by unit: a test reconciles the two.
 */

/** The unit's steps, by the clocks that time them. */
const STEPS = {
  verification: ['verification', 'unit_verification'],
  rectificationOrder: ['rectification_order'],
  rectification: ['rectification'],
  feedback: ['feedback', 'final_reply'],
} as const;

export interface UnitAssessment {
  readonly unitId: string;
  /** Every step of the unit's, as the statistics' `units` count them. */
  readonly onTime: Rate;
  readonly onTimeBy: { readonly [K in keyof typeof STEPS]: Rate };
  readonly extensions: { requested: number; approved: number; shortened: number; refused: number };
  readonly returns: { approved: number; refused: number };
  readonly escalationsByRung: Readonly<Record<string, number>>;
  /** 重大事故隐患 it verified (listed for supervision at once). */
  readonly majorHazards: number;
  readonly threeRates: ThreeRates;
}

const threeRatesOf = (r: ThreeRates | undefined): ThreeRates | undefined =>
  r && {
    responseRate: r.responseRate,
    resolutionRate: r.resolutionRate,
    satisfactionRate: r.satisfactionRate,
  };

export async function computeAssessment(sql: postgres.Sql, caller: Actor, filter: StatisticsFilter) {
  const selection = selectionOf(sql, caller, filter);
  const selected = selection.reportIds;
  const clocks = await sql<{ unit_id: string; clock: string; completed: number; on_time: number }[]>`
    select c.unit_id, c.clock,
      count(*) filter (where c.ended_how = 'done' and not c.misrouted)::int as completed,
      count(*) filter (where c.on_time and not c.misrouted)::int as on_time
    from report_clocks c join reports r using (report_id) where ${selection.clocks} and c.unit_id is not null
    group by 1, 2`;
  const events = await sql<{ unit_id: string; type: string; detail: string | null; count: number }[]>`
    select data ->> 'unitId' as unit_id, type,
      case when type = 'extension_decided' then data ->> 'decision' end as detail,
      count(*)::int as count
    from report_events
    where report_id in (${selected}) and data ->> 'unitId' is not null
      and type in ('extension_requested', 'extension_decided', 'return_approved', 'return_refused')
    group by 1, 2, 3`;
  const rungs = await sql<{ unit_id: string; rung: string; count: number }[]>`
    select unit_id, rung, count(*)::int as count from escalations
    where report_id in (${selected}) and unit_id is not null group by 1, 2`;
  const majors = await sql<{ unit_id: string; count: number }[]>`
    select data ->> 'unitId' as unit_id, count(distinct report_id)::int as count from report_events
    where report_id in (${selected}) and type = 'listed_supervision' and data ->> 'unitId' is not null
    group by 1`;
  const rates = (await groupFigures(sql, selection)).threeRates.unit;

  const units = [
    ...new Set([
      ...clocks.map((c) => c.unit_id),
      ...events.map((e) => e.unit_id),
      ...rungs.map((r) => r.unit_id),
      ...rates.map((r) => r.unitId),
    ]),
  ].sort();
  const count = (unitId: string, type: string, detail?: string) =>
    events
      .filter((e) => e.unit_id === unitId && e.type === type && (detail === undefined || e.detail === detail))
      .reduce((n, e) => n + e.count, 0);
  const onTimeOf = (unitId: string, names: readonly string[]) => {
    const rows = clocks.filter((c) => c.unit_id === unitId && names.includes(c.clock));
    const sum = (k: 'completed' | 'on_time') => rows.reduce((n, r) => n + r[k], 0);
    return rate(sum('on_time'), sum('completed'), FORMULAS.onTimeRate);
  };
  const empty = (formula: string) => rate(0, 0, formula);
  return {
    filter,
    units: units.map((unitId): UnitAssessment => ({
      unitId,
      onTime: onTimeOf(
        unitId,
        clocks.filter((c) => c.unit_id === unitId).map((c) => c.clock),
      ),
      onTimeBy: {
        verification: onTimeOf(unitId, STEPS.verification),
        rectificationOrder: onTimeOf(unitId, STEPS.rectificationOrder),
        rectification: onTimeOf(unitId, STEPS.rectification),
        feedback: onTimeOf(unitId, STEPS.feedback),
      },
      extensions: {
        requested: count(unitId, 'extension_requested'),
        approved: count(unitId, 'extension_decided', 'approved'),
        shortened: count(unitId, 'extension_decided', 'shortened'),
        refused: count(unitId, 'extension_decided', 'refused'),
      },
      returns: { approved: count(unitId, 'return_approved'), refused: count(unitId, 'return_refused') },
      escalationsByRung: Object.fromEntries(
        RUNG_VALUES.map((rung) => [
          rung,
          rungs.find((r) => r.unit_id === unitId && r.rung === rung)?.count ?? 0,
        ]),
      ),
      majorHazards: majors.find((m) => m.unit_id === unitId)?.count ?? 0,
      threeRates: threeRatesOf(rates.find((r) => r.unitId === unitId)) ?? {
        responseRate: empty(FORMULAS.unitResponseRate),
        resolutionRate: empty(FORMULAS.resolutionRate),
        satisfactionRate: empty(FORMULAS.satisfactionRate),
      },
    })),
  };
}
export type Assessment = Awaited<ReturnType<typeof computeAssessment>>;
