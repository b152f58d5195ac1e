import { describe, expect, it } from 'vitest';
import { nextNonce } from '../src/nonce.ts';
import { createQueryBodyBuilder, type QueryBodyMerchant } from '../src/query-body.ts';
import { sign, verifySignature } from '../src/sign.ts';
import type { SignType } from '../src/types.ts';
import { buildXml, parseXml } from '../src/xml.ts';

const key = '192006250b4c09247ec02edce69f6a2d';

/** The general path the builder replaces: a params record, `sign()` and `buildXml()`. */
function reference(
  merchant: QueryBodyMerchant,
  field: 'out_trade_no' | 'transaction_id',
  value: string,
  nonce: string,
): string {
  const params: Record<string, string | undefined> = {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: nonce,
    out_trade_no: field === 'out_trade_no' ? value : undefined,
    sign_type: merchant.signType === 'HMAC-SHA256' ? merchant.signType : undefined,
    sub_appid: merchant.subAppId,
    sub_mch_id: merchant.subMchId,
    transaction_id: field === 'transaction_id' ? value : undefined,
  };
  params['sign'] = sign(params, merchant.key, merchant.signType);
  return buildXml(params);
}

describe('createQueryBodyBuilder', () => {
  const signTypes: SignType[] = ['MD5', 'HMAC-SHA256'];
  const subs = [
    {},
    { subMchId: '1900000109' },
    { subAppId: 'wx8888888888888888', subMchId: '1900000109' },
    { subAppId: 'wx8888888888888888' },
  ];
  for (const signType of signTypes) {
    for (const sub of subs) {
      for (const field of ['out_trade_no', 'transaction_id'] as const) {
        it(`${signType} ${JSON.stringify(sub)} ${field}: same bytes as sign() + buildXml()`, () => {
          const merchant: QueryBodyMerchant = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key, signType, ...sub };
          const build = createQueryBodyBuilder(merchant);
          for (const value of ['1415757673', 'A-b_c*d|e', '4200000000000000000000000000001'.slice(0, 32)]) {
            const nonce = nextNonce();
            const body = build(field, value, nonce);
            expect(body).toBe(reference(merchant, field, value, nonce));
            const fields = parseXml(body);
            expect(fields[field]).toBe(value);
            expect(verifySignature(fields, key, signType)).toBe(true);
            expect(verifySignature(fields, `${key}x`, signType)).toBe(false);
          }
        });
      }
    }
  }
});

describe('nextNonce', () => {
  it('hands out 32 hex characters, never the same twice across several pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const nonce = nextNonce();
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      seen.add(nonce);
    }
    expect(seen.size).toBe(2_000);
  });
});
