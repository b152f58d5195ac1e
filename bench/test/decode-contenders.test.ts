import { describe, expect, it } from 'vitest';
import { decodeContenders } from '../src/decode/contenders.ts';
import { couponAnswerXml } from '../src/fixtures.ts';
import { floorScan } from '../src/floor/floor-decode.ts';

describe('decode contenders', () => {
  for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
    it(`all read SUCCESS from the ${signType} fixture and refuse a tampered copy`, async () => {
      const xml = couponAnswerXml(signType);
      const tampered = xml.replace('<total_fee>1000<', '<total_fee>1001<');
      expect(tampered).not.toBe(xml);
      for (const contender of decodeContenders(signType)) {
        expect(await contender.decode(xml), contender.name).toBe('SUCCESS');
        const outcome = await Promise.resolve()
          .then(() => contender.decode(tampered))
          .catch(() => 'threw');
        expect(['threw', undefined], contender.name).toContain(outcome);
      }
    });
  }

  it('floor scan reads CDATA and bare values, including UTF-8 text', () => {
    const fields = floorScan(couponAnswerXml('MD5'));
    expect(fields['attach']).toBe('订单额外描述');
    expect(fields['coupon_fee_1']).toBe('100');
    expect(fields['transaction_id']).toBe('1008450740201411110005820873');
    expect(Buffer.byteLength(couponAnswerXml('MD5'))).toBeGreaterThan(1300);
  });
});
