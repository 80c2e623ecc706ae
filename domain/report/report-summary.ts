import { isOverdue } from './clocks.js';
import type { ReportState, TimelineEvent } from './report-state.js';

/** The read-model row of a report: what listings filter and statistics count. */
export interface ReportSummary {
  readonly reportId: string;
  readonly channel: string;
  readonly externalId: string;
  readonly stage: string;
  readonly urgency: string;
  readonly category: string | null;
  readonly domain: string | null;
  readonly district: string;
  readonly street: string | null;
  readonly unitId: string | null;
  readonly majorHazard: boolean;
  readonly overdue: boolean;
  readonly receivedAt: string;
  readonly acceptedAt: string | null;
  readonly closedAt: string | null;
  readonly lastSequence: number;
}

export function summariseReport(s: ReportState): ReportSummary {
  return {
    reportId: s.reportId,
    channel: s.intake.channel,
    externalId: s.intake.externalId,
    stage: s.stage.name,
    urgency: s.classification?.urgency ?? s.intake.urgencyHint,
    category: s.classification?.category ?? s.intake.categoryHint ?? null,
    domain: s.classification?.domain ?? s.intake.domainHint ?? null,
    district: s.intake.location.district,
    street: s.intake.location.street ?? null,
    unitId: s.unitId ?? null,
    majorHazard: s.verification?.majorHazard ?? false,
    overdue: isOverdue(s),
    receivedAt: s.intake.receivedAt,
    acceptedAt: s.acceptedAt ?? null,
    closedAt: s.closedAt ?? null,
    lastSequence: s.timeline.length,
  };
}

/** What a projection carries: the row, and the timeline events not yet projected. */
export interface Projection {
  readonly summary: ReportSummary;
  readonly events: readonly TimelineEvent[];
}
