import { type KeyObject, sign, verify } from 'node:crypto';

/**
 * SHA256-RSA (PKCS#1 v1.5) of `message` with a parsed private key, base64: the `signature` of an APIv3
 * `Authorization` header, and of the answers and notifications WeChat (or a sandbox) signs.
 *
 * @example
 * ```ts
 * const signature = signSha256Rsa(requestSigningMessage('GET', url, ts, nonce, ''), merchantKey);
 * ```
 */
export function signSha256Rsa(message: string | Uint8Array, privateKey: KeyObject): string {
  return sign('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString(
    'base64',
  );
}

/** Canonical base64 of an RSA-2048..4096 signature (344..684 characters); anything else cannot be one. */
const BASE64 = /^[A-Za-z0-9+/]{340,684}={0,2}$/;

/**
 * Whether `signature` (base64) is a SHA256-RSA (PKCS#1 v1.5) signature of `message` by `publicKey`. Never throws:
 * text that is not base64 of the key's size is simply not a signature (`Buffer.from(…, 'base64')` would skip the
 * junk and verify what is left).
 *
 * @example
 * ```ts
 * verifySha256Rsa(responseSigningMessage(ts, nonce, body), headerSignature, platformKey); // true or false
 * ```
 */
export function verifySha256Rsa(message: string | Uint8Array, signature: string, publicKey: KeyObject): boolean {
  if (!BASE64.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  try {
    return verify('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, bytes);
  } catch {
    return false;
  }
}
