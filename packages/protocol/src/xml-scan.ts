import { codecCaches } from './codec-caches.ts';
import { MalformedResponseError } from './errors.ts';

// The scanner reads only the flat subset WeChat sends; fast-xml-parser's validator then proves the document
// well-formed before what the scanner read is used. It replaces a second full parse, and it is stricter than a
// general parser: anything outside the subset is refused rather than interpreted (so it runs first, and a hostile
// body is refused at its first nested tag). It never assumes well-formedness for its own safety: every read is
// bounded by the text.

// The declaration as XML 1.0 spells it, and only UTF-8: the body is decoded as UTF-8 whatever it declares, so a
// body declaring another encoding (or a garbled declaration) is refused rather than read as something else.
const DECLARATION =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[Uu][Tt][Ff]-8\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/y;
const MISC = /(?:[ \t\r\n]|<!--(?:[^-]|-[^-])*-->)*/y;
const ROOT_OPEN = /<xml[ \t\r\n]*>/y;
const ROOT_CLOSE = /<\/xml[ \t\r\n]*>/y;
// An XML name cannot start with a digit (`<0coupon/>` is not well-formed): the scanner must refuse it itself now
// that no validator runs before it.
const FIELD_OPEN = /<([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*(\/?)>/y;
const TEXT = /[^<]*/y;
const CLOSE_REST = /[ \t\r\n]*>/y;
const COMMENT = /<!--(?:[^-]|-[^-])*-->/y;
const ENTITY = /&(?:#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6})|(lt|gt|amp|apos|quot));|&/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
// What the fast paths read as a name; the general path reads the same names.
const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;

// Messages quote the body (the validator's open-tag stack, field names): capped, so that one hostile answer cannot
// put a 160 KB line in every log that records the error.
const MAX_MESSAGE_CHARS = 200;

/**
 * The `MALFORMED_XML` error of the XML reader, its message capped in length.
 *
 * @example
 * ```ts
 * throw malformedXml('field a is nested');
 * ```
 * @internal
 */
export function malformedXml(message: string, cause?: unknown): MalformedResponseError {
  return new MalformedResponseError(
    'MALFORMED_XML',
    message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message,
    cause === undefined ? {} : { cause },
  );
}

/**
 * The fields of a flat document and their names in document order (the decoders hand them to the signature check,
 * which then need not enumerate the record again). `names` may be shared between calls: never modify it.
 *
 * @example
 * ```ts
 * const { fields, names } = scanFlat('<xml><b>1</b><a>2</a></xml>'); // names: ['b', 'a']
 * ```
 * @internal
 */
export interface FlatListing {
  readonly fields: Record<string, string>;
  readonly names: readonly string[];
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
    if (!isXmlChar(code)) throw malformedXml('undefined or invalid entity reference');
    return String.fromCodePoint(code);
  });
}

function skip(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : at;
}

/** `text.startsWith(s, at)` inlined: for names of a dozen characters the builtin call costs more than the loop. */
function matchesAt(text: string, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (text.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** `[A-Za-z_]` */
function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

/** `[A-Za-z0-9_]` */
function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39);
}

/** The same as `skip(MISC, …)`, by hand: between fields there is mostly a single newline. */
function skipMisc(text: string, from: number): number {
  let at = from;
  for (;;) {
    const code = text.charCodeAt(at);
    if (isWhitespace(code)) at++;
    else if (code === LT && text.startsWith('<!--', at)) {
      const next = skip(COMMENT, text, at);
      if (next === at) return at;
      at = next;
    } else return at;
  }
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
    if (at >= text.length) throw malformedXml(`field ${name} is not closed`);
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      if (close < 0) throw malformedXml(`field ${name} has an unterminated CDATA section`);
      value += text.slice(at + 9, close);
      at = close + 3;
    } else if (text.startsWith('<!--', at)) {
      const next = skip(COMMENT, text, at);
      if (next === at) throw malformedXml(`field ${name} has a malformed comment`);
      at = next;
    } else if (text.startsWith('</', at)) {
      CLOSE_REST.lastIndex = at + 2 + name.length;
      if (!text.startsWith(name, at + 2) || !CLOSE_REST.test(text)) {
        throw malformedXml(`field ${name} is closed by another tag`);
      }
      return [value, CLOSE_REST.lastIndex];
    } else throw malformedXml(`field ${name} is nested`);
  }
}

