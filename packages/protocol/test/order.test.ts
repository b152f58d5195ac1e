import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../src/index.ts';
import { normaliseOrder } from '../src/order.ts';
import { PAID_FIELDS } from './fixtures.ts';

function malformed(fields: Record<string, string>): void {
  expect(() => normaliseOrder(fields)).toThrow(MalformedResponseError);
}

describe('normaliseOrder', () => {
  it('maps every documented field to camelCase', () => {
    const order = normaliseOrder({
      ...PAID_FIELDS,
      sub_appid: 'wx_sub',
      sub_mch_id: '1900000109',
      sub_openid: 'o_sub',
      sub_is_subscribe: 'N',
      settlement_total_fee: '100',
      cash_fee_type: 'CNY',
      coupon_fee: '1',
      coupon_count: '1',
      coupon_id_0: 'C0',
      coupon_type_0: 'CASH',
      coupon_fee_0: '1',
    });
    expect(order).toEqual({
      appId: 'wx2421b1c4370ec43b',
      mchId: '10000100',
      subAppId: 'wx_sub',
      subMchId: '1900000109',
      deviceInfo: '1000',
      openId: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
      isSubscribe: true,
      subOpenId: 'o_sub',
      subIsSubscribe: false,
      tradeType: 'MICROPAY',
      bankType: 'CCB_DEBIT',
      totalFee: 101,
      settlementTotalFee: 100,
      feeType: 'CNY',
      cashFee: 101,
      cashFeeType: 'CNY',
      couponFee: 1,
      couponCount: 1,
      coupons: [{ id: 'C0', type: 'CASH', fee: 1 }],
      transactionId: '1008450740201411110005820873',
      outTradeNo: '1415757673',
      attach: '订单额外描述',
      timeEnd: '20141111170043',
      paidAt: new Date('2014-11-11T09:00:43.000Z'),
      tradeStateDesc: '支付成功',
    });
    expect(Object.isFrozen(order)).toBe(true);
  });

  it('keeps ids as strings, leading zeros included', () => {
    const order = normaliseOrder({ transaction_id: '4200000000000000000000000001', out_trade_no: '0007' });
    expect(order.transactionId).toBe('4200000000000000000000000001');
    expect(order.outTradeNo).toBe('0007');
  });

  it('treats empty values as absent and tolerates a minimal answer', () => {
    const order = normaliseOrder({ total_fee: '', is_subscribe: '', time_end: '' });
    expect(order.totalFee).toBeUndefined();
    expect(order.isSubscribe).toBeUndefined();
    expect(order.paidAt).toBeUndefined();
    expect(order.coupons).toEqual([]);
  });

  it('reads "0" as the amount zero', () => {
    expect(normaliseOrder({ coupon_fee: '0', cash_fee: '0' })).toMatchObject({ couponFee: 0, cashFee: 0 });
  });

  it.each([
    ['a decimal', '1.5'],
    ['a negative', '-1'],
    ['an exponent', '1e3'],
    ['a space', ' 1'],
    ['hex', '0x10'],
    ['beyond the safe integers', '9007199254740993'],
    ['text', 'abc'],
  ])('refuses %s amount', (_name, value) => {
    malformed({ total_fee: value });
    malformed({ coupon_fee_0: value });
  });

  it('refuses a subscribe flag other than Y or N', () => {
    malformed({ is_subscribe: 'y' });
    malformed({ sub_is_subscribe: 'true' });
  });
});

describe('normaliseOrder: coupons', () => {
  it('gathers coupons 0..3 ordered by N whatever the field order', () => {
    const fields: Record<string, string> = {};
    for (const n of [3, 1, 0, 2]) {
      fields[`coupon_fee_${n}`] = String(10 + n);
      fields[`coupon_id_${n}`] = `ID${n}`;
      fields[`coupon_type_${n}`] = n % 2 === 0 ? 'CASH' : 'NO_CASH';
    }
    expect(normaliseOrder(fields).coupons).toEqual([
      { id: 'ID0', type: 'CASH', fee: 10 },
      { id: 'ID1', type: 'NO_CASH', fee: 11 },
      { id: 'ID2', type: 'CASH', fee: 12 },
      { id: 'ID3', type: 'NO_CASH', fee: 13 },
    ]);
  });

  it('keeps a gap and large N (ordered numerically, not as text)', () => {
    const order = normaliseOrder({ coupon_fee_10: '5', coupon_fee_2: '3', coupon_id_0: 'A', coupon_count: '2' });
    expect(order.coupons).toEqual([
      { id: 'A', type: undefined, fee: undefined },
      { id: undefined, type: undefined, fee: 3 },
      { id: undefined, type: undefined, fee: 5 },
    ]);
    expect(order.couponCount).toBe(2);
  });

  it('does not mistake coupon_fee or coupon_count for a coupon', () => {
    expect(normaliseOrder({ coupon_fee: '5', coupon_count: '0' }).coupons).toEqual([]);
  });

  it('refuses a non-canonical index that could alias another coupon', () => {
    malformed({ coupon_fee_01: '1', coupon_fee_1: '2' });
  });
});

describe('normaliseOrder: paidAt', () => {
  it('reads time_end as Beijing time across a day boundary', () => {
    expect(normaliseOrder({ time_end: '20250101050000' }).paidAt?.toISOString()).toBe('2024-12-31T21:00:00.000Z');
  });

  it('accepts 29 February in a leap year', () => {
    expect(normaliseOrder({ time_end: '20240229235959' }).paidAt?.toISOString()).toBe('2024-02-29T15:59:59.000Z');
  });

  it('follows the Gregorian leap rule for centuries, and reads the first years after 0099 as written', () => {
    expect(normaliseOrder({ time_end: '20000229000000' }).paidAt?.toISOString()).toBe('2000-02-28T16:00:00.000Z');
    malformed({ time_end: '19000229000000' });
    expect(normaliseOrder({ time_end: '01000101080000' }).paidAt?.getUTCFullYear()).toBe(100);
  });

  it.each([
    ['year 0099 (Date.UTC would read it as 1999)', '00990101120000'],
    ['day 0', '20250100120000'],
    ['month 0', '20250001120000'],
    ['a digit-like non-digit', '2025010112000０'],
    ['30 February', '20250230120000'],
    ['29 February outside a leap year', '20250229120000'],
    ['month 13', '20251301120000'],
    ['hour 24', '20250101240000'],
    ['minute 60', '20250101126000'],
    ['second 60', '20250101120060'],
    ['too short', '2025010112000'],
    ['an ISO string', '2025-01-01T12:00:00'],
  ])('refuses %s', (_name, value) => {
    malformed({ time_end: value });
  });
});
