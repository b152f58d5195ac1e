import { MalformedResponseError } from '../errors.ts';
import type { WireFields } from '../types.ts';
import type { JsonObject } from './json.ts';

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * A string member of a JSON object: `undefined` when absent, `null` or empty (WeChat's "no value"), refused as
 * {@link MalformedResponseError} when it is another type (an id as a number would lose digits).
 *
 * @example
 * ```ts
 * jsonString({ out_trade_no: 'A1' }, 'out_trade_no'); // 'A1'
 * ```
 */
export function jsonString(object: JsonObject | undefined, name: string): string | undefined {
  const value = object?.[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw malformed(`${name} is not a string`);
  return value;
}

/**
 * A non-negative safe integer member (an amount in fen, a count), `undefined` when absent or `null`.
 *
 * @example
 * ```ts
 * jsonInteger({ total: 100 }, 'total'); // 100
 * ```
 */
export function jsonInteger(object: JsonObject | undefined, name: string): number | undefined {
  const value = object?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw malformed(`${name} is not an integer amount`);
  }
  return value;
}

/**
 * An object member, `undefined` when absent or `null`.
 *
 * @example
 * ```ts
 * jsonObject(answer, 'amount')?.['total'];
 * ```
 */
export function jsonObject(object: JsonObject | undefined, name: string): JsonObject | undefined {
  const value = object?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw malformed(`${name} is not an object`);
  return value as JsonObject;
}

/**
 * An array-of-objects member, empty when absent or `null`.
 *
 * @example
 * ```ts
 * jsonObjects(answer, 'promotion_detail').length;
 * ```
 */
export function jsonObjects(object: JsonObject | undefined, name: string): readonly JsonObject[] {
  const value = object?.[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw malformed(`${name} is not a list of objects`);
  }
  return value as JsonObject[];
}

function flattenInto(out: Record<string, string>, prefix: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object') {
    out[prefix] = String(value);
    return;
  }
  if (Array.isArray(value)) {
    for (let n = 0; n < value.length; n++) flattenInto(out, `${prefix}.${n}`, value[n]);
    return;
  }
  for (const name in value) flattenInto(out, prefix === '' ? name : `${prefix}.${name}`, (value as JsonObject)[name]);
}

/**
 * An APIv3 JSON object as {@link WireFields}: every scalar as a string under its dotted path (`amount.total`,
 * `payer.openid`, `promotion_detail.0.amount`), so that v2 and v3 outcomes carry the same kind of `fields`.
 *
 * @example
 * ```ts
 * flattenJson({ amount: { total: 100 } }); // { 'amount.total': '100' }
 * ```
 */
export function flattenJson(object: JsonObject): WireFields {
  const out: Record<string, string> = {};
  flattenInto(out, '', object);
  return Object.freeze(out);
}
