import { createPayClient, type PayClient, SignatureError } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';

// The protocol client's closeOrder and reverseOrder against the sandbox's /pay/closeorder and /secapi/pay/reverse.
let sandbox: Sandbox;
let client: PayClient;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 2000 });
});
afterAll(() => sandbox.close());

describe('closeOrder against the sandbox', () => {
  it('closes a NOTPAY order: the answer verifies and the order is CLOSED, as a query then says', async () => {
    sandbox.createOrder({ outTradeNo: 'CL1', totalFee: 100, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    expect(await client.closeOrder({ outTradeNo: 'CL1' })).toMatchObject({ kind: 'closed' });
    expect(await client.queryOrder({ outTradeNo: 'CL1' })).toMatchObject({ kind: 'order', tradeState: 'CLOSED' });
    // Closing again is refused as already closed, and is final.
    expect(await client.closeOrder({ outTradeNo: 'CL1' })).toMatchObject({
      kind: 'error',
      code: 'ORDERCLOSED',
      retryable: false,
    });
  });

  it('a paid order is not closed: ORDERPAID, not retryable, and it stays SUCCESS', async () => {
    sandbox.createOrder({ outTradeNo: 'CL2', totalFee: 100, tradeType: 'NATIVE' });
    sandbox.setTradeState('CL2', 'SUCCESS');
    expect(await client.closeOrder({ outTradeNo: 'CL2' })).toMatchObject({
      kind: 'error',
      code: 'ORDERPAID',
      retryable: false,
    });
    expect(sandbox.getOrder('CL2')?.tradeState).toBe('SUCCESS');
  });

  it('HMAC-SHA256 works end to end', async () => {
    sandbox.createOrder({ outTradeNo: 'CL3', totalFee: 100, tradeType: 'JSAPI', ageMs: CLOSE_MIN_AGE_MS });
    const hmac = createPayClient({ ...defaultMerchant, signType: 'HMAC-SHA256', baseURL: sandbox.url });
    expect(await hmac.closeOrder({ outTradeNo: 'CL3' })).toMatchObject({ kind: 'closed' });
  });
});

describe('reverseOrder against the sandbox', () => {
  it('reverses a USERPAYING micropay: reversed, and the order is REVOKED', async () => {
    sandbox.createOrder({ outTradeNo: 'RV1', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    expect(await client.reverseOrder({ outTradeNo: 'RV1' })).toMatchObject({ kind: 'reversed' });
    expect(sandbox.getOrder('RV1')?.tradeState).toBe('REVOKED');
  });

  it('reverses by transaction_id a paid micropay', async () => {
    sandbox.createOrder({ outTradeNo: 'RV2', totalFee: 100, tradeType: 'MICROPAY' });
    sandbox.setTradeState('RV2', 'SUCCESS');
    const transactionId = sandbox.getOrder('RV2')?.transactionId;
    expect(transactionId).toMatch(/^\d{28}$/);
    expect(await client.reverseOrder({ transactionId: transactionId as string })).toMatchObject({ kind: 'reversed' });
    expect(sandbox.getOrder('RV2')?.tradeState).toBe('REVOKED');
  });

  it('a non-micropay order cannot be reversed: TRADE_ERROR, not retryable, order unchanged', async () => {
    sandbox.createOrder({ outTradeNo: 'RV3', totalFee: 100, tradeType: 'NATIVE' });
    expect(await client.reverseOrder({ outTradeNo: 'RV3' })).toMatchObject({
      kind: 'error',
      code: 'TRADE_ERROR',
      retryable: false,
    });
    expect(sandbox.getOrder('RV3')?.tradeState).toBe('NOTPAY');
  });
});

describe('a bad signature on the answer', () => {
  it('is a SignatureError for close and reverse, never closed or reversed', async () => {
    sandbox.createOrder({ outTradeNo: 'BS1', totalFee: 100, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    sandbox.createOrder({ outTradeNo: 'BS2', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    sandbox.setFaults({ badSignature: 1 });
    try {
      await expect(client.closeOrder({ outTradeNo: 'BS1' })).rejects.toBeInstanceOf(SignatureError);
      await expect(client.reverseOrder({ outTradeNo: 'BS2' })).rejects.toBeInstanceOf(SignatureError);
    } finally {
      sandbox.setFaults({});
    }
    expect(sandbox.counters().faultsInjected.badSignature).toBe(2);
  });
});
