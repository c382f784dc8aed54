import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { processEnv, settings } from '../config';
import { DutyError } from '../errors';
import { loadPayloadKeys, type PayloadKeys } from './payloadKeys';

/**
 * AES-256-GCM over whole payloads, after the Temporal encryption sample: the original payload (metadata and data)
 * is serialised and encrypted, and the new payload says only `binary/encrypted` plus which key was used.
 * Runs in the client and in the worker's main thread, never inside the workflow sandbox.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const Proto = temporal.api.common.v1.Payload;

export class PayloadKeyError extends DutyError {
  override name = 'PayloadKeyError';
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  /** Without a current key payloads pass through unchanged: the operator chose DUTY_PAYLOAD_KEY=off or set nothing. */
  get encrypting(): boolean {
    return this.keys.current !== undefined;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys.current;
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      // The key id is authenticated too, so a payload cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(current.id));
      const plain = Proto.encode(Proto.create(payload)).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: Buffer.from(current.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Histories written before encryption was switched on stay readable.
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[METADATA_KEY_ID];
      const id = idBytes ? Buffer.from(idBytes).toString() : '';
      const key = this.keys.all.get(id);
      if (!key) {
        throw new PayloadKeyError(
          `数据用密钥 ${id || '(未标注)'} 加密,当前没有该密钥(密钥来源: ${this.keys.source})。请设置 DUTY_PAYLOAD_KEY,轮换后的旧密钥放在 DUTY_PAYLOAD_OLD_KEYS`,
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadKeyError(`加密数据长度异常(${data.length} 字节)`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadKeyError(`密钥 ${id} 无法解密该数据(密钥不符或数据被篡改)`);
      }
      const decoded = Proto.decode(plain);
      return { metadata: decoded.metadata ?? {}, data: decoded.data };
    });
  }
}

/** The one data converter for every client and worker of this project; keys from the environment or the data folder. */
export function dutyDataConverter(keys: PayloadKeys = loadPayloadKeys(processEnv(), settings().dataDir)): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)] };
}
