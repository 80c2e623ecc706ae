import Type from 'typebox';
import { ActorSchema } from '../../domain/report/step-inputs.js';
import { CLOCK_VALUES } from '../../domain/vocabulary.js';
import { OneOf } from '../../domain/schema.js';

/**
 * Schemas of what the report endpoints take and return. The report view is the workflow's query
 * result; the schema names its stable top-level fields and lets the rest (stage details, reward,
 * provenance) through as they are, so the API never silently drops a field the workflow adds.
 */

/** `report:<channel>:<externalId>`; send it percent-encoded or not, both arrive the same. */
export const ReportIdParams = Type.Object({
  id: Type.String({
    pattern: '^report:[a-z0-9_]{1,32}:[A-Za-z0-9._:-]{1,64}$',
    description: 'the report id, e.g. report:hotline_12345:GD20261123001 (percent-encoding accepted)',
  }),
});

const Open = (properties: Parameters<typeof Type.Object>[0], description: string) =>
  Type.Object(properties, { additionalProperties: true, description });

export const TimelineEventSchema = Type.Object({
  sequence: Type.Integer({ minimum: 1 }),
  type: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Optional(ActorSchema),
  data: Type.Optional(Open({}, 'what the event records')),
});

const DeadlineSchema = Open(
  {
    clock: OneOf(CLOCK_VALUES),
    occurrence: Type.Integer(),
    status: OneOf(['running', 'paused', 'done'] as const),
    dueAt: Type.String({ format: 'date-time' }),
    overdue: Type.Boolean(),
  },
  'a deadline with its provenance (policy, calendar, rule)',
);

export const ReportViewSchema = Open(
  {
    reportId: Type.String(),
    stage: Open({ name: Type.String() }, 'the stage and what it needs (unit, deadline, reason …)'),
    unitId: Type.Optional(Type.String()),
    overdue: Type.Boolean(),
    majorHazard: Type.Boolean(),
    deadlines: Type.Array(DeadlineSchema),
    escalations: Type.Array(Open({}, 'a warning, miss or ladder rung')),
    timeline: Type.Array(TimelineEventSchema),
  },
  'the full state of a report, as the workflow holds it',
);

export const TimelineSchema = Type.Object({
  reportId: Type.String(),
  timeline: Type.Array(TimelineEventSchema),
});
