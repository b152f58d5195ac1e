import { XMLValidator } from 'fast-xml-parser';
import { MalformedResponseError } from './errors.ts';

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
const VALIDATOR_OPTIONS = { allowBooleanAttributes: false } as const;
// XML 1.0's Char production. A raw NUL or control character passes the validator and the scanner, yet a signed
// value carrying one is not XML, and C-string consumers downstream (logs, drivers) would truncate it.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// The same check without the `u` flag, 3x cheaper: it can only over-match (a surrogate of a valid astral
// character), and then the exact check above decides.
const MAYBE_NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

// The scanner below reads only the flat subset WeChat sends, after fast-xml-parser's validator has proved the
// document well-formed. It replaces a second full parse (the validator already walked every byte), and it is
// stricter than a general parser: anything outside the subset is refused rather than interpreted.
// The declaration as XML 1.0 spells it, and only UTF-8: the body is decoded as UTF-8 whatever it declares, so a
// body declaring another encoding (or a garbled declaration) is refused rather than read as something else.
const DECLARATION =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[Uu][Tt][Ff]-8\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/y;
const MISC = /(?:[ \t\r\n]|<!--(?:[^-]|-[^-])*-->)*/y;
const ROOT_OPEN = /<xml[ \t\r\n]*>/y;
const ROOT_CLOSE = /<\/xml[ \t\r\n]*>/y;
const FIELD_OPEN = /<([A-Za-z0-9_]+)[ \t\r\n]*(\/?)>/y;
// The shape of nearly every field WeChat sends, read in one step: plain text without markup or entities, or
// one CDATA section. Anything else falls through to the general path below, which applies the same rules.
const SIMPLE_FIELD = /<([A-Za-z_][A-Za-z0-9_]*)>(?:<!\[CDATA\[((?:[^\]]|\](?!\]>))*)\]\]>|([^<&]*))<\/\1>/y;
const TEXT = /[^<]*/y;
const CLOSE_REST = /[ \t\r\n]*>/y;
const COMMENT = /<!--(?:[^-]|-[^-])*-->/y;
const ENTITY = /&(?:#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6})|(lt|gt|amp|apos|quot));|&/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

// Messages quote the body (the validator's open-tag stack, field names): capped, so that one hostile answer cannot
// put a 160 KB line in every log that records the error.
const MAX_MESSAGE_CHARS = 200;

type Malformed = (message: string, cause?: unknown) => MalformedResponseError;
const malformed: Malformed = (message, cause) =>
  new MalformedResponseError(
    'MALFORMED_XML',
    message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message,
    cause === undefined ? {} : { cause },
  );

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
    throw malformed('XML body is not valid UTF-8', cause);
  }
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_match, decimal?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED_ENTITIES[named] as string;
    const code =
      decimal !== undefined ? Number.parseInt(decimal, 10) : hex !== undefined ? Number.parseInt(hex, 16) : -1;
    // A bare `&` or an entity XML does not predefine (no DTD is ever read) is refused, not guessed.
    if (!isXmlChar(code)) throw malformed('undefined or invalid entity reference');
    return String.fromCodePoint(code);
  });
}

function skip(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : at;
}

/** Reads one leaf's content (text, CDATA, comments) up to its closing tag; returns the value and the new index. */
function readLeaf(text: string, name: string, from: number): [string, number] {
  let value = '';
  let at = from;
  for (;;) {
    TEXT.lastIndex = at;
    TEXT.test(text);
    if (TEXT.lastIndex > at) value += decodeEntities(text.slice(at, TEXT.lastIndex));
    at = TEXT.lastIndex;
    if (at >= text.length) throw malformed(`field ${name} is not closed`);
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      if (close < 0) throw malformed(`field ${name} has an unterminated CDATA section`);
      value += text.slice(at + 9, close);
      at = close + 3;
    } else if (text.startsWith('<!--', at)) {
      const next = skip(COMMENT, text, at);
      if (next === at) throw malformed(`field ${name} has a malformed comment`);
      at = next;
    } else if (text.startsWith('</', at)) {
      CLOSE_REST.lastIndex = at + 2 + name.length;
      if (!text.startsWith(name, at + 2) || !CLOSE_REST.test(text)) {
        throw malformed(`field ${name} is closed by another tag`);
      }
      return [value, CLOSE_REST.lastIndex];
    } else throw malformed(`field ${name} is nested`);
  }
}

function scanFlat(text: string): Record<string, string> {
  let at = skip(DECLARATION, text, 0);
  at = skip(MISC, text, at);
  ROOT_OPEN.lastIndex = at;
  if (!ROOT_OPEN.test(text)) throw malformed('root element must be <xml> without attributes');
  at = ROOT_OPEN.lastIndex;

  const fields: Record<string, string> = Object.create(null);
  for (;;) {
    at = skip(MISC, text, at);
    ROOT_CLOSE.lastIndex = at;
    if (ROOT_CLOSE.test(text)) {
      at = skip(MISC, text, ROOT_CLOSE.lastIndex);
      if (at !== text.length) throw malformed('content after </xml>');
      return fields;
    }
    SIMPLE_FIELD.lastIndex = at;
    const simple = SIMPLE_FIELD.exec(text);
    if (simple !== null) {
      const name = simple[1] as string;
      if (FORBIDDEN_NAMES.has(name)) throw malformed('field name not allowed');
      if (name in fields) throw malformed(`field ${name} is repeated`);
      fields[name] = simple[2] ?? (simple[3] as string);
      at = SIMPLE_FIELD.lastIndex;
      continue;
    }
    FIELD_OPEN.lastIndex = at;
    const open = FIELD_OPEN.exec(text);
    if (open === null) throw malformed(describeUnexpected(text, at));
    const name = open[1] as string;
    if (FORBIDDEN_NAMES.has(name)) throw malformed('field name not allowed');
    if (name in fields) throw malformed(`field ${name} is repeated`);
    if (open[2] === '/') {
      fields[name] = '';
      at = FIELD_OPEN.lastIndex;
    } else {
      const [value, next] = readLeaf(text, name, FIELD_OPEN.lastIndex);
      fields[name] = value;
      at = next;
    }
  }
}

function describeUnexpected(text: string, at: number): string {
  if (at >= text.length) return '<xml> is not closed';
  if (text[at] !== '<') return 'text directly inside <xml>';
  if (text.startsWith('<![CDATA[', at)) return 'CDATA directly inside <xml>';
  if (/^<[A-Za-z0-9_]+[ \t\r\n]+[^>]/.test(text.slice(at, at + 80))) return 'attributes are not allowed';
  return 'field name not allowed';
}

/**
 * Parses the flat `<xml>` document WeChat Pay v2 sends into a prototype-less record of strings.
 *
 * Refused before parsing: bodies over the size cap, any `<!DOCTYPE` or `<!ENTITY`, invalid UTF-8.
 * Refused after: invalid XML (fast-xml-parser's validator), a root other than `xml`, nesting, repeated fields,
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
  const text = toText(body, options.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  if (DOCTYPE_OR_ENTITY.test(text)) {
    throw new MalformedResponseError('XML_DOCTYPE', 'XML with a DOCTYPE or ENTITY declaration is refused');
  }
  if (MAYBE_NOT_XML_CHAR.test(text) && NOT_XML_CHAR.test(text))
    throw malformed('XML body contains a NUL, control or non-character code point');
  const valid = XMLValidator.validate(text, VALIDATOR_OPTIONS);
  if (valid !== true) throw malformed(`invalid XML: ${valid.err.msg} (line ${valid.err.line})`);
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
