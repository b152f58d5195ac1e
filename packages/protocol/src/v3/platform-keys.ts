import { KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '../errors.ts';
import { type KeyInput, publicKeyOf } from './keys.ts';
import type { PlatformVerifier } from './verify-response.ts';

/**
 * The platform key options every APIv3 decoder takes.
 *
 * @example
 * ```ts
 * const keys: PlatformKeyOptions = { platformPublicKey: readFileSync('pub_key.pem'), platformPublicKeyId: 'PUB_KEY_ID_0114…' };
 * ```
 */
export interface PlatformKeyOptions {
  /** WeChat Pay's public key (or platform certificate), PEM or a parsed `KeyObject` (fastest: parsed once). */
  readonly platformPublicKey: KeyInput;
  /** Its id, as `Wechatpay-Serial` names it: `PUB_KEY_ID_…` or the platform certificate's serial. */
  readonly platformPublicKeyId: string;
  /** Unix seconds now, for the ±5 min check; default the system clock. */
  readonly now?: (() => number) | undefined;
}

const parsed = new Map<string, KeyObject>();
/** KeyObjects already checked to be RSA public keys: a caller passes the same one on every call. */
const checked = new WeakSet<KeyObject>();
const MAX_PARSED = 16;

/**
 * The {@link PlatformVerifier} of a decoder's options. PEM text is parsed once per process and remembered (a
 * handful of keys at most), so per-call options cost no PEM parsing.
 *
 * @example
 * ```ts
 * verifyWechatpaySignature(headers, body, platformVerifierOf(options));
 * ```
 * @internal
 */
export function platformVerifierOf(options: PlatformKeyOptions): PlatformVerifier {
  const known = verifiers.get(options);
  if (known !== undefined && known.source === options.platformPublicKey && known.id === options.platformPublicKeyId) {
    return known.verifier;
  }
  const verifier = buildVerifier(options);
  verifiers.set(options, { source: options.platformPublicKey, id: options.platformPublicKeyId, verifier });
  return verifier;
}

/** The verifier last built for an options object a caller passes again and again (as a hot loop does). */
const verifiers = new WeakMap<PlatformKeyOptions, { source: unknown; id: unknown; verifier: PlatformVerifier }>();

function buildVerifier(options: PlatformKeyOptions): PlatformVerifier {
  const { platformPublicKey, platformPublicKeyId, now } = options;
  if (typeof platformPublicKeyId !== 'string' || platformPublicKeyId === '') {
    throw new InvalidArgumentError('platformPublicKeyId must be non-empty');
  }
  let key: KeyObject;
  if (typeof platformPublicKey === 'string') {
    const known = parsed.get(platformPublicKey);
    if (known === undefined) {
      key = publicKeyOf(platformPublicKey, 'platformPublicKey');
      if (parsed.size >= MAX_PARSED) parsed.clear();
      parsed.set(platformPublicKey, key);
    } else key = known;
  } else if (platformPublicKey instanceof KeyObject && checked.has(platformPublicKey)) key = platformPublicKey;
  else {
    key = publicKeyOf(platformPublicKey, 'platformPublicKey');
    if (key === platformPublicKey) checked.add(key);
  }
  return { publicKey: key, publicKeyId: platformPublicKeyId, now };
}
