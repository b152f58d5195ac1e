import { MalformedResponseError } from './errors.ts';
import { type FlatListing, malformedXml, scanFlat } from './xml-scan.ts';

/**
 * The largest body {@link parseXml} reads by default. A full orderquery answer with a few coupons is ~1.5 KB.
 *
 * @example
 * ```ts
 * parseXml(body, { maxBytes: DEFAULT_MAX_XML_BYTES * 2 });
 * ```
 */
export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

/**
 * Options of {@link parseXml}.
 *
 * @example
 * ```ts
 * const options: ParseXmlOptions = { maxBytes: 16_384 };
 * ```
 */
export interface ParseXmlOptions {
  /** Refuse bodies longer than this many bytes, before parsing. Default {@link DEFAULT_MAX_XML_BYTES}. */
  readonly maxBytes?: number;
}

// XML names cannot start with a digit; WeChat field names never do.
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const DOCTYPE_OR_ENTITY = /<!\s*(?:DOCTYPE|ENTITY)/i;
// XML 1.0's Char production. A raw NUL or control character passes the validator and the scanner, yet a signed
// value carrying one is not XML, and C-string consumers downstream (logs, drivers) would truncate it.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// The same check without the `u` flag, 3x cheaper: it can only over-match (a surrogate of a valid astral
// character), and then the exact check above decides.
const MAYBE_NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
// Both searches in one pass, for the common body that has neither: it matches wherever either of the two above
// matches (the `i` flag can only add matches to the character class), and then the two decide in their order.
const DOCTYPE_OR_MAYBE_NOT_XML_CHAR = /<!\s*(?:DOCTYPE|ENTITY)|[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/i;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function tooLarge(maxBytes: number): MalformedResponseError {
  return new MalformedResponseError('XML_TOO_LARGE', `XML body exceeds ${maxBytes} bytes`);
}

function toText(body: string | Uint8Array, maxBytes: number): string {
  if (typeof body === 'string') {
    // Cheap bounds first: a UTF-16 unit is at most 3 UTF-8 bytes, and at least 1.
    if (body.length > maxBytes || (body.length * 3 > maxBytes && Buffer.byteLength(body, 'utf8') > maxBytes)) {
      throw tooLarge(maxBytes);
    }
    return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }
  if (body.byteLength > maxBytes) throw tooLarge(maxBytes);
  try {
    // The decoder drops a leading BOM.
    return utf8.decode(body);
  } catch (cause) {
    throw malformedXml('XML body is not valid UTF-8', cause);
  }
}

/**
 * Parses the flat `<xml>` document WeChat Pay v2 sends into a prototype-less record of strings.
 *
 * Refused before parsing: bodies over the size cap, any `<!DOCTYPE` or `<!ENTITY`, invalid UTF-8.
 * Refused while scanning: anything but well-formed XML (a strict scanner, held to fast-xml-parser's validator and
 * parser by a fuzz differential in CI), a root other than `xml`, nesting, repeated fields,
 * attributes, names outside `[A-Za-z0-9_]`, the prototype-polluting names and entities XML does not predefine.
 * Values are never coerced: `"0001"` stays `"0001"`. A leading BOM is ignored. Every refusal is a
 * {@link MalformedResponseError}.
 *
 * @example
 * ```ts
 * const fields = parseXml('<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>');
 * fields.total_fee; // '1'
 * ```
 */
export function parseXml(body: string | Uint8Array, options: ParseXmlOptions = {}): Record<string, string> {
  return parseXmlListing(body, options.maxBytes).fields;
}

/**
 * {@link parseXml}, also listing the field names in document order: the decoders hand them to the signature
 * check, which then need not enumerate the record again.
 *
 * @example
 * ```ts
 * const { fields, names } = parseXmlListing(body, undefined);
 * ```
 * @internal
 */
export function parseXmlListing(body: string | Uint8Array, maxBytes: number | undefined): FlatListing {
  const text = toText(body, maxBytes ?? DEFAULT_MAX_XML_BYTES);
  if (DOCTYPE_OR_MAYBE_NOT_XML_CHAR.test(text)) {
    if (DOCTYPE_OR_ENTITY.test(text)) {
      throw new MalformedResponseError('XML_DOCTYPE', 'XML with a DOCTYPE or ENTITY declaration is refused');
    }
    if (MAYBE_NOT_XML_CHAR.test(text) && NOT_XML_CHAR.test(text))
      throw malformedXml('XML body contains a NUL, control or non-character code point');
  }
  // The strict scanner alone decides: fast-xml-parser's validator left the hot path once the fuzz differential
  // (reliability/src/fuzz, ≥100,000 bodies in CI, caches on and off) found no body the scanner accepts that
  // fast-xml-parser's validator or parser refuses (issue 12). The differential keeps the validator as its reference.
  return scanFlat(text);
}

const NEEDS_CDATA = /[<&>\]\r\n\t]|^\s|\s$/;

/**
 * Serialises a flat record as WeChat Pay v2 XML. Values that need it go into CDATA, with `]]>` split across
 * sections so any string round-trips through {@link parseXml}. `undefined` values are left out.
 *
 * @example
 * ```ts
 * buildXml({ appid: 'wxd930ea5d5a258f4f', attach: 'a<b' });
 * // '<xml><appid>wxd930ea5d5a258f4f</appid><attach><![CDATA[a<b]]></attach></xml>'
 * ```
 */
export function buildXml(params: Readonly<Record<string, string | number | undefined>>): string {
  let out = '<xml>';
  for (const name in params) {
    const raw = params[name];
    if (raw === undefined) continue;
    if (!FIELD_NAME.test(name) || FORBIDDEN_NAMES.has(name)) throw new TypeError('field name not allowed in XML');
    const value = String(raw);
    out += NEEDS_CDATA.test(value)
      ? `<${name}><![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${name}>`
      : `<${name}>${value}</${name}>`;
  }
  return `${out}</xml>`;
}
