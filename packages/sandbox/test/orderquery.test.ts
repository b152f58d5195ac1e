import { createPayClient, type OrderQueryOutcome, TRADE_STATES } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';
import { call, PATHS } from './helpers.ts';

const provider = { appId: 'wx8888888888888888', mchId: '1900000109', key: 'P'.repeat(32) };
const other = { appId: 'wx2421b1c4370ec43b', mchId: '1230000109', key: 'O'.repeat(32) };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    merchants: [
      defaultMerchant,
      {
        ...provider,
        subMerchants: [{ subMchId: '1900000110', subAppId: 'wx1111111111111111' }, { subMchId: '1900000111' }],
      },
      other,
    ],
  });
});
afterAll(() => sandbox.close());

const client = (signType: 'MD5' | 'HMAC-SHA256' = 'MD5') =>
  createPayClient({ ...defaultMerchant, baseURL: sandbox.url, signType, timeoutMs: 3000 });

function order(outcome: OrderQueryOutcome) {
  if (outcome.kind !== 'order') throw new Error(`expected an order, got ${outcome.kind}`);
  return outcome;
}

describe('orderquery answers every trade state, signed and verified by the protocol client', () => {
  for (const state of TRADE_STATES) {
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      it(`${state} (${signType})`, async () => {
        const { tradeType, path } = PATHS[state];
        const outTradeNo = `ST_${state}_${signType === 'MD5' ? 'M' : 'H'}`;
        sandbox.createOrder({ outTradeNo, totalFee: 250, tradeType });
        for (const step of path) sandbox.setTradeState(outTradeNo, step);
        const outcome = order(await client(signType).queryOrder({ outTradeNo }));
        expect(outcome.tradeState).toBe(state);
        expect(outcome.order.outTradeNo).toBe(outTradeNo);
        expect(outcome.order.totalFee).toBe(250);
        expect(outcome.order.tradeStateDesc).toBeTruthy();
        const paid = state === 'SUCCESS' || state === 'REFUND';
        expect(outcome.order.timeEnd !== undefined).toBe(paid);
        expect(outcome.fields['sign']).toHaveLength(signType === 'MD5' ? 32 : 64);
        expect(outcome.fields['sign_type']).toBeUndefined();
      });
    }
  }
});