/** The state of one scan the fast paths share: the value they read, and where the next `&` is (-1: none left). */
interface Scan {
  value: string;
  ampersand: number;
}

/**
 * Reads, from just after `<name>`, one CDATA section (up to the first `]]>`) or text without `<` and `&`, then
 * `</name>` directly: the shape of nearly every field WeChat sends. Stores the value in `scan` and returns the
 * index after the field, or -1 for any other shape, which the general path then reads or refuses by its rules.
 */
function readSimpleValue(text: string, from: number, name: string, scan: Scan): number {
  let close: number;
  if (text.charCodeAt(from) === LT && text.startsWith('<![CDATA[', from)) {
    const cdataEnd = text.indexOf(']]>', from + 9);
    if (cdataEnd < 0) return -1;
    scan.value = text.slice(from + 9, cdataEnd);
    close = cdataEnd + 3;
  } else {
    close = text.indexOf('<', from);
    if (close < 0) return -1;
    // One search for `&` per document rather than one per field: the scan only moves forward.
    if (scan.ampersand !== -1 && scan.ampersand < from) scan.ampersand = text.indexOf('&', from);
    if (scan.ampersand !== -1 && scan.ampersand < close) return -1;
    scan.value = text.slice(from, close);
  }
  const after = close + 3 + name.length;
  if (
    text.charCodeAt(close) !== LT ||
    text.charCodeAt(close + 1) !== SLASH ||
    text.charCodeAt(after - 1) !== GT ||
    !matchesAt(text, close + 2, name)
  ) {
    return -1;
  }
  return after;
}

/** `<name>` at `at` for a name in `[A-Za-z_][A-Za-z0-9_]*`: the index after `>`, or -1. */
function simpleOpenEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== LT || !isNameStart(text.charCodeAt(at + 1))) return -1;
  let end = at + 2;
  while (isNameChar(text.charCodeAt(end))) end++;
  return text.charCodeAt(end) === GT ? end + 1 : -1;
}

/** `<name>` at `at` for a name known to match SIMPLE_NAME: the index after `>`, or -1. */
function knownOpenEnd(text: string, at: number, name: string): number {
  const end = at + 1 + name.length;
  return text.charCodeAt(at) === LT && text.charCodeAt(end) === GT && matchesAt(text, at + 1, name) ? end + 1 : -1;
}

// The name lists of the last documents of distinct shapes, each a list a scan accepted: distinct names, none of
// them forbidden, all matching SIMPLE_NAME. While a document follows one of them, a field is recognised by
// comparing the expected name in place; its name needs no slicing, no interning into a property key, and no
// repeated-name or forbidden-name check (a prefix of a distinct, allowed list is distinct and allowed). The first
// field that differs switches to another list with the same prefix, or to the general reading. So they only
// ever change the cost of a scan, never its result.
const templates: (readonly string[])[] = [];
const MAX_TEMPLATES = 8;
const MAX_TEMPLATE_NAMES = 128;
let nextTemplateSlot = 0;
let lastTemplate: readonly string[] | undefined;

function samePrefix(a: readonly string[], b: readonly string[], length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Another remembered list that agrees with `current` on its first `count` names and names the field at `at`. */
function switchTemplate(
  current: readonly string[],
  count: number,
  text: string,
  at: number,
): readonly string[] | undefined {
  for (const candidate of templates) {
    if (candidate === current || candidate.length <= count) continue;
    if (knownOpenEnd(text, at, candidate[count] as string) >= 0 && samePrefix(candidate, current, count))
      return candidate;
  }
  return undefined;
}

function remember(fields: Record<string, string>): void {
  if (!codecCaches.enabled) return;
  // Object.keys gives the interned property keys, in insertion (document) order.
  const names = Object.freeze(Object.keys(fields));
  if (names.length <= MAX_TEMPLATE_NAMES && names.every((name) => SIMPLE_NAME.test(name))) {
    templates[nextTemplateSlot] = names;
    nextTemplateSlot = (nextTemplateSlot + 1) % MAX_TEMPLATES;
    lastTemplate = names;
  }
}

function assertNewName(fields: Record<string, string>, name: string): void {
  // Three comparisons that mostly stop at the length: cheaper than hashing every name for a set.
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
    throw malformedXml('field name not allowed');
  }
  // Values are always strings, so `undefined` means absent: the same as `name in fields` on a prototype-less record.
  if (fields[name] !== undefined) throw malformedXml(`field ${name} is repeated`);
}

