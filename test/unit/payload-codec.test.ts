import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING, EncryptingPayloadCodec } from '../../infra/payload-codec.js';
import { KeyRing } from '../../infra/vault.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('the Temporal payload codec', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const payload = defaultPayloadConverter.toPayload({ description: '楼道内电动自行车充电', n: 3 });

  it('encrypts a payload so that nothing of it shows, and decrypts it back exactly', async () => {
    const codec = new EncryptingPayloadCodec(new KeyRing([k1]));
    const [encoded] = await codec.encode([payload]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Buffer.from(encoded!.data!).includes(Buffer.from('电动自行车'))).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
      description: '楼道内电动自行车充电',
      n: 3,
    });
  });

  it('keeps reading payloads of an older key after a rotation, and writes with the newest', async () => {
    const [old] = await new EncryptingPayloadCodec(new KeyRing([k1])).encode([payload]);
    const rotated = new EncryptingPayloadCodec(new KeyRing([k2, k1]));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toMatchObject({ n: 3 });
    const [fresh] = await rotated.encode([payload]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    await expect(new EncryptingPayloadCodec(new KeyRing([k1])).decode([fresh!])).rejects.toThrow(/k2/);
  });

  it('refuses a tampered payload', async () => {
    const codec = new EncryptingPayloadCodec(new KeyRing([k1]));
    const [encoded] = await codec.encode([payload]);
    const data = Buffer.from(encoded!.data!);
    data.writeUInt8(data.readUInt8(data.length - 1) ^ 1, data.length - 1);
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
  });

  it('passes through payloads that were never encrypted (histories from before the codec)', async () => {
    const codec = new EncryptingPayloadCodec(new KeyRing([k1]));
    expect(await codec.decode([payload])).toEqual([payload]);
  });
});
