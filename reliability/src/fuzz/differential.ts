import { TradestateError } from '@tradestate/protocol';
import { parseXml } from '@tradestate/protocol/codec';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
// The codec's internals, from their own files: the cache switch and the listing the signer is given.
import { setCodecCaches } from '../../../packages/protocol/src/codec-caches.ts';
import { signingStringOf } from '../../../packages/protocol/src/sign.ts';
import { parseXmlListing } from '../../../packages/protocol/src/xml.ts';

// fast-xml-parser configured to read what WeChat sends the way the flat scanner promises to: every value a
// string, whitespace kept, no DTD, attributes and declarations ignored.
const reference = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Needed for numeric character references (&#x41;), which XML itself defines; named HTML entities it also
  // decodes are refused by the scanner, so they never reach a comparison.
  htmlEntities: true,
});

/** What the differential check saw for one body. */
export type DifferentialResult =
  | { readonly kind: 'both-accept' }
  | { readonly kind: 'both-accept-line-ends-differ' }
  | { readonly kind: 'scanner-refuses' }
  | { readonly kind: 'reference-refuses' }
  | { readonly kind: 'disagree'; readonly detail: string };

/**
 * fast-xml-parser's validator, as the library ran it on the hot path before issue 12: the well-formedness
 * proof the scanner now stands in for.
 */
const VALIDATOR_OPTIONS = { allowBooleanAttributes: false } as const;

function referenceFields(body: string | Uint8Array): Record<string, string> | undefined {
  let tree: unknown;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (XMLValidator.validate(text, VALIDATOR_OPTIONS) !== true) return undefined;
  try {
    tree = reference.parse(text);
  } catch {
    return undefined;
  }
  const root = (tree as Record<string, unknown>)['xml'];
  // `<xml></xml>` parses to '' (no children): the empty record.
  if (root === '') return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) {
    // Whitespace between fields is the root's insignificant text; any other root text stays, as a disagreement.
    if (name === '#text' && typeof value === 'string' && /^[ \t\r\n]*$/.test(value)) continue;
    fields[name] = value as string;
  }
  return fields;
}

/**
 * Parses a body with the library's strict flat scanner and with fast-xml-parser (its validator, then its full
 * parser). The scanner accepting a body the reference refuses is `reference-refuses`. Wherever both
 * accept, they must read the same fields with the same values; the scanner may refuse more (that is its job),
 * and a shape the scanner accepts but the reference reads as nested, repeated or non-string is a disagreement.
 */
export function compareParsers(body: string | Uint8Array): DifferentialResult {
  let strict: Record<string, string>;
  try {
    strict = parseXml(body);
  } catch {
    return { kind: 'scanner-refuses' };
  }
  const loose = referenceFields(body);
  if (loose === undefined) return { kind: 'reference-refuses' };
  const names = new Set([...Object.keys(strict), ...Object.keys(loose)]);
  let lineEndsDiffer = false;
  for (const name of names) {
    const a = Object.hasOwn(strict, name) ? strict[name] : undefined;
    const b = Object.hasOwn(loose, name) ? loose[name] : undefined;
    if (a === b) continue;
    // The one known divergence: XML 1.0 (2.11) turns CR LF and lone CR into LF; the scanner keeps the raw
    // characters, which is what the sign was computed over. Counted, not failed.
    if (a !== undefined && a.replace(/\r\n?/g, '\n') === b) {
      lineEndsDiffer = true;
      continue;
    }
    return { kind: 'disagree', detail: `${name}: scanner ${JSON.stringify(a)} vs reference ${JSON.stringify(b)}` };
  }
  return { kind: lineEndsDiffer ? 'both-accept-line-ends-differ' : 'both-accept' };
}

/** What the codec reads from one body: the fields, the names in order and the string its sign covers, or the refusal. */
function codecReading(body: string | Uint8Array): string {
  try {
    const { fields, names } = parseXmlListing(body, undefined);
    return JSON.stringify([Object.entries(fields), names, signingStringOf(fields, names)]);
  } catch (err) {
    return `refused ${err instanceof TradestateError ? err.code : String(err)}`;
  }
}

/**
 * Reads a body with the codec's module-global caches on (as they stand after every body before it) and then
 * off: the scanner's remembered shapes and the signer's remembered orders and plans may only change the cost.
 * Returns undefined when both readings agree, else what differed. Leaves the caches on.
 */
export function compareCacheModes(body: string | Uint8Array): string | undefined {
  const cached = codecReading(body);
  setCodecCaches(false);
  let uncached: string;
  try {
    uncached = codecReading(body);
  } finally {
    setCodecCaches(true);
  }
  return cached === uncached ? undefined : `caches on read ${cached.slice(0, 300)}, off ${uncached.slice(0, 300)}`;
}
