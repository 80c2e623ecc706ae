/**
 * Text search over reports, shaped for Chinese: there are no spaces between words, and PostgreSQL's
 * trigram index ignores CJK characters, so the read model indexes character bigrams. A search term
 * matches a report when all the term's bigrams are among the report's (the GIN index answers that)
 * and the report's text contains the term (which removes bigrams that matched out of order).
 */

/** Full-width forms and case folded, so 'ＡＢＣ' finds 'abc'. */
export const normaliseText = (text: string): string => text.normalize('NFKC').toLowerCase();

const RUN = /[\p{L}\p{N}]+/gu;

/** A report keeps at most this many distinct bigrams: enough for any real description. */
const MAX_GRAMS = 2000;

/** The distinct character bigrams of the letter-and-digit runs of `text` (normalised first). */
export function bigrams(text: string): string[] {
  const grams = new Set<string>();
  for (const run of normaliseText(text).match(RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length && grams.size < MAX_GRAMS; i++) grams.add(chars[i]! + chars[i + 1]!);
  }
  return [...grams];
}

/** The terms of a query: whitespace-separated, normalised; each must occur in a matching report. */
export const searchTerms = (query: string): string[] =>
  normaliseText(query)
    .split(/\s+/u)
    .filter((t) => t.length > 0);
