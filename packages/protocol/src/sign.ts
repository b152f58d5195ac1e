import { createHmac, hash } from 'node:crypto';
import { codecCaches } from './codec-caches.ts';
import type { SignType } from './types.ts';

/**
 * Parameters as they are signed: every field sent or received. `undefined` values are absent fields.
 *
 * @example
 * ```ts
 * const params: SignableParams = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', sub_mch_id: undefined };
 * ```
 */
export type SignableParams = Readonly<Record<string, string | undefined>>;

/**
 * The string WeChat Pay v2 signs, without the key: every field but `sign` and empty values, keys in ASCII
 * order, joined as `k=v` with `&`. Exposed for debugging signatures; it never includes the key.
 *
 * @example
 * ```ts
 * signingString({ mch_id: '10000100', appid: 'wxd930ea5d5a258f4f', device_info: '' });
 * // 'appid=wxd930ea5d5a258f4f&mch_id=10000100'
 * ```
 */
export function signingString(params: SignableParams): string {
  const names: string[] = [];
  for (const name in params) names.push(name);
  return signingStringOf(params, names);
}

// The sorted order of the last name list of each length: answers of one kind name the same fields in the same
// order, so checking that a remembered order is still strictly ascending (n - 1 comparisons) replaces a sort. A
// strictly ascending arrangement of distinct names is the sorted order, so the check is exact. Only short lists
// are remembered, so that hostile answers of every length cannot grow the map without bound.
const sortedOrders = new Map<number, readonly number[]>();
const MAX_REMEMBERED_NAMES = 128;

function ascending(names: readonly string[], order: readonly number[]): boolean {
  for (let i = 1; i < order.length; i++) {
    if (!((names[order[i - 1] as number] as string) < (names[order[i] as number] as string))) return false;
  }
  return true;
}

/** The indices of `names` (distinct) in ASCII order of the names. */
function sortedOrder(names: readonly string[]): readonly number[] {
  const cached = codecCaches.enabled ? sortedOrders.get(names.length) : undefined;
  if (cached !== undefined && ascending(names, cached)) return cached;
  const order = Array.from(names, (_name, index) => index);
  order.sort((a, b) => ((names[a] as string) < (names[b] as string) ? -1 : 1));
  if (codecCaches.enabled && names.length <= MAX_REMEMBERED_NAMES) sortedOrders.set(names.length, order);
  return order;
}

/** How to sign a frozen name list, worked out once: `name=` and `&name=` for each name, in sorted order. */
interface SigningPlan {
  readonly names: readonly string[];
  readonly first: readonly string[];
  readonly rest: readonly string[];
}

// Plans for frozen lists (the XML scanner hands out one per document shape, for as long as it remembers it):
// a frozen list cannot change, so its plan stays exact, and it lives as long as the list.
const plans = new WeakMap<readonly string[], SigningPlan>();

function planFor(names: readonly string[]): SigningPlan {
  let plan = plans.get(names);
  if (plan === undefined) {
    const sorted = sortedOrder(names).map((index) => names[index] as string);
    plan = { names: sorted, first: sorted.map((name) => `${name}=`), rest: sorted.map((name) => `&${name}=`) };
    plans.set(names, plan);
  }
  return plan;
}

/**
 * {@link signingString} over `names`, the distinct own names of `params` in any order: the XML scanner lists them
 * as it reads them, which spares enumerating the record again.
 *
 * @example
 * ```ts
 * signingStringOf({ b: '2', a: '1' }, ['b', 'a']); // 'a=1&b=2'
 * ```
 * @internal
 */
export function signingStringOf(params: SignableParams, names: readonly string[]): string {
  let out = '';
  if (codecCaches.enabled && Object.isFrozen(names)) {
    const { names: sorted, first, rest } = planFor(names);
    for (let i = 0; i < sorted.length; i++) {
      const name = sorted[i] as string;
      const value = params[name];
      if (name === 'sign' || value === undefined || value === '') continue;
      out = out === '' ? (first[i] as string) + value : out + (rest[i] as string) + value;
    }
    return out;
  }
  for (const index of sortedOrder(names)) {
    const name = names[index] as string;
    const value = params[name];
    // The official rule: skip `sign` and empty values; "0" is a value and is signed.
    if (name === 'sign' || value === undefined || value === '') continue;
    out += out === '' ? `${name}=${value}` : `&${name}=${value}`;
  }
  return out;
}

/** The lower-case hex digest of the signing string `signed` and the key. */
function hexDigest(signed: string, key: string, signType: SignType): string {
  const payload = `${signed}&key=${key}`;
  // The one-shot `hash` skips the Hash object createHash builds, the larger part of an MD5 over ~600 bytes.
  if (signType === 'MD5') return hash('md5', payload, 'hex');
  if (signType === 'HMAC-SHA256') return createHmac('sha256', key).update(payload, 'utf8').digest('hex');
  throw new TypeError(`unsupported sign type ${String(signType)}`);
}

/**
 * Signs parameters with the merchant API key, per WeChat Pay v2: upper-case hex MD5 or HMAC-SHA256.
 *
 * @example
 * ```ts
 * sign({ appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' },
 *   '192006250b4c09247ec02edce69f6a2d'); // '9A0A8659F005D6984697E2CA0A9CF3B7'
 * ```
 */
export function sign(params: SignableParams, key: string, signType: SignType = 'MD5'): string {
  return hexDigest(signingString(params), key, signType).toUpperCase();
}

/**
 * Whether `received` is exactly the upper-case spelling of `expected`, a lower-case hex digest, in time that
 * depends only on the lengths (public: a sign's length is fixed by the algorithm). No early exit and no branch
 * on a character: every position is compared, and a lower-case letter is upper-cased arithmetically. Any other
 * spelling of the right digest (lower case, whitespace, a dropped digit) is unequal, as WeChat sends upper case.
 *
 * @example
 * ```ts
 * upperHexEquals('9A0A', '9a0a'); // true
 * upperHexEquals('9a0a', '9a0a'); // false
 * ```
 * @internal
 */
export function upperHexEquals(received: string, expected: string): boolean {
  if (received.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    const code = expected.charCodeAt(i);
    // 0x20 off for 'a'..'f' (above 0x60), nothing off for '0'..'9': the sign bit of 0x60 - code picks which.
    difference |= received.charCodeAt(i) ^ (code - (((0x60 - code) >>> 31) << 5));
  }
  return difference === 0;
}

/**
 * Verifies the `sign` field of received parameters over every other field present (WeChat adds fields over
 * time, and an unsigned extra field must not slip through). Responses carry no `sign_type`: pass the algorithm
 * the request used. The comparison is constant-time.
 *
 * @example
 * ```ts
 * const fields = parseXml(body);
 * if (!verifySignature(fields, key, 'MD5')) throw new Error('forged');
 * ```
 */
export function verifySignature(params: SignableParams, key: string, signType: SignType): boolean {
  const names: string[] = [];
  for (const name in params) names.push(name);
  return verifySignatureOf(params, names, key, signType);
}

/**
 * {@link verifySignature} over `names`, the distinct own names of `params` (see {@link signingStringOf}).
 *
 * @example
 * ```ts
 * verifySignatureOf(fields, names, key, 'MD5');
 * ```
 * @internal
 */
export function verifySignatureOf(
  params: SignableParams,
  names: readonly string[],
  key: string,
  signType: SignType,
): boolean {
  const received = params['sign'];
  if (received === undefined) return false;
  return upperHexEquals(received, hexDigest(signingStringOf(params, names), key, signType));
}
