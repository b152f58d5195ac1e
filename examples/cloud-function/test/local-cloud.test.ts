import { createCloudPayClient } from '@tradestate/protocol';
import { type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeCloud } from '../src/local-cloud.ts';

// A service provider and the sub-merchant the cloud environment pays for, as CloudPay requires.
const provider = { appId: 'wx8888888888888888', mchId: '1900000109', key: 'c'.repeat(32) };
const SUB_MCH_ID = '1900000110';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    merchants: [{ ...provider, subMerchants: [{ subMchId: SUB_MCH_ID, subAppId: 'wx1111111111111111' }] }],
  });
});
afterAll(() => sandbox.close());

describe('the fake wx-server-sdk cloud', () => {
  it("answers in the SDK's camelCase, amounts as numbers, errCode overwritten with 0", async () => {
    sandbox.createOrder({
      outTradeNo: 'CF1',
      totalFee: 2500,
      tradeType: 'JSAPI',
      mchId: provider.mchId,
      subMchId: SUB_MCH_ID,
      coupons: [{ id: '77', type: 'CASH', fee: 300 }],
      initialState: 'SUCCESS',
    });
    const cloud = createFakeCloud(sandbox.url, provider);
    const result = (await cloud.cloudPay.queryOrder({
      sub_mch_id: SUB_MCH_ID,
      out_trade_no: 'CF1',
      nonce_str: 'abc',
    })) as Record<string, unknown>;
    expect(result).toMatchObject({
      returnCode: 'SUCCESS',
      resultCode: 'SUCCESS',
      tradeState: 'SUCCESS',
      subMchId: SUB_MCH_ID,
      outTradeNo: 'CF1',
      totalFee: 2500,
      couponFee: 300,
      couponCount: 1,
      couponFee_0: 300,
      couponId_0: '77',
      errCode: 0,
      errMsg: 'cloudPay.queryOrder:ok',
    });
    expect(typeof result['transactionId']).toBe('string');
    expect(Object.keys(result).some((name) => name.includes('_') && !/_\d+$/.test(name))).toBe(false);
  });

  it("is read by the protocol's CloudPay client into the same outcome an HTTP query gives", async () => {
    sandbox.createOrder({
      outTradeNo: 'CF2',
      totalFee: 990,
      tradeType: 'JSAPI',
      mchId: provider.mchId,
      subMchId: SUB_MCH_ID,
    });
    const client = createCloudPayClient(createFakeCloud(sandbox.url, provider), { subMchId: SUB_MCH_ID });
    const unpaid = await client.queryOrder({ outTradeNo: 'CF2' });
    expect(unpaid.kind === 'order' && unpaid.tradeState).toBe('NOTPAY');
    sandbox.setTradeState('CF2', 'SUCCESS', { mchId: provider.mchId });
    const paid = await client.queryOrder({ outTradeNo: 'CF2' });
    expect(paid.kind).toBe('order');
    if (paid.kind !== 'order') return;
    expect(paid.tradeState).toBe('SUCCESS');
    expect(paid.order).toMatchObject({ outTradeNo: 'CF2', totalFee: 990, subMchId: SUB_MCH_ID });
    expect(paid.order.paidAt).toBeInstanceOf(Date);
    // ORDERNOTEXIST survives the SDK overwriting err_code with 0, through err_code_des.
    expect((await client.queryOrder({ outTradeNo: 'CF404' })).kind).toBe('not-found');
  });
});
