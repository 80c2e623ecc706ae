import Type, { type TProperties } from 'typebox';

/** One of a fixed list of wire values, typed as their union (TypeBox loses it over `.map`). */
export const OneOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

/** An object that refuses unknown properties: a typo in policy data or a step input is an error. */
export const Closed = <P extends TProperties>(properties: P, options: object = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
