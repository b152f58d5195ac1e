import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { InvalidArgumentError } from '../errors.ts';

/**
 * An RSA key as a caller holds it: PEM text (PKCS#8, PKCS#1 or SPKI; an X.509 certificate for a public key), its
 * bytes, or an already parsed `KeyObject`.
 *
 * @example
 * ```ts
 * const key: KeyInput = readFileSync('apiclient_key.pem', 'utf8');
 * ```
 */
export type KeyInput = string | Uint8Array | KeyObject;

/** The smallest modulus WeChat Pay issues (RSA-2048); anything shorter is a misconfiguration, not a key of theirs. */
const MIN_MODULUS_BITS = 2048;

function checkRsa(key: KeyObject, name: string): KeyObject {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < MIN_MODULUS_BITS) {
    throw new InvalidArgumentError(`${name} must be an RSA key of at least ${MIN_MODULUS_BITS} bits`);
  }
  return key;
}

function pemText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

/**
 * Parses a private key once, so that signing a request costs one RSA operation and no PEM parsing. Throws
 * {@link InvalidArgumentError} naming `name` (never the key) when it is not an RSA private key of ≥ 2048 bits.
 *
 * @example
 * ```ts
 * const merchantKey = privateKeyOf(readFileSync('apiclient_key.pem'), 'privateKey');
 * ```
 */
export function privateKeyOf(input: KeyInput, name: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new InvalidArgumentError(`${name} must be a private key`);
    return checkRsa(input, name);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pemText(input));
  } catch {
    throw new InvalidArgumentError(`${name} is not a PEM private key`);
  }
  return checkRsa(key, name);
}

/**
 * Parses a public key once: PEM SPKI or PKCS#1, or the public key of a PEM X.509 platform certificate. A private key
 * is refused (passing the merchant's own key where WeChat's public key belongs is a common mix-up; it would verify
 * nothing WeChat signed).
 *
 * @example
 * ```ts
 * const platformKey = publicKeyOf(readFileSync('pub_key.pem'), 'platformPublicKey');
 * ```
 */
export function publicKeyOf(input: KeyInput, name: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'public') throw new InvalidArgumentError(`${name} must be a public key`);
    return checkRsa(input, name);
  }
  const text = pemText(input);
  if (text.includes('PRIVATE KEY-----'))
    throw new InvalidArgumentError(`${name} must be a public key, not a private one`);
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN CERTIFICATE-----') ? new X509Certificate(text).publicKey : createPublicKey(text);
  } catch {
    throw new InvalidArgumentError(`${name} is not a PEM public key or certificate`);
  }
  return checkRsa(key, name);
}
