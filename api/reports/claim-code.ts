import { createHash, randomBytes } from 'node:crypto';
import Type from 'typebox';

/**
 * The claim code of an anonymous reporter (匿名举报 领奖凭证): 16 Crockford base32 characters
 * (80 random bits) in four groups, `7KQ2-M9XD-4H0T-RW3C`. The workflow holds only its SHA-256, so
 * nobody reading histories or the read model can claim; 80 bits make guessing the code from the
 * hash hopeless. Reading it back is forgiving: case, dashes, spaces, O for 0 and I or L for 1.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ClaimCodeSchema = Type.String({
  pattern: '^[0-9A-Za-z]{4}([- ]?[0-9A-Za-z]{4}){3}$',
  description: 'the claim code given at intake, e.g. 7KQ2-M9XD-4H0T-RW3C',
});

export function newClaimCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]!).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export const normaliseClaimCode = (code: string): string =>
  code.toUpperCase().replace(/[-\s]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');

/** What the workflow compares: the hex SHA-256 of the normalised code. */
export const hashClaimCode = (code: string): string =>
  createHash('sha256').update(normaliseClaimCode(code)).digest('hex');