describe('the order field set', () => {
  it('a paid order carries the payment fields, coupons, Beijing time_end and a 28-digit transaction id', async () => {
    const created = sandbox.createOrder({
      outTradeNo: 'FIELDS1',
      totalFee: 1000,
      tradeType: 'JSAPI',
      openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      attach: '订单额外描述 <&>',
      coupons: [
        { id: 'CP1', type: 'CASH', fee: 100 },
        { id: 'CP2', type: 'NO_CASH', fee: 50 },
      ],
    });
    expect(created.transactionId).toMatch(/^[0-9]{28}$/);
    const before = Date.now();
    const paid = sandbox.setTradeState('FIELDS1', 'SUCCESS');
    const { order: o, fields } = order(await client().queryOrder({ outTradeNo: 'FIELDS1' }));
    expect(o.transactionId).toBe(created.transactionId);
    expect(o.openId).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(o.isSubscribe).toBe(false);
    expect(o.tradeType).toBe('JSAPI');
    expect(o.bankType).toBeTruthy();
    expect(o.feeType).toBe('CNY');
    expect(o.cashFee).toBe(850);
    expect(o.couponFee).toBe(150);
    expect(o.couponCount).toBe(2);
    expect(o.settlementTotalFee).toBe(950);
    expect(o.coupons).toEqual([
      { id: 'CP1', type: 'CASH', fee: 100 },
      { id: 'CP2', type: 'NO_CASH', fee: 50 },
    ]);
    expect(o.attach).toBe('订单额外描述 <&>');
    expect(o.tradeStateDesc).toBe('支付成功');
    expect(o.timeEnd).toBe(paid.timeEnd);
    // time_end is Beijing time: read back as UTC+8 it is the instant of payment, to the second.
    const paidAt = o.paidAt?.getTime() ?? 0;
    expect(paidAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(paidAt).toBeLessThanOrEqual(Date.now());
    expect(fields['cash_fee_type']).toBe('CNY');
  });

  it('an order without coupons has no coupon fields and no settlement_total_fee', async () => {
    sandbox.createOrder({ outTradeNo: 'FIELDS2', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    const { order: o, fields } = order(await client().queryOrder({ outTradeNo: 'FIELDS2' }));
    expect(o.coupons).toEqual([]);
    expect(Object.keys(fields).filter((k) => k.startsWith('coupon') || k === 'settlement_total_fee')).toEqual([]);
    expect(o.cashFee).toBe(1);
  });

  it('an unpaid order shows only the amount and the state', async () => {
    sandbox.createOrder({ outTradeNo: 'FIELDS3', totalFee: 300, tradeType: 'NATIVE' });
    const { fields } = order(await client().queryOrder({ outTradeNo: 'FIELDS3' }));
    expect(fields['transaction_id']).toBeUndefined();
    expect(fields['time_end']).toBeUndefined();
    expect(fields['trade_state_desc']).toBe('订单未支付');
    expect(fields['total_fee']).toBe('300');
  });

  it('a paid order is found by transaction_id; an unpaid one is not (WeChat has no transaction yet)', async () => {
    const unpaid = sandbox.createOrder({ outTradeNo: 'BYTXN', totalFee: 5, tradeType: 'APP' });
    expect((await client().queryOrder({ transactionId: unpaid.transactionId })).kind).toBe('not-found');
    sandbox.setTradeState('BYTXN', 'SUCCESS');
    const outcome = order(await client().queryOrder({ transactionId: unpaid.transactionId }));
    expect(outcome.order.outTradeNo).toBe('BYTXN');
  });
});

describe('merchants', () => {
  it('serves several merchants, each with its own key and its own out_trade_no namespace', async () => {
    sandbox.createOrder({ outTradeNo: 'SHARED', totalFee: 1, tradeType: 'NATIVE' });
    sandbox.createOrder({ outTradeNo: 'SHARED', totalFee: 2, tradeType: 'NATIVE', mchId: other.mchId });
    sandbox.setTradeState('SHARED', 'SUCCESS', { mchId: other.mchId });
    const mine = order(await client().queryOrder({ outTradeNo: 'SHARED' }));
    const theirs = order(
      await createPayClient({ ...other, baseURL: sandbox.url }).queryOrder({ outTradeNo: 'SHARED' }),
    );
    expect([mine.tradeState, mine.order.totalFee]).toEqual(['NOTPAY', 1]);
    expect([theirs.tradeState, theirs.order.totalFee, theirs.order.mchId]).toEqual(['SUCCESS', 2, other.mchId]);
    expect(() => sandbox.getOrder('SHARED')).toThrow(/mchId/);
  });

  it('a service provider queries its sub-merchant orders with sub_mch_id and sub_appid', async () => {
    sandbox.createOrder({
      outTradeNo: 'SP1',
      totalFee: 88,
      tradeType: 'JSAPI',
      mchId: provider.mchId,
      subMchId: '1900000110',
      openId: 'oSubPayer_____________________',
      initialState: 'SUCCESS',
    });
    const sp = createPayClient({
      ...provider,
      subMchId: '1900000110',
      subAppId: 'wx1111111111111111',
      baseURL: sandbox.url,
    });
    const outcome = order(await sp.queryOrder({ outTradeNo: 'SP1' }));
    expect(outcome.order.subMchId).toBe('1900000110');
    expect(outcome.order.subAppId).toBe('wx1111111111111111');
    expect(outcome.order.subOpenId).toBe('oSubPayer_____________________');
    expect(outcome.order.openId).toMatch(/^o/);
    expect(outcome.order.openId).not.toBe(outcome.order.subOpenId);
    // The provider asking without the sub-merchant does not see it.
    const asProvider = createPayClient({ ...provider, baseURL: sandbox.url });
    expect((await asProvider.queryOrder({ outTradeNo: 'SP1' })).kind).toBe('not-found');
  });

  it('another sub-merchant of the same provider does not see the order', async () => {
    const raw = await call(
      sandbox,
      '/pay/orderquery',
      { appid: provider.appId, mch_id: provider.mchId, sub_mch_id: '1900000111', out_trade_no: 'SP1' },
      provider.key,
    );
    expect([raw['result_code'], raw['err_code']]).toEqual(['FAIL', 'ORDERNOTEXIST']);
  });
});