function describeUnexpected(text: string, at: number): string {
  if (at >= text.length) return '<xml> is not closed';
  if (text[at] !== '<') return 'text directly inside <xml>';
  if (text.startsWith('<![CDATA[', at)) return 'CDATA directly inside <xml>';
  if (/^<[A-Za-z0-9_]+[ \t\r\n]+[^>]/.test(text.slice(at, at + 80))) return 'attributes are not allowed';
  return 'field name not allowed';
}

/**
 * Reads a document as a flat `<xml>` of leaves into a prototype-less record, refusing what is not well-formed
 * XML (a differential against fast-xml-parser in CI holds it to that) and
 * anything else: a root other than `<xml>` without attributes, a root without any field, nesting, repeated or
 * forbidden names, attributes, text or CDATA directly in the root, entities XML does not predefine, content after
 * `</xml>`.
 *
 * @example
 * ```ts
 * scanFlat('<xml><a>1</a></xml>').fields.a; // '1'
 * ```
 * @internal
 */
export function scanFlat(text: string): FlatListing {
  let at = skip(DECLARATION, text, 0);
  at = skip(MISC, text, at);
  ROOT_OPEN.lastIndex = at;
  if (!ROOT_OPEN.test(text)) throw malformedXml('root element must be <xml> without attributes');
  at = ROOT_OPEN.lastIndex;

  const fields: Record<string, string> = Object.create(null);
  const scan: Scan = { value: '', ampersand: text.indexOf('&') };
  // While `template` is set, the fields read so far are its first `count` names and `names` is not built yet.
  let template = codecCaches.enabled ? lastTemplate : undefined;
  let names: string[] | undefined = template === undefined ? [] : undefined;
  let count = 0;
  for (;;) {
    at = skipMisc(text, at);
    if (text.charCodeAt(at + 1) === SLASH) {
      ROOT_CLOSE.lastIndex = at;
      if (ROOT_CLOSE.test(text)) {
        at = skip(MISC, text, ROOT_CLOSE.lastIndex);
        if (at !== text.length) throw malformedXml('content after </xml>');
        // `<xml>` with nothing but whitespace is, to a general parser, an element whose content is text (which
        // fast-xml-parser reads as the string "\n\t", not as a record). WeChat never sends a body without a
        // field, so it is refused rather than read as an empty record.
        if ((template === undefined ? (names as string[]).length : count) === 0)
          throw malformedXml('<xml> has no fields');
        if (template !== undefined) {
          if (count === template.length) {
            lastTemplate = template;
            return { fields, names: template };
          }
          names = template.slice(0, count);
        }
        remember(fields);
        return { fields, names: names as string[] };
      }
    }
    if (template !== undefined) {
      let expected = template[count];
      let open = expected === undefined ? -1 : knownOpenEnd(text, at, expected);
      if (open < 0) {
        const other = switchTemplate(template, count, text, at);
        if (other !== undefined) {
          template = other;
          expected = other[count] as string;
          open = knownOpenEnd(text, at, expected);
        }
      }
      const next = open < 0 ? -1 : readSimpleValue(text, open, expected as string, scan);
      if (next >= 0) {
        fields[expected as string] = scan.value;
        count++;
        at = next;
        continue;
      }
      names = template.slice(0, count);
      template = undefined;
    }
    let name = '';
    let value: string;
    const open = simpleOpenEnd(text, at);
    if (open >= 0) name = text.slice(at + 1, open - 1);
    const next = open < 0 ? -1 : readSimpleValue(text, open, name, scan);
    if (next >= 0) {
      value = scan.value;
      assertNewName(fields, name);
      at = next;
    } else {
      FIELD_OPEN.lastIndex = at;
      const tag = FIELD_OPEN.exec(text);
      if (tag === null) throw malformedXml(describeUnexpected(text, at));
      name = tag[1] as string;
      assertNewName(fields, name);
      if (tag[2] === '/') {
        value = '';
        at = FIELD_OPEN.lastIndex;
      } else {
        [value, at] = readLeaf(text, name, FIELD_OPEN.lastIndex);
      }
    }
    fields[name] = value;
    (names as string[]).push(name);
  }
}
