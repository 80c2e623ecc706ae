import { createHash } from 'node:crypto';
import type { Intake } from '../../domain/report/step-inputs.js';
import type { Actor } from '../../domain/vocabulary.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let counter = 0;
/** A valid intake from the 12345 hotline, unique per call unless `externalId` is given. */
export function anIntake(overrides: Partial<Intake> = {}): Intake {
  counter += 1;
  return {
    channel: 'hotline_12345',
    externalId: `GD2026${process.pid}${String(counter).padStart(5, '0')}${Math.floor(Math.random() * 1e6)}`,
    receivedAt: '2026-11-23T01:30:00.000Z', // 09:30 Beijing time, a Monday
    description: '某仓库内违规存放大量电动自行车电池并在楼道充电',
    location: { address: '浦兴路街道某路100号', district: '浦东新区', street: '浦兴路街道' },
    urgencyHint: 'general',
    reporter: { kind: 'named', vaultRef: 'vault:reporter:1' },
    ...overrides,
  };
}

/** The people of a demo district, one per role; handlers belong to a unit. */
export const people = {
  intake: { id: 'intake-1', role: 'intake' },
  dispatcher: { id: 'dispatcher-1', role: 'dispatcher' },
  dispatcher2: { id: 'dispatcher-2', role: 'dispatcher' },
  handlerA: { id: 'handler-a', role: 'handler', unitId: 'unit-a' },
  handlerB: { id: 'handler-b', role: 'handler', unitId: 'unit-b' },
  reviewer: { id: 'reviewer-1', role: 'reviewer' },
  proposer: { id: 'proposer-1', role: 'reward_proposer' },
  approver: { id: 'approver-1', role: 'reward_approver' },
  finance: { id: 'finance-1', role: 'finance' },
  admin: { id: 'admin-1', role: 'admin' },
  supervisor: { id: 'supervisor-1', role: 'supervisor' },
} as const satisfies Record<string, Actor>;

/** A reward proposal's declaration that the reporter is neither safety staff nor their close relative. */
export const NOT_EXCLUDED = { safetyDutyStaff: false, closeRelativeOfStaff: false } as const;
