import { createPayClient, privateKeyOf, signRequest } from '@tradestate/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMerchant, type Sandbox, startSandbox } from '../../src/index.ts';
import { v3Client } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const provider = {
  appId: 'wx8888888888888888',
  mchId: '1900000109',
  key: 'a'.repeat(32),
  subMerchants: [{ subMchId: '1900000110', subAppId: 'wx1111111111111111' }],
};

describe('the sandbox speaks APIv3', () => {
  it('exposes generated credentials a v3 client is configured from', async () => {
    sandbox = await startSandbox();
    expect(sandbox.v3).toMatchObject({ mchId: defaultMerchant.mchId, appId: defaultMerchant.appId });
    expect(sandbox.v3?.privateKey).toMatch(/BEGIN PRIVATE KEY/);
    expect(sandbox.v3?.platformPublicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(sandbox.v3?.platformPublicKeyId).toMatch(/^PUB_KEY_ID_/);
    expect(Buffer.byteLength(sandbox.v3?.apiV3Key ?? '')).toBe(32);
    const off = await startSandbox({ v3: false });
    expect(off.v3).toBeUndefined();
    expect((await fetch(`${off.url}/v3/pay/transactions/out-trade-no/A1?mchid=1`)).status).toBe(404);
    await off.close();
  });

  it('answers the same order over v2 and v3, with the same Order', async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({
      outTradeNo: 'BOTH1',
      totalFee: 1000,
      tradeType: 'JSAPI',
      coupons: [{ id: 'C1', type: 'CASH', fee: 100 }],
      initialState: 'SUCCESS',
    });
    const v2 = await createPayClient({ ...defaultMerchant, baseURL: sandbox.url }).queryOrder({ outTradeNo: 'BOTH1' });
    const v3 = await v3Client(sandbox).queryOrder({ outTradeNo: 'BOTH1' }, { expect: { totalFee: 1000 } });
    expect(v2.kind === 'order' && v3.kind === 'order').toBe(true);
    if (v2.kind !== 'order' || v3.kind !== 'order') return;
    expect(v3.tradeState).toBe(v2.tradeState);
    for (const name of [
      'appId',
      'mchId',
      'outTradeNo',
      'transactionId',
      'totalFee',
      'cashFee',
      'feeType',
      'openId',
      'tradeType',
      'timeEnd',
      'tradeStateDesc',
      'couponFee',
      'couponCount',
    ] as const) {
      expect([name, v3.order[name]]).toEqual([name, v2.order[name]]);
    }
    expect(v3.order.paidAt?.getTime()).toBe(v2.order.paidAt?.getTime());
    expect(v3.order.coupons).toEqual([{ id: 'C1', type: 'CASH', fee: 100 }]);
  });

  it('finds an unpaid order by out_trade_no only, and a paid one by transaction_id too', async () => {
    sandbox = await startSandbox();
    const order = sandbox.createOrder({ outTradeNo: 'ID1', totalFee: 1, tradeType: 'NATIVE' });
    const client = v3Client(sandbox);
    expect(await client.queryOrder({ outTradeNo: 'ID1' })).toMatchObject({ kind: 'order', tradeState: 'NOTPAY' });
    expect(await client.queryOrder({ transactionId: order.transactionId })).toMatchObject({ kind: 'not-found' });
    sandbox.setTradeState('ID1', 'SUCCESS');
    expect(await client.queryOrder({ transactionId: order.transactionId })).toMatchObject({
      kind: 'order',
      tradeState: 'SUCCESS',
    });
    expect(await client.queryOrder({ outTradeNo: 'NOPE' })).toMatchObject({ kind: 'not-found' });
  });

  it('serves partner mode: sp_mchid and sub_mchid, and refuses a sub-merchant that is not the provider’s', async () => {
    sandbox = await startSandbox({ merchants: [provider] });
    sandbox.createOrder({
      outTradeNo: 'P1',
      totalFee: 5,
      tradeType: 'JSAPI',
      subMchId: '1900000110',
      initialState: 'SUCCESS',
    });
    const client = v3Client(sandbox, { subMchId: '1900000110', subAppId: 'wx1111111111111111' });
    const outcome = await client.queryOrder({ outTradeNo: 'P1' }, { expect: { totalFee: 5 } });
    expect(outcome.kind === 'order' && outcome.order).toMatchObject({
      mchId: provider.mchId,
      subMchId: '1900000110',
      subAppId: 'wx1111111111111111',
      totalFee: 5,
    });
    expect(outcome.kind === 'order' && outcome.order.subOpenId).toBeTruthy();
    const stranger = v3Client(sandbox, { subMchId: '1900000999' });
    expect(await stranger.queryOrder({ outTradeNo: 'P1' })).toMatchObject({
      kind: 'error',
      code: 'NO_AUTH',
      retryable: false,
    });
  });

  it("verifies the merchant's Authorization: none, another key, another serial, a stale one, another merchant", async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({ outTradeNo: 'AUTH1', totalFee: 1, tradeType: 'NATIVE' });
    const url = `/v3/pay/transactions/out-trade-no/AUTH1?mchid=${defaultMerchant.mchId}`;
    const creds = sandbox.v3;
    if (creds === undefined) throw new Error('no v3');
    const signer = { mchId: creds.mchId, serialNo: creds.serialNo, privateKey: privateKeyOf(creds.privateKey, 'k') };
    const ask = async (authorization?: string) => {
      const res = await fetch(
        `${sandbox?.url}${url}`,
        authorization === undefined ? {} : { headers: { authorization } },
      );
      return { status: res.status, body: (await res.json()) as { code: string } };
    };
    expect(await ask(signRequest(signer, 'GET', url, ''))).toMatchObject({ status: 200 });
    expect(await ask()).toMatchObject({ status: 401, body: { code: 'SIGN_ERROR' } });
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await ask(signRequest({ ...signer, privateKey: other }, 'GET', url, ''))).toMatchObject({ status: 401 });
    expect(await ask(signRequest({ ...signer, serialNo: 'ABC' }, 'GET', url, ''))).toMatchObject({ status: 401 });
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect(await ask(signRequest(signer, 'GET', url, '', stale))).toMatchObject({ status: 401 });
    expect(await ask(signRequest(signer, 'GET', url.replace('AUTH1', 'AUTH2'), ''))).toMatchObject({ status: 401 });
    expect(await ask(signRequest({ ...signer, mchId: '1900000999' }, 'GET', url, ''))).toMatchObject({
      status: 400,
      body: { code: 'MCH_NOT_EXISTS' },
    });
    const counters = sandbox.counters();
    expect(counters.byEndpoint['/v3/pay/transactions/out-trade-no/{out_trade_no}']).toBe(7);
    expect(counters.byAnswer['SIGN_ERROR']).toBe(5);
  });
});
