import { SignatureError } from '../errors.ts';

/**
 * Response or request headers as the usual HTTP stacks hand them over: Node's `IncomingHttpHeaders` (lower-case
 * names, arrays for some repeats), a fetch `Headers`, an `AxiosHeaders`, or a plain record with any name case.
 *
 * @example
 * ```ts
 * const headers: HeaderSource = req.headers;
 * ```
 */
export type HeaderSource =
  | { get(name: string): unknown }
  | Readonly<Record<string, string | readonly string[] | number | undefined | null>>;

/** The four headers WeChat signs an answer or notification with, each present at most once. */
export interface SignatureHeaders {
  readonly timestamp: string | undefined;
  readonly nonce: string | undefined;
  readonly signature: string | undefined;
  readonly serial: string | undefined;
}

const NAMES = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'] as const;
const PREFIX = 'wechatpay-';

function repeated(name: string): SignatureError {
  return new SignatureError('SIGNATURE_INVALID', `the ${name} header is repeated`);
}

/** One value as a single string: `undefined` when empty; a repeat (an array, or Node's `", "` join) refused. */
function single(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1 || typeof value[0] !== 'string') throw repeated(name);
    return value[0] === '' ? undefined : value[0];
  }
  const text = typeof value === 'string' ? value : String(value);
  if (text.includes(',')) throw repeated(name);
  return text;
}

/**
 * The four `Wechatpay-*` signature headers of an answer or notification, in one pass. A header sent twice is
 * refused with {@link SignatureError} `SIGNATURE_INVALID` instead of picking one: Node joins repeats of a custom
 * header with `", "`, an array carries them apart, a plain record may spell one name twice; none of the four
 * values can contain a comma.
 *
 * @example
 * ```ts
 * const { serial, signature } = signatureHeaders(res.headers);
 * ```
 */
export function signatureHeaders(headers: HeaderSource): SignatureHeaders {
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    const get = (name: string) => single(name, (getter as (n: string) => unknown).call(headers, name));
    return { timestamp: get(NAMES[0]), nonce: get(NAMES[1]), signature: get(NAMES[2]), serial: get(NAMES[3]) };
  }
  const found: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  const record = headers as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(record)) {
    // Most headers are ruled out by their length and first letter without a lower-casing.
    if (key.length < 15 || key.length > 19 || (key.charCodeAt(0) | 0x20) !== 0x77 /* w */) continue;
    const lower = key.toLowerCase();
    if (!lower.startsWith(PREFIX)) continue;
    const at = (NAMES as readonly string[]).indexOf(lower);
    if (at < 0) continue;
    const value = single(lower, record[key]);
    if (value === undefined) continue;
    if (found[at] !== undefined) throw repeated(lower);
    found[at] = value;
  }
  return { timestamp: found[0], nonce: found[1], signature: found[2], serial: found[3] };
}

/**
 * One signature header by its lower-case name (see {@link signatureHeaders} for the rules).
 *
 * @example
 * ```ts
 * signatureHeader(res.headers, 'wechatpay-serial');
 * ```
 */
export function signatureHeader(headers: HeaderSource, name: (typeof NAMES)[number]): string | undefined {
  const all = signatureHeaders(headers);
  if (name === NAMES[0]) return all.timestamp;
  if (name === NAMES[1]) return all.nonce;
  if (name === NAMES[2]) return all.signature;
  return all.serial;
}
