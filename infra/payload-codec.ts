import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { KeyRing } from './vault.js';

/**
 * The second layer of 双加密: every payload Temporal stores (workflow input, update arguments and
 * results, query results, activity inputs and results, memos) is encrypted with AES-256-GCM under
 * the codec's current key before it leaves the process, so Temporal's database and its Web UI hold
 * ciphertext only. The worker, the API and every tool share the keys (BIHUAN_CODEC_KEYS); older
 * keys stay in the ring to read older histories. Payloads without the encrypted encoding pass
 * through untouched: histories recorded before the codec still replay.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
/** Bound as additional data: a ciphertext of another purpose (a vault entry) never opens as a payload. */
const CONTEXT = 'bihuan:temporal-payload';

// A CommonJS package: Node's ESM loader only offers its default export.
const { Payload: PayloadProto } = proto.temporal.api.common.v1;

const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class EncryptingPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  // async: a failure becomes a rejected promise, as the SDK expects of a codec.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const sealed = this.keys.seal(PayloadProto.encode(payload).finish(), CONTEXT);
        return {
          metadata: {
            encoding: Buffer.from(ENCRYPTED_ENCODING),
            [KEY_ID]: Buffer.from(sealed.keyId),
          },
          data: Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
        const keyId = text(payload.metadata?.[KEY_ID]);
        const data = payload.data;
        if (!keyId || !data || data.length < 28) throw new Error('malformed encrypted payload');
        const raw = Buffer.from(data);
        const plain = this.keys.openBytes(
          { keyId, iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), ciphertext: raw.subarray(28) },
          CONTEXT,
        );
        return PayloadProto.decode(plain);
      }),
    );
  }
}

/** The data converter every client and worker of a deployment uses. */
export const encryptingDataConverter = (keys: KeyRing) => ({
  payloadCodecs: [new EncryptingPayloadCodec(keys)],
});
