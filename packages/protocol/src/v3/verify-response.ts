import type { KeyObject } from 'node:crypto';
import { SignatureError } from '../errors.ts';
import { type HeaderSource, signatureHeaders } from './headers.ts';
import { verifySha256Rsa } from './rsa.ts';
import { responseSigningMessage } from './signing-message.ts';

/**
 * WeChat's allowed clock difference between its signature and the receiver, in seconds (±5 minutes, the limit the
 * official SDKs apply and WeChat documents for answers and notifications).
 */
export const MAX_SIGNATURE_SKEW_SECONDS = 300;

/** The prefix of WeChat's deliberately wrong signatures, sent now and then to check that merchants verify. */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/**
 * The platform key(s) an answer may be signed with: the configured WeChat Pay public key and its id
 * (`PUB_KEY_ID_…`, or a platform certificate's serial), plus any other known serials (a certificate rotation).
 *
 * @example
 * ```ts
 * const verifier: PlatformVerifier = { publicKey: publicKeyOf(pem, 'platformPublicKey'), publicKeyId: 'PUB_KEY_ID_0114…' };
 * ```
 */
export interface PlatformVerifier {
  readonly publicKey: KeyObject;
  readonly publicKeyId: string;
  /** More serials WeChat may sign with, each with its public key. */
  readonly otherKeys?: ReadonlyMap<string, KeyObject> | undefined;
  /** Unix seconds now; default the system clock. Tests move it. */
  readonly now?: (() => number) | undefined;
}

const TIMESTAMP = /^[0-9]{1,12}$/;

function missing(name: string): SignatureError {
  return new SignatureError('SIGNATURE_MISSING', `the answer carries no ${name} header`);
}

/**
 * Verifies the `Wechatpay-Signature` of an APIv3 answer or notification over its **raw** body. In order, each
 * failure a {@link SignatureError} (retryable: one bad answer says nothing of the next):
 * 1. `Wechatpay-Timestamp`, `-Nonce`, `-Signature`, `-Serial` present, each once (`SIGNATURE_MISSING`,
 *    `SIGNATURE_INVALID` for a repeat);
 * 2. not a `WECHATPAY/SIGNTEST/` probe (`SIGNATURE_PROBE`);
 * 3. the serial is the configured key's (`SIGNATURE_SERIAL`);
 * 4. the timestamp within ±5 minutes of now (`SIGNATURE_EXPIRED`);
 * 5. RSA-SHA256 over `timestamp\nnonce\nbody\n` verifies (`SIGNATURE_INVALID`).
 * Messages name the check, never the signature or the body.
 *
 * @example
 * ```ts
 * verifyWechatpaySignature(response.headers, rawBody, verifier); // throws SignatureError when it does not hold
 * const answer = JSON.parse(rawBody.toString('utf8'));
 * ```
 */
export function verifyWechatpaySignature(
  headers: HeaderSource,
  body: Uint8Array | string,
  verifier: PlatformVerifier,
): void {
  const { timestamp, nonce, signature, serial } = signatureHeaders(headers);
  if (timestamp === undefined) throw missing('Wechatpay-Timestamp');
  if (nonce === undefined) throw missing('Wechatpay-Nonce');
  if (signature === undefined) throw missing('Wechatpay-Signature');
  if (serial === undefined) throw missing('Wechatpay-Serial');
  if (signature.startsWith(SIGNTEST_PREFIX)) {
    throw new SignatureError(
      'SIGNATURE_PROBE',
      "WeChat's signature probe (WECHATPAY/SIGNTEST/): not an answer to believe",
    );
  }
  const key = serial === verifier.publicKeyId ? verifier.publicKey : verifier.otherKeys?.get(serial);
  if (key === undefined) {
    throw new SignatureError(
      'SIGNATURE_SERIAL',
      'Wechatpay-Serial names another platform key than the configured platformPublicKeyId',
    );
  }
  const now = verifier.now?.() ?? Math.floor(Date.now() / 1000);
  if (!TIMESTAMP.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_SIGNATURE_SKEW_SECONDS) {
    throw new SignatureError('SIGNATURE_EXPIRED', 'Wechatpay-Timestamp is more than 5 minutes from the local clock');
  }
  if (!verifySha256Rsa(responseSigningMessage(timestamp, nonce, body), signature, key)) {
    throw new SignatureError('SIGNATURE_INVALID', 'Wechatpay-Signature does not verify with the platform public key');
  }
}
