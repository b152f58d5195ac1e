import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DecryptionError, InvalidArgumentError } from '../errors.ts';

/** AES-256: the APIv3 key is 32 bytes. */
const KEY_BYTES = 32;
/** WeChat's nonces are 12 characters: the 96-bit IV GCM is built for. */
const NONCE_BYTES = 12;
/** The full 128-bit tag; GCM would accept shorter ones, each cutting the forgery bound. */
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The APIv3 key as AES-256 key bytes. Refuses with {@link InvalidArgumentError} anything that is not exactly 32
 * bytes (a 16-byte key would silently mean AES-128 elsewhere; WeChat's APIv3 key is 32 characters).
 *
 * @example
 * ```ts
 * const key = apiV3KeyOf(process.env.WECHATPAY_APIV3_KEY!);
 * ```
 */
export function apiV3KeyOf(input: string | Uint8Array): Buffer {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  if (bytes.length !== KEY_BYTES) throw new InvalidArgumentError(`apiV3Key must be ${KEY_BYTES} bytes`);
  return bytes;
}

/**
 * Decrypts an `AEAD_AES_256_GCM` resource: base64 of ciphertext ‖ 16-byte tag, a 12-byte nonce, the
 * `associated_data` (empty when absent) as AAD. Any failure is a {@link DecryptionError} (`DECRYPT_FAILED`): a
 * nonce of another length, text that is not base64, a body shorter than a tag, a tag that does not authenticate
 * (wrong key, changed ciphertext, nonce or AAD, a cut tag). The tag length is fixed at 16, so a truncated tag can
 * never pass as a short one.
 *
 * @example
 * ```ts
 * const plaintext = decryptAesGcm(resource.ciphertext, apiV3KeyOf(key), resource.nonce, resource.associated_data ?? '');
 * ```
 */
export function decryptAesGcm(ciphertext: string, key: Buffer, nonce: string, associatedData: string): Buffer {
  if (key.length !== KEY_BYTES) throw new InvalidArgumentError(`apiV3Key must be ${KEY_BYTES} bytes`);
  const iv = Buffer.from(nonce, 'utf8');
  if (iv.length !== NONCE_BYTES) throw new DecryptionError(`the resource nonce is not ${NONCE_BYTES} bytes`);
  if (!BASE64.test(ciphertext) || ciphertext.length % 4 !== 0) {
    throw new DecryptionError('the resource ciphertext is not base64');
  }
  const sealed = Buffer.from(ciphertext, 'base64');
  if (sealed.length < TAG_BYTES) throw new DecryptionError('the resource ciphertext is shorter than its tag');
  const tagAt = sealed.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(tagAt));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    return Buffer.concat([decipher.update(sealed.subarray(0, tagAt)), decipher.final()]);
  } catch {
    throw new DecryptionError('the resource does not authenticate: check the APIv3 key');
  }
}

/**
 * Encrypts as WeChat does for a notification's `resource` (what a sandbox or a test sends): base64 of ciphertext ‖
 * 16-byte tag. `nonce` must be 12 bytes.
 *
 * @example
 * ```ts
 * const ciphertext = encryptAesGcm(JSON.stringify(transaction), apiV3KeyOf(key), 'fdasflkja484', 'transaction');
 * ```
 */
export function encryptAesGcm(
  plaintext: string | Uint8Array,
  key: Buffer,
  nonce: string,
  associatedData: string,
): string {
  if (key.length !== KEY_BYTES) throw new InvalidArgumentError(`apiV3Key must be ${KEY_BYTES} bytes`);
  const iv = Buffer.from(nonce, 'utf8');
  if (iv.length !== NONCE_BYTES) throw new InvalidArgumentError(`nonce must be ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]).toString('base64');
}
