import { createHash, createHmac } from 'node:crypto';

/** The merchant key every fuzzed answer is signed with: WeChat's public documentation key. */
export const FUZZ_KEY = '192006250b4c09247ec02edce69f6a2d';

export type FuzzSignType = 'MD5' | 'HMAC-SHA256';

/**
 * WeChat Pay v2's signing rule written again from the documentation, sharing no code with
 * `@tradestate/protocol`: a bug in the library's signer cannot hide itself from this check.
 */
export function independentSign(fields: Readonly<Record<string, string>>, key: string, signType: FuzzSignType): string {
  const pairs = Object.keys(fields)
    .filter((name) => name !== 'sign' && fields[name] !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name}=${fields[name]}`);
  const payload = `${pairs.join('&')}&key=${key}`;
  const hash = signType === 'MD5' ? createHash('md5') : createHmac('sha256', key);
  return hash.update(payload, 'utf8').digest('hex').toUpperCase();
}

/** The fields as signing sees them: without `sign` and without empty values (the rule skips both). */
export function signedView(fields: Readonly<Record<string, string>>): Record<string, string> {
  const view: Record<string, string> = {};
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name] as string;
    if (name !== 'sign' && value !== '') view[name] = value;
  }
  return view;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((name) => Object.hasOwn(b, name) && a[name] === b[name]);
}

/**
 * Why a decoder's acceptance of a body is not believable, or `undefined` when it is: the accepted fields must
 * carry a sign that the independent signer reproduces, and must be exactly a field set we signed with the key
 * (the fuzzer is the only holder of the key, so anything else is a forgery the decoder let through).
 */
export function forgeryReason(
  accepted: Readonly<Record<string, string>>,
  signedOriginal: Readonly<Record<string, string>> | undefined,
  signType: FuzzSignType,
): string | undefined {
  const received = accepted['sign'];
  if (received === undefined) return 'accepted without a sign';
  if (received !== independentSign(accepted, FUZZ_KEY, signType))
    return 'accepted a sign the independent signer rejects';
  if (signedOriginal === undefined) return 'accepted a body that no key holder signed';
  if (!sameRecord(signedView(accepted), signedView(signedOriginal)))
    return 'accepted fields differ from the signed set';
  return undefined;
}
