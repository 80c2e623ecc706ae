import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that let the Temporal Web UI filter reports. Wire names: renaming one
 * is a versioning change. The read model in PostgreSQL, not these, serves the API's lists.
 */
export const SEARCH_ATTRIBUTES = {
  stage: defineSearchAttributeKey('BihuanStage', SearchAttributeType.KEYWORD),
  unit: defineSearchAttributeKey('BihuanUnit', SearchAttributeType.KEYWORD),
  urgency: defineSearchAttributeKey('BihuanUrgency', SearchAttributeType.KEYWORD),
  overdue: defineSearchAttributeKey('BihuanOverdue', SearchAttributeType.BOOL),
  majorHazard: defineSearchAttributeKey('BihuanMajorHazard', SearchAttributeType.BOOL),
} as const;

/** name → type, the shape `temporal server start-dev --search-attribute` and the operator API take. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Readonly<Record<string, 'Keyword' | 'Bool'>> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((k) => [
    k.name,
    k.type === SearchAttributeType.BOOL ? 'Bool' : 'Keyword',
  ]),
);
