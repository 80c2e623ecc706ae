import { describe, expect, it } from 'vitest';
import { hashClaimCode, newClaimCode } from '../../api/reports/claim-code.js';
import { canonicalJson } from '../../api/reports/intake-schema.js';
import { ConfigError, loadConfig } from '../../infra/config.js';
import { KeyRing } from '../../infra/vault.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

describe('vault keys, sealing and fingerprints', () => {
  it('reads BIHUAN_VAULT_KEYS as <id>:<base64 of 32 bytes>, newest first', () => {
    const config = loadConfig({ BIHUAN_VAULT_KEYS: `k2:${key(2)},k1:${key(1)}` });
    expect(config.vaultKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(config.vaultKeys[0]!.key).toEqual(Buffer.alloc(32, 2));
  });

  it.each([['k1:short'], [`k1:${key(1)},k1:${key(2)}`], [`k1 ${key(1)}`]])(
    'refuses BIHUAN_VAULT_KEYS=%s without printing the value',
    (value) => {
      let error: unknown;
      try {
        loadConfig({ BIHUAN_VAULT_KEYS: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe('BIHUAN_VAULT_KEYS');
      expect((error as ConfigError).message).not.toContain(value);
    },
  );

  it('never prints a JWT_SECRET that is too short', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2' })).toThrow(/JWT_SECRET=\(hidden\) is invalid/);
  });

  it('opens what an older key sealed after rotation, and nothing moved to another context', () => {
    const old = new KeyRing([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
    const rotated = new KeyRing([
      { id: 'k2', key: Buffer.alloc(32, 2) },
      { id: 'k1', key: Buffer.alloc(32, 1) },
    ]);
    const sealed = old.seal('13912345678', 'vault:a');
    expect(rotated.open(sealed, 'vault:a')).toBe('13912345678');
    expect(rotated.seal('x', 'c').keyId).toBe('k2');
    expect(() => rotated.open(sealed, 'vault:b')).toThrow();
  });

  it('fingerprints with a key, recomputable under the key that made them', () => {
    const ring = new KeyRing([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
    const print = ring.fingerprint('{"phone":"13912345678"}');
    expect(print).toMatch(/^k1:[0-9a-f]{64}$/);
    const rotated = new KeyRing([
      { id: 'k2', key: Buffer.alloc(32, 2) },
      { id: 'k1', key: Buffer.alloc(32, 1) },
    ]);
    expect(rotated.fingerprint('{"phone":"13912345678"}', KeyRing.keyIdOf(print))).toBe(print);
  });

  it('gives claim codes of 80 random bits, read back regardless of case, dashes and O/0, I/1 look-alikes', () => {
    const code = newClaimCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(new Set(Array.from({ length: 1000 }, newClaimCode)).size).toBe(1000);
    expect(hashClaimCode('0I1L-ABCD-EFGH-JKMN')).toBe(hashClaimCode('oi1l abcd efgh jkmn'));
  });

  it('fingerprints a body whatever the order of its keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 'z' } })).toBe(
      canonicalJson({ a: { c: 'z', d: [2, { x: 2, y: 1 }] }, b: 1 }),
    );
  });
});
