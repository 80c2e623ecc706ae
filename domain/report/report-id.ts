import type { Channel } from '../vocabulary.js';

/**
 * The workflow id of a report: derived from (channel, external ticket id), so an intake system
 * that retries reaches the same workflow and never starts a second one.
 */
export const reportWorkflowId = (channel: Channel, externalId: string): string =>
  `report:${channel}:${externalId}`;
