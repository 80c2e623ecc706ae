import Type, { type Static } from 'typebox';
import { Closed, OneOf } from '../../domain/schema.js';
import { IntakeSchema, type Intake, type ReporterRef } from '../../domain/report/step-inputs.js';
import { CATEGORY_VALUES, DOMAIN_VALUES, URGENCY_VALUES } from '../../domain/vocabulary.js';

/**
 * What an intake system sends: the workflow's intake (same field schemas, reused from
 * `IntakeSchema`) with plain names for the hints, and the reporter as a person instead of a vault
 * reference. The API turns the person into a reference before anything reaches Temporal.
 */
const I = IntakeSchema.properties;

export const ReporterSchema = Type.Union([
  Closed({ anonymous: Type.Literal(true) }, { title: 'anonymous reporter: gets a claim code' }),
  Closed(
    {
      anonymous: Type.Literal(false),
      name: Type.String({ minLength: 1, maxLength: 100 }),
      phone: Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,19}$' }),
      idNumber: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{6,32}$' })),
    },
    { title: 'named reporter: kept encrypted in the reporter vault' },
  ),
]);

export const IntakeBodySchema = Closed(
  {
    channel: I.channel,
    externalId: I.externalId,
    receivedAt: I.receivedAt,
    description: I.description,
    location: I.location,
    urgency: Type.Optional(OneOf(URGENCY_VALUES)),
    category: Type.Optional(OneOf(CATEGORY_VALUES)),
    domain: Type.Optional(OneOf(DOMAIN_VALUES)),
    attachments: I.attachments,
    reporter: ReporterSchema,
  },
  { description: 'a citizen report as an intake system received it' },
);
export type IntakeBody = Static<typeof IntakeBodySchema>;
export type ReporterIdentity = Extract<IntakeBody['reporter'], { anonymous: false }>;

export const IntakeResponseSchema = Type.Object({
  id: Type.String({ description: 'the report id: report:<channel>:<externalId>' }),
  statusUrl: Type.String({ description: 'GET it for the report’s state' }),
  claimCode: Type.Optional(
    Type.String({
      description: 'anonymous reporters only: what they claim a reward with; shown once per request',
    }),
  ),
});
export type IntakeResponse = Static<typeof IntakeResponseSchema>;

/** The workflow's intake: the body's facts, the reporter only as a reference. */
export function toIntake(body: IntakeBody, reporter: ReporterRef): Intake {
  return {
    channel: body.channel,
    externalId: body.externalId,
    receivedAt: body.receivedAt,
    description: body.description,
    location: body.location,
    urgencyHint: body.urgency ?? 'general',
    ...(body.category ? { categoryHint: body.category } : {}),
    ...(body.domain ? { domainHint: body.domain } : {}),
    ...(body.attachments ? { attachments: body.attachments } : {}),
    reporter,
  };
}

/** JSON with sorted keys: the same body, however its keys were ordered, has one fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
