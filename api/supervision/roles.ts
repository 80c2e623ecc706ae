import type { Role } from '../../domain/vocabulary.js';

/** Who watches figures and deadlines; a handler sees its own unit's. */
export const SUPERVISION_ROLES: readonly Role[] = [
  'dispatcher',
  'handler',
  'reviewer',
  'supervisor',
  'admin',
];
