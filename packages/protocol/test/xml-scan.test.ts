import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../src/codec.ts';
import { MalformedResponseError } from '../src/index.ts';
import { parseXmlListing } from '../src/xml.ts';

// The scanner remembers the name lists of recent documents to read the next one of the same shape faster. These
// tests parse sequences of related documents, so that later ones follow, diverge from or switch between
// remembered lists, and check every result against what the document says, whatever was parsed before.

type Field = readonly [name: string, value: string];

function doc(fields: readonly Field[], separator = '\n'): string {
  return `<xml>${separator}${fields.map(([n, v]) => `<${n}>${v}</${n}>`).join(separator)}${separator}</xml>`;
}

/** What a document of simple fields must read as: its record, or the refusal of its first bad name or of no field. */
function expected(fields: readonly Field[]): Record<string, string> | string {
  // fast-xml-parser reads a root of only whitespace as text, not as a record: no field at all is refused.
  if (fields.length === 0) return '<xml> has no fields';
  const seen = new Set<string>();
  for (const [name] of fields) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') return 'field name not allowed';
    if (seen.has(name)) return `field ${name} is repeated`;
    seen.add(name);
  }
  return Object.fromEntries(fields.map(([n, v]) => [n, v.startsWith('<![CDATA[') ? v.slice(9, -3) : v]));
}

function read(body: string): Record<string, string> | string {
  try {
    const { fields, names } = parseXmlListing(body, undefined);
    // The listing names exactly the record's fields, in document order.
    expect([...names]).toEqual(Object.keys(fields));
    expect(Object.getPrototypeOf(fields)).toBeNull();
    return { ...fields };
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedResponseError);
    return (err as Error).message;
  }
}

const ANSWER: readonly Field[] = [
  ['return_code', 'SUCCESS'],
  ['appid', 'wx1'],
  ['mch_id', '100'],
  ['sign', 'AB'],
  ['trade_state', 'NOTPAY'],
];

describe('scanFlat: remembered name lists', () => {
  it('reads a document of a known shape with its own values', () => {
    expect(read(doc(ANSWER))).toEqual(expected(ANSWER));
    const again: Field[] = ANSWER.map(([n]) => [n, `${n}!`]);
    expect(read(doc(again))).toEqual(expected(again));
  });

  it('refuses a repeated name that follows a known prefix', () => {
    read(doc(ANSWER));
    const repeated: Field[] = [...ANSWER.slice(0, 3), ['appid', 'wx2'], ...ANSWER.slice(3)];
    expect(read(doc(repeated))).toBe('field appid is repeated');
    expect(() => parseXml(doc(repeated))).toThrow(MalformedResponseError);
  });

  it('refuses a forbidden name that follows a known prefix', () => {
    read(doc(ANSWER));
    expect(read(doc([...ANSWER.slice(0, 2), ['__proto__', 'x']]))).toBe('field name not allowed');
    expect(read(doc([...ANSWER, ['constructor', 'x']]))).toBe('field name not allowed');
  });

  it('reads documents shorter and longer than a known shape, and one that differs in the middle', () => {
    read(doc(ANSWER));
    for (const fields of [
      ANSWER.slice(0, 2),
      [...ANSWER, ['time_end', '20141111170043']] as Field[],
      [...ANSWER.slice(0, 2), ['device_info', ''], ...ANSWER.slice(2)] as Field[],
      [],
    ]) {
      expect(read(doc(fields))).toEqual(expected(fields));
      expect(read(doc(fields))).toEqual(expected(fields));
    }
  });

  it('reads a known name whose value is not a simple one by the general rules', () => {
    read(doc(ANSWER));
    const body = doc(ANSWER).replace('<appid>wx1</appid>', '<appid>a&amp;b<!-- c --><![CDATA[<d>]]></appid>');
    expect(read(body)).toEqual({ ...(expected(ANSWER) as Record<string, string>), appid: 'a&b<d>' });
    expect(read(doc(ANSWER).replace('<appid>wx1</appid>', '<appid>a&bogus;</appid>'))).toMatch(/invalid XML|entity/);
    expect(read(doc(ANSWER).replace('</appid>', '</appid >'))).toEqual(expected(ANSWER));
    expect(read(doc(ANSWER).replace('<appid>', '<appid >'))).toEqual(expected(ANSWER));
  });

  it('does not take a longer name that starts with a known one for it', () => {
    read(doc(ANSWER));
    const longer: Field[] = ANSWER.map(([n, v]) => (n === 'appid' ? ['appid_x', v] : [n, v]));
    expect(read(doc(longer))).toEqual(expected(longer));
    const shorter: Field[] = ANSWER.map(([n, v]) => (n === 'appid' ? ['app', v] : [n, v]));
    expect(read(doc(shorter))).toEqual(expected(shorter));
  });

  it('agrees with what each document says over any sequence of related documents (property)', () => {
    const name = fc.constantFrom(
      'return_code',
      'appid',
      'mch_id',
      'sign',
      'trade_state',
      'a',
      'appid_',
      '__proto__',
      'prototype',
    );
    const value = fc.constantFrom('', 'v', 'SUCCESS', '<![CDATA[x<y]]>', '订单', ' ');
    const fields = fc.array(fc.tuple(name, value), { maxLength: 8 });
    const sequence = fc.array(fc.tuple(fields, fc.constantFrom('', '\n', ' <!-- c --> ')), {
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(sequence, (docs) => {
        for (const [f, separator] of docs) expect(read(doc(f, separator))).toEqual(expected(f));
      }),
      { numRuns: 400 },
    );
  });
});
