import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { VaultKey } from './config.js';

/** A value encrypted with AES-256-GCM under one key of the ring; the key id says which. */
export interface Sealed {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** The vault was given no key: the API resolves one at start-up (see `vault-keys.ts`). */
export class VaultKeyMissing extends Error {
  override readonly name = 'VaultKeyMissing';
}

/** A sealed value names a key id the ring no longer has: the key was removed before its data. */
export class UnknownVaultKey extends Error {
  override readonly name = 'UnknownVaultKey';
  constructor(readonly keyId: string) {
    super(`no vault key with id ${keyId}`);
  }
}

/**
 * Field-level encryption with rotating keys. The first key seals new values; every key opens the
 * values it sealed, so rotation is "prepend a new key, keep the old ones until re-encrypted".
 * `context` is bound as additional authenticated data: a ciphertext moved to another row (another
 * vault reference, another report) no longer opens.
 */
export class KeyRing {
  private readonly byId: ReadonlyMap<string, VaultKey>;

  constructor(private readonly keys: readonly VaultKey[]) {
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  private key(id?: string): VaultKey {
    const key = id === undefined ? this.keys[0] : this.byId.get(id);
    if (key) return key;
    if (id === undefined) throw new VaultKeyMissing('the reporter vault has no key (BIHUAN_VAULT_KEYS)');
    throw new UnknownVaultKey(id);
  }

  /** Seals text (UTF-8) or bytes under the current key. */
  seal(plaintext: string | Uint8Array, context: string): Sealed {
    const { id, key } = this.key();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
    return { keyId: id, iv, tag: cipher.getAuthTag(), ciphertext };
  }

  open(sealed: Sealed, context: string): string {
    return this.openBytes(sealed, context).toString('utf8');
  }

  openBytes(sealed: Sealed, context: string): Buffer {
    const { key } = this.key(sealed.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  }

  /**
   * A keyed fingerprint (`<keyId>:<HMAC-SHA256 hex>`) of text that may hold personal data: unlike a
   * plain hash it cannot be reversed by guessing phone numbers. The HMAC key is derived from the
   * vault key (HKDF), never the encryption key itself. Pass `keyId` to recompute an old fingerprint.
   */
  fingerprint(text: string, keyId?: string): string {
    const { id, key } = this.key(keyId);
    const macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'bihuan:fingerprint', 32));
    return `${id}:${createHmac('sha256', macKey).update(text).digest('hex')}`;
  }

  /** Every key id of the ring, the current one first. */
  keyIds(): string[] {
    return this.keys.map((k) => k.id);
  }

  /** The id of the key new values are sealed with. */
  currentKeyId(): string {
    return this.key().id;
  }

  /** The key id a fingerprint was made with. */
  static keyIdOf(fingerprint: string): string {
    return fingerprint.slice(0, fingerprint.indexOf(':'));
  }
}

/** Sealed values as base64 fields, for a jsonb column. */
export const sealedToJson = (s: Sealed) => ({
  keyId: s.keyId,
  iv: s.iv.toString('base64'),
  tag: s.tag.toString('base64'),
  ciphertext: s.ciphertext.toString('base64'),
});

export const sealedFromJson = (j: {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}): Sealed => ({
  keyId: j.keyId,
  iv: Buffer.from(j.iv, 'base64'),
  tag: Buffer.from(j.tag, 'base64'),
  ciphertext: Buffer.from(j.ciphertext, 'base64'),
});
