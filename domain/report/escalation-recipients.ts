import type { Policy } from '../policy.js';
import type { ClockName, Rung } from '../vocabulary.js';
import type { Recipient } from './effects.js';

/**
 * Who owes the step a clock times, and so who hears when it slips. A unit's own steps (签收,
 * verification, rectification order, rectification, answering the reporter) are the unit's; the
 * others (acceptance, assignment, dispute and extension decisions, the callback, the review, the
 * reward) are the dispatch centre's or the offices' above it.
 */
export const UNIT_CLOCKS: ReadonlySet<ClockName> = new Set<ClockName>([
  'acknowledgement',
  'verification',
  'unit_verification',
  'rectification_order',
  'rectification',
  'feedback',
  'final_reply',
  'supervision_reply',
  'support_reply',
]);

type Level = 'case_officer' | 'section_chief' | 'leader';
type Named = Level | 'supervisors' | 'dispatch_centre';

/** Before a policy names them (version 6): the unit's case officer, its leader from 约谈 on. */
const DEFAULT: (rung: Rung | undefined) => readonly Named[] = (rung) =>
  rung === 'interview' || rung === 'listed_supervision' || rung === 'exposure'
    ? ['leader']
    : ['case_officer'];

/**
 * The recipients of a clock's warning, missed deadline or rung. A unit's clock reaches the unit
 * holding the report at the levels the policy names (the dispatch centre when none holds it); a
 * clock the dispatch centre owes reaches it, and — past its deadline — never it alone: the 安委办
 * hears too. A warning goes to whoever owes the step, nobody else; a supporting unit's slip also
 * reaches the lead unit.
 */
export function recipientsOf(
  policy: Pick<Policy, 'escalationRecipients'>,
  event: { readonly clock: ClockName; readonly kind: 'warning' | 'overdue' | 'rung'; readonly rung?: Rung },
  unitId: string | undefined,
  /** The unit leading the report, where `unitId` only supports it (协办): it hears of every slip. */
  leadUnitId: string | undefined = unitId,
): Recipient[] {
  const unitOwes = UNIT_CLOCKS.has(event.clock) && unitId !== undefined;
  const named: readonly Named[] =
    event.kind === 'warning'
      ? [unitOwes ? 'case_officer' : 'dispatch_centre']
      : (policy.escalationRecipients?.[event.kind === 'rung' ? event.rung! : 'overdue'] ??
        DEFAULT(event.rung));
  const out: Recipient[] = [];
  const add = (r: Recipient) => {
    if (!out.some((o) => JSON.stringify(o) === JSON.stringify(r))) out.push(r);
  };
  for (const who of named) {
    if (who === 'supervisors') add({ kind: 'supervisors' });
    else if (who === 'dispatch_centre' || !unitOwes) add({ kind: 'dispatch_centre' });
    else add({ kind: 'unit', unitId: unitId, level: who });
  }
  if (event.kind !== 'warning' && out.every((r) => r.kind === 'dispatch_centre'))
    add({ kind: 'supervisors' });
  // A supporting unit late to the lead escalates to the lead, which answers for the report.
  if (event.kind !== 'warning' && leadUnitId !== undefined && leadUnitId !== unitId)
    add({ kind: 'unit', unitId: leadUnitId, level: 'case_officer' });
  return out;
}
