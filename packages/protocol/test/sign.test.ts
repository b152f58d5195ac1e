import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type SignType, sign, signingString, verifySignature } from '../src/index.ts';
import { KEY, vector } from './fixtures.ts';

interface SigningCase {
  params: Record<string, string>;
  stringA?: string;
  MD5: string;
  'HMAC-SHA256': string;
}
// A spy that calls the real function: it lets the test see that the comparison goes through timingSafeEqual.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

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
  it('compares a well-formed sign in constant time, and never a malformed one', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const wrong = good.startsWith('0') ? `1${good.slice(1)}` : `0${good.slice(1)}`;
    expect(verifySignature({ ...base, sign: wrong }, KEY, 'MD5')).toBe(false);
    expect(verifySignature({ ...base, sign: good }, KEY, 'MD5')).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(verifySignature({ ...base, sign: good.slice(1) }, KEY, 'MD5')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
  });
  it('accepts the exact upper-case sign', () => {
    expect(verifySignature({ ...base, sign: good }, KEY, 'MD5')).toBe(true);
  });
  it('throws a TypeError for an unsupported algorithm', () => {
    expect(() => sign(base, KEY, 'SHA1' as SignType)).toThrow(TypeError);
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
