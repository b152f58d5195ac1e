import { isUtf8 } from 'node:buffer';
import { MalformedResponseError } from '../errors.ts';

/** Default size cap of an APIv3 body: an order answer is ~1 KB, a notification ~1.5 KB. */
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;
/** Deeper than any APIv3 answer (`promotion_detail[].goods_detail[]` is 4 levels). */
const MAX_DEPTH = 12;
const FORBIDDEN: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A parsed JSON object: values are `unknown` until read through a checked accessor.
 *
 * @example
 * ```ts
 * const answer: JsonObject = parseJsonObject(body);
 * ```
 */
export type JsonObject = { readonly [name: string]: unknown };

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_JSON', message);
}

/** Walks what JSON.parse built; a depth or name check failing stops the walk at once. */
function check(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DEPTH) throw malformed(`JSON nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    for (const item of value) check(item, depth + 1);
    return;
  }
  for (const name in value) {
    if (FORBIDDEN.has(name)) throw malformed(`JSON carries the key ${name}`);
    check((value as Record<string, unknown>)[name], depth + 1);
  }
}

/** More `{` and `[` than this, anywhere in the text, and the parsed value is walked for its depth. */
function bracketsAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}

/**
 * Whether no value in the (JSON) text nests deeper than `limit`, read from the text itself before any parse, so
 * that a nesting bomb costs a few characters of scanning, not a parse of the whole body. Strings are skipped
 * (with their escapes), so brackets inside them do not count.
 */
function depthWithin(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return true;
}

/**
 * Whether the text alone proves what the walk would check: no forbidden name can appear (none is written, and no
 * `\u` escape could spell one) and no value can nest deeper than the limit (fewer brackets than levels, strings
 * included). A typical answer passes, sparing the walk; anything else is walked.
 */
function plainly(text: string): boolean {
  return (
    !text.includes('\\u') &&
    !text.includes('__proto__') &&
    !text.includes('constructor') &&
    !text.includes('prototype') &&
    bracketsAtMost(text, MAX_DEPTH)
  );
}

/**
 * Parses an APIv3 body that must be one JSON object: at most `maxBytes` (refused before decoding), valid UTF-8,
 * JSON, an object at the top, nested at most 12 levels, no `__proto__`/`constructor`/`prototype` key anywhere.
 * Anything else is a {@link MalformedResponseError} `MALFORMED_JSON`. The depth is read from the text before
 * parsing (a nesting bomb is refused after 13 brackets, not after a parse of the whole body), and again on the
 * parsed value.
 *
 * @example
 * ```ts
 * parseJsonObject('{"trade_state":"SUCCESS"}')['trade_state']; // 'SUCCESS'
 * parseJsonObject('{"__proto__":{}}'); // throws MalformedResponseError
 * ```
 */
export function parseJsonObject(body: Uint8Array | string, maxBytes: number = DEFAULT_MAX_JSON_BYTES): JsonObject {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most strings are known to fit without counting.
  const size =
    typeof body !== 'string' ? body.length : body.length * 3 > maxBytes ? Buffer.byteLength(body) : body.length;
  if (size > maxBytes) throw malformed(`JSON body over ${maxBytes} bytes`);
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    // isUtf8 (simdutf) then a plain decode: ~4x cheaper than a fatal TextDecoder. A BOM stays and fails JSON.parse.
    if (!isUtf8(body)) throw malformed('JSON body is not valid UTF-8');
    text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  }
  const plain = plainly(text);
  if (!plain && !depthWithin(text, MAX_DEPTH)) throw malformed(`JSON nested deeper than ${MAX_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('JSON body is not an object');
  if (!plain) check(value, 1);
  return value as JsonObject;
}
