import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Where `npm run setup` keeps the servers it obtains (`.tools/`, git-ignored). Everything here can
 * be deleted at any time; the next `npm start` / `npm test` obtains it again.
 */
export const TOOLS_DIR = fileURLToPath(new URL('../../.tools', import.meta.url));

export const toolPath = (...parts: string[]): string => join(TOOLS_DIR, ...parts);
