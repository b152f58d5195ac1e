import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sign, signingString, verifySignature } from '../src/codec.ts';
import type { SignType } from '../src/index.ts';
import { signingStringOf, upperHexEquals, verifySignatureOf } from '../src/sign.ts';
import { KEY, vector } from './fixtures.ts';

interface SigningCase {
  params: Record<string, string>;
  stringA?: string;
  MD5: string;
  'HMAC-SHA256': string;
}
const vectors = JSON.parse(vector('signing.json')) as { key: string; cases: SigningCase[] };
const SIGN_TYPES: readonly SignType[] = ['MD5', 'HMAC-SHA256'];

describe('sign: the shared vectors', () => {
  it('uses the documented key', () => {
    expect(vectors.key).toBe(KEY);
    expect(vectors.cases.length).toBeGreaterThanOrEqual(2);
  });
  for (const [index, c] of vectors.cases.entries()) {
    for (const signType of SIGN_TYPES) {
      it(`case ${index} signs and verifies with ${signType}`, () => {
        expect(sign(c.params, KEY, signType)).toBe(c[signType]);
        expect(verifySignature({ ...c.params, sign: c[signType] }, KEY, signType)).toBe(true);
      });
    }
    if (c.stringA !== undefined) {
      it(`case ${index} builds the documented stringA`, () => {
        expect(signingString(c.params)).toBe(c.stringA);
      });
    }
  }
  it('MD5 is the default algorithm', () => {
    const c = vectors.cases[0]!;
    expect(sign(c.params, KEY)).toBe(c.MD5);
  });
});

describe('sign: which fields are signed', () => {
  const base = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', nonce_str: 'abc' };

  it('signs "0" but skips empty strings, undefined and sign itself', () => {
    expect(signingString({ ...base, coupon_fee: '0' })).toBe(
      'appid=wxd930ea5d5a258f4f&coupon_fee=0&mch_id=10000100&nonce_str=abc',
    );
    expect(sign({ ...base, coupon_fee: '0' }, KEY)).not.toBe(sign(base, KEY));
    expect(sign({ ...base, device_info: '' }, KEY)).toBe(sign(base, KEY));
    expect(sign({ ...base, device_info: undefined }, KEY)).toBe(sign(base, KEY));
    expect(sign({ ...base, sign: 'ANYTHING' }, KEY)).toBe(sign(base, KEY));
  });

  it('sorts keys by ASCII, upper case before lower case', () => {
    expect(signingString({ b: '1', B: '2', a_b: '3', a: '4' })).toBe('B=2&a=4&a_b=3&b=1');
  });

  it('never includes the key in the signing string', () => {
    expect(signingString({ ...base, key: 'x' })).not.toContain(KEY);
  });

  for (const signType of SIGN_TYPES) {
    it(`${signType}: an extra unsigned field breaks verification; an extra empty one does not`, () => {
      const signed = { ...base, sign: sign(base, KEY, signType) };
      expect(verifySignature(signed, KEY, signType)).toBe(true);
      expect(verifySignature({ ...signed, trade_state: 'SUCCESS' }, KEY, signType)).toBe(false);
      expect(verifySignature({ ...signed, trade_state: '' }, KEY, signType)).toBe(true);
    });
    it(`${signType}: the other algorithm and another key do not verify`, () => {
      const signed = { ...base, sign: sign(base, KEY, signType) };
      expect(verifySignature(signed, KEY, signType === 'MD5' ? 'HMAC-SHA256' : 'MD5')).toBe(false);
      expect(verifySignature(signed, `${KEY.slice(1)}0`, signType)).toBe(false);
    });
  }
});

describe('verifySignature: malformed signs', () => {
  const base = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', nonce_str: 'abc' };
  const good = sign(base, KEY);
  const cases: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['empty', ''],
    ['lower-case hex of the right digest', good.toLowerCase()],
    ['odd length (one digit dropped)', good.slice(0, -1)],
    ['odd length (one digit added)', `${good}0`],
    ['non-hex characters', `${good.slice(0, -2)}ZZ`],
    ['right length, whitespace inside', `${good.slice(0, 15)} ${good.slice(16)}`],
    ['the HMAC length', 'A'.repeat(64)],
  ];
  for (const [name, value] of cases) {
    it(`rejects a ${name} sign without throwing`, () => {
      expect(verifySignature({ ...base, sign: value }, KEY, 'MD5')).toBe(false);
    });
  }
  it('rejects a sign that differs from the right one in any one position, whatever the character', () => {
    const accepted: string[] = [];
    for (let at = 0; at < good.length; at++) {
      for (let code = 0; code < 0x80; code++) {
        const char = String.fromCharCode(code);
        if (char === good[at]) continue;
        const wrong = good.slice(0, at) + char + good.slice(at + 1);
        if (verifySignature({ ...base, sign: wrong }, KEY, 'MD5')) accepted.push(wrong);
      }
    }
    expect(accepted).toEqual([]);
  });
  it('accepts the exact upper-case sign', () => {
    expect(verifySignature({ ...base, sign: good }, KEY, 'MD5')).toBe(true);
  });
  it('throws a TypeError for an unsupported algorithm', () => {
    expect(() => sign(base, KEY, 'SHA1' as SignType)).toThrow(TypeError);
  });
});

