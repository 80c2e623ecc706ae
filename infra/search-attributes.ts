import type { Connection } from '@temporalio/client';
// A default import: @temporalio/proto is CommonJS whose named exports Node's ESM loader cannot see.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../domain/search-attributes.js';
import type { Logger } from './logger.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

/**
 * Registers Bihuan's custom search attributes on a Temporal cluster, once, at worker start-up.
 * Idempotent: attributes already there are left alone. Where the operator API is closed (Temporal
 * Cloud with an API key, a locked-down cluster), it logs what to create by hand and goes on:
 * reports still run, only the Web UI filters are missing.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  log: Logger,
): Promise<void> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).filter(
      ([name]) => !(name in (existing.customAttributes ?? {})),
    );
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map(([name, type]) => [
          name,
          type === 'Bool'
            ? IndexedValueType.INDEXED_VALUE_TYPE_BOOL
            : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    log.info({ added: missing.map(([n]) => n) }, 'registered search attributes');
  } catch (err) {
    const wanted = Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS)
      .map(([n, t]) => `${n}=${t}`)
      .join(', ');
    log.warn(
      { err: (err as Error).message },
      `could not register search attributes; create them with the operator CLI: ${wanted}`,
    );
  }
}

/** True when the namespace has every Bihuan search attribute, so new reports may set them. */
export async function searchAttributesReady(connection: Connection, namespace: string): Promise<boolean> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS).every(
      (name) => name in (existing.customAttributes ?? {}),
    );
  } catch {
    return false;
  }
}
