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

function rawHeader(headers: HeaderSource, name: string): unknown {
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') return (getter as (n: string) => unknown).call(headers, name);
  const record = headers as Readonly<Record<string, unknown>>;
  let found: unknown;
  let seen = 0;
  for (const key of Object.keys(record)) {
    if (key.length === name.length && key.toLowerCase() === name) {
      found = record[key];
      seen++;
    }
  }
  // Two spellings of one header in a plain record are two values.
  return seen > 1 ? [found, found] : found;
}

/**
 * One WeChat signature header (`name` lower-case), or `undefined` when absent or empty. A header sent twice is
 * refused with {@link SignatureError} `SIGNATURE_INVALID` instead of picking one: Node joins repeats of a custom
 * header with `", "`, and none of the four `Wechatpay-*` values can contain a comma.
 *
 * @example
 * ```ts
 * const serial = signatureHeader(res.headers, 'wechatpay-serial');
 * ```
 */
export function signatureHeader(headers: HeaderSource, name: string): string | undefined {
  const value = rawHeader(headers, name);
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string') return value[0] === '' ? undefined : value[0];
    throw new SignatureError('SIGNATURE_INVALID', `the ${name} header is repeated`);
  }
  const text = String(value);
  if (text.includes(',')) throw new SignatureError('SIGNATURE_INVALID', `the ${name} header is repeated`);
  return text;
}
