import Type, { type TProperties } from 'typebox';

/** One of a fixed list of wire values, typed as their union (TypeBox loses it over `.map`). */
export const OneOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

/** An object that refuses unknown properties: a typo in policy data or a step input is an error. */
export const Closed = <P extends TProperties>(properties: P, options: object = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/**
 * An instant as RFC 3339 with an explicit offset, one that JavaScript, PostgreSQL and the work
 * calendar all hold exactly: years 2000–2099, seconds 00–59 (a leap second `:60` parses in no
 * JavaScript engine), real calendar days (the `date-time` format checks 30 February).
 */
export const INSTANT_PATTERN =
  '^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
export const Instant = (options: { description?: string } = {}) =>
  Type.String({ format: 'date-time', pattern: INSTANT_PATTERN, ...options });
