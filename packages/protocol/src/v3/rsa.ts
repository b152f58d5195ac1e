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

/**
 * Whether `text` has the shape of base64 of an RSA-2048..4096 signature: 340..684 characters of `A-Za-z0-9+/`, then
 * at most two `=` (the regex `^[A-Za-z0-9+/]{340,684}={0,2}$`, read without one: a third of the cost on the hot path).
 * @internal
 */
export function isSignatureBase64(text: string): boolean {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end < 340 || end > 684) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    // A-Z, a-z (one range once the case bit is set), 0-9, + and /.
    const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (!letter && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2f) return false;
  }
  return true;
}

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
  if (!isSignatureBase64(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  try {
    return verify('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, bytes);
  } catch {
    return false;
  }
}
