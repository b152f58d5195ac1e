import { XMLParser, XMLValidator } from 'fast-xml-parser';
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

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const FIELD_NAME = /^[A-Za-z0-9_]+$/;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const DOCTYPE_OR_ENTITY = /<!\s*(?:DOCTYPE|ENTITY)/i;
const WHITESPACE = /^[ \t\r\n]*$/;
const ATTRIBUTES = ':@';

type OrderedNode = Record<string, unknown>;

function malformed(message: string, cause?: unknown): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_XML', message, cause === undefined ? {} : { cause });
}

function toText(body: string | Uint8Array, maxBytes: number): string {
  if (typeof body === 'string') {
    // Cheap upper bound first: a UTF-8 byte is at most 3 bytes per UTF-16 unit here.
    if (body.length > maxBytes || (body.length * 3 > maxBytes && Buffer.byteLength(body, 'utf8') > maxBytes)) {
      throw new MalformedResponseError('XML_TOO_LARGE', `XML body exceeds ${maxBytes} bytes`);
    }
    return body;
  }
  if (body.byteLength > maxBytes) {
    throw new MalformedResponseError('XML_TOO_LARGE', `XML body exceeds ${maxBytes} bytes`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return decoder.decode(body);
  } catch (cause) {
    throw malformed('XML body is not valid UTF-8', cause);
  }
}

/** Concatenates the text and CDATA children of one leaf; anything else means the field is not a leaf. */
function leafValue(name: string, children: unknown): string {
  if (!Array.isArray(children)) throw malformed(`field ${name} is not a leaf`);
  let value = '';
  for (const child of children as OrderedNode[]) {
    if ('#text' in child) value += String(child['#text']);
    else if ('#cdata' in child) {
      const parts = child['#cdata'] as OrderedNode[];
      for (const part of parts) value += String(part['#text'] ?? '');
    } else if ('#comment' in child) {
      // Comments carry no data.
    } else throw malformed(`field ${name} is nested`);
  }
  return value;
}

/**
 * Parses the flat `<xml>` document WeChat Pay v2 sends into a prototype-less record of strings.
 *
 * Refused before parsing: bodies over the size cap, any `<!DOCTYPE` or `<!ENTITY`, invalid UTF-8.
 * Refused after: invalid XML, a root other than `xml`, nesting, repeated fields, attributes, names outside
 * `[A-Za-z0-9_]` and the prototype-polluting names. Values are never coerced: `"0001"` stays `"0001"`.
 * Every refusal is a {@link MalformedResponseError}.
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
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw malformed(`invalid XML: ${valid.err.msg} (line ${valid.err.line})`);

  let document: OrderedNode[];
  try {
    document = parser.parse(source) as OrderedNode[];
  } catch (cause) {
    throw malformed('XML could not be parsed', cause);
  }
  const roots = document.filter((node) => !('#text' in node && WHITESPACE.test(String(node['#text']))));
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || !('xml' in root)) throw malformed('root element must be <xml>');
  if (ATTRIBUTES in root) throw malformed('attributes are not allowed');

  const fields: Record<string, string> = Object.create(null);
  for (const node of root['xml'] as OrderedNode[]) {
    if ('#text' in node) {
      if (WHITESPACE.test(String(node['#text']))) continue;
      throw malformed('text directly inside <xml>');
    }
    if ('#comment' in node) continue;
    if ('#cdata' in node) throw malformed('CDATA directly inside <xml>');
    if (ATTRIBUTES in node) throw malformed('attributes are not allowed');
    const names = Object.keys(node);
    const name = names[0];
    if (names.length !== 1 || name === undefined) throw malformed('unexpected node inside <xml>');
    if (!FIELD_NAME.test(name) || FORBIDDEN_NAMES.has(name)) throw malformed('field name not allowed');
    if (Object.hasOwn(fields, name)) throw malformed(`field ${name} is repeated`);
    fields[name] = leafValue(name, node[name]);
  }
  return fields;
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
