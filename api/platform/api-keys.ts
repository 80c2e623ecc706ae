import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type postgres from 'postgres';
import type { Actor, Role } from '../../domain/vocabulary.js';

/**
 * API keys: `bh_` and 32 random bytes (base64url). Only the key's SHA-256 is stored, so the table
 * cannot be used to call the API; a key this long needs no salt or slow hash to resist guessing.
 * A key acts as its `subject` in its `role` (and, for handlers, for its unit).
 */
export const API_KEY_PATTERN = /^bh_[A-Za-z0-9_-]{43}$/;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface NewApiKey {
  readonly subject: string;
  readonly role: Role;
  readonly unitId?: string;
  readonly label: string;
}

/** Creates a key and returns it: the only moment it exists in clear. */
export async function createApiKey(sql: postgres.ISql, spec: NewApiKey): Promise<string> {
  const key = `bh_${randomBytes(32).toString('base64url')}`;
  await sql`
    insert into api_keys (key_hash, subject, role, unit_id, label)
    values (${hashApiKey(key)}, ${spec.subject}, ${spec.role}, ${spec.unitId ?? null}, ${spec.label})`;
  return key;
}

/** The actor a key stands for, or undefined when it is unknown or revoked. */
export async function actorOfApiKey(sql: postgres.ISql, key: string): Promise<Actor | undefined> {
  if (!API_KEY_PATTERN.test(key)) return undefined;
  const [row] = await sql<{ subject: string; role: Role; unit_id: string | null }[]>`
    select subject, role, unit_id from api_keys
    where key_hash = ${hashApiKey(key)} and revoked_at is null`;
  if (!row) return undefined;
  return { id: row.subject, role: row.role, ...(row.unit_id ? { unitId: row.unit_id } : {}) };
}

/**
 * `actorOfApiKey` remembered for `ttlMs` (0: not at all): one PostgreSQL round trip fewer on every
 * request of a busy client. A revoked key therefore stops working within `ttlMs`; an unknown key is
 * never remembered, so a key just created works at once.
 */
export function cachedApiKeyLookup(sql: postgres.ISql, ttlMs: number) {
  if (ttlMs === 0) return (key: string) => actorOfApiKey(sql, key);
  const cache = new LRUCache<string, Actor>({ max: 10_000, ttl: ttlMs });
  return async (key: string): Promise<Actor | undefined> => {
    const known = cache.get(key);
    if (known) return known;
    const actor = await actorOfApiKey(sql, key);
    if (actor) cache.set(key, actor);
    return actor;
  };
}

export async function revokeApiKey(sql: postgres.ISql, key: string): Promise<void> {
  await sql`update api_keys set revoked_at = now() where key_hash = ${hashApiKey(key)} and revoked_at is null`;
}