describe('upperHexEquals: the constant-time comparison', () => {
  const lower = '0123456789abcdef';
  const upper = '0123456789ABCDEF';

  it('matches each hex digit only to its upper-case spelling', () => {
    const wrong: string[] = [];
    for (let e = 0; e < 16; e++) {
      for (let code = 0; code < 0x10000; code++) {
        const char = String.fromCharCode(code);
        if (upperHexEquals(char, lower[e] as string) !== (char === upper[e])) wrong.push(`${lower[e]} vs ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('compares every position and refuses another length', () => {
    expect(upperHexEquals(upper, lower)).toBe(true);
    expect(upperHexEquals(lower, lower)).toBe(false);
    expect(upperHexEquals(`${upper.slice(0, -1)}E`, lower)).toBe(false);
    expect(upperHexEquals(`1${upper.slice(1)}`, lower)).toBe(false);
    expect(upperHexEquals(upper.slice(1), lower)).toBe(false);
    expect(upperHexEquals(`${upper}0`, lower)).toBe(false);
    expect(upperHexEquals('', '')).toBe(true);
  });
});

describe('signingStringOf: the remembered sort order', () => {
  it('sorts name lists of one length that come in different orders', () => {
    const params = { b: '1', a: '2', c: '3', sign: 'X' };
    expect(signingStringOf(params, ['b', 'a', 'c', 'sign'])).toBe('a=2&b=1&c=3');
    expect(signingStringOf(params, ['sign', 'c', 'b', 'a'])).toBe('a=2&b=1&c=3');
    expect(signingStringOf(params, ['b', 'a', 'c', 'sign'])).toBe('a=2&b=1&c=3');
    const other = { d: '4', A: '5', c: '6', e: '' };
    expect(signingStringOf(other, ['d', 'A', 'c', 'e'])).toBe('A=5&c=6&d=4');
  });

  it('agrees with a plain sort over random name lists of few lengths, in any order and repetition', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), (names) => {
        const params = Object.fromEntries(names.map((n, i) => [n, String(i)]));
        const expected = [...names]
          .filter((n) => n !== 'sign')
          .sort()
          .map((n) => `${n}=${params[n]}`)
          .join('&');
        expect(signingStringOf(params, names)).toBe(expected);
        expect(signingString(params)).toBe(expected);
        // A frozen list gets a plan worked out once; the same list with other values must still be signed right.
        const frozen = Object.freeze([...names]);
        expect(signingStringOf(params, frozen)).toBe(expected);
        const emptied = { ...params, [names[0] as string]: '' };
        expect(signingStringOf(emptied, frozen)).toBe(signingStringOf(emptied, [...names]));
      }),
      { numRuns: 2000 },
    );
  });

  it('verifySignatureOf verifies over the listed names like verifySignature', () => {
    const fields = { mch_id: '10000100', appid: 'wxd930ea5d5a258f4f', nonce_str: 'abc' };
    const signed = { ...fields, sign: sign(fields, KEY) };
    expect(verifySignatureOf(signed, Object.keys(signed), KEY, 'MD5')).toBe(true);
    expect(verifySignatureOf(signed, Object.keys(signed).reverse(), KEY, 'MD5')).toBe(true);
    expect(verifySignatureOf({ ...signed, nonce_str: 'abd' }, Object.keys(signed), KEY, 'MD5')).toBe(false);
  });
});

describe('verifySignature: properties', () => {
  const field = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((name) => name !== 'sign');
  const params = fc.dictionary(field, fc.string({ minLength: 1, maxLength: 24 }), { minKeys: 1, maxKeys: 10 });

  it('any one-character change to any signed field fails verification', () => {
    fc.assert(
      fc.property(params, fc.nat(), fc.nat(), fc.constantFrom(...SIGN_TYPES), (fields, pick, at, signType) => {
        const names = Object.keys(fields);
        const name = names[pick % names.length]!;
        const value = fields[name]!;
        const index = at % value.length;
        const replaced = value.charCodeAt(index) === 0x41 ? 'B' : 'A';
        const tampered = { ...fields, [name]: value.slice(0, index) + replaced + value.slice(index + 1) };
        const signature = sign(fields, KEY, signType);
        expect(verifySignature({ ...fields, sign: signature }, KEY, signType)).toBe(true);
        expect(verifySignature({ ...tampered, sign: signature }, KEY, signType)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('adding an empty field or reordering keys does not change the sign', () => {
    fc.assert(
      fc.property(params, field, fc.constantFrom(...SIGN_TYPES), (fields, extra, signType) => {
        const reversed = Object.fromEntries(Object.entries(fields).reverse());
        const signature = sign(fields, KEY, signType);
        expect(sign(reversed, KEY, signType)).toBe(signature);
        const withEmpty = fields[extra] === undefined ? { ...fields, [extra]: '' } : fields;
        expect(verifySignature({ ...withEmpty, sign: signature }, KEY, signType)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
