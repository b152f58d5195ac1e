import { createPayClient } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMerchant, type Sandbox, type SandboxCounters, type SandboxOrder, startSandbox } from '../src/index.ts';
import { control, post, signedRequest } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001 });
});
afterAll(() => sandbox.close());

describe('the JSON control API under /sandbox/', () => {
  it('POST /sandbox/orders creates an order that orderquery then answers', async () => {
    const { status, json } = await control(sandbox, 'POST', 'orders', {
      outTradeNo: 'J1',
      totalFee: 99,
      tradeType: 'NATIVE',
      coupons: [{ fee: 9 }],
    });
    expect(status).toBe(201);
    const order = json as SandboxOrder;
    expect(order).toMatchObject({ outTradeNo: 'J1', totalFee: 99, cashFee: 90, tradeState: 'NOTPAY' });
    expect(order.transactionId).toMatch(/^[0-9]{28}$/);
    const outcome = await createPayClient({ ...defaultMerchant, baseURL: sandbox.url }).queryOrder({
      outTradeNo: 'J1',
    });
    expect(outcome).toMatchObject({ kind: 'order', tradeState: 'NOTPAY' });
  });

  it('POST /sandbox/orders/:id/state moves it, 409 for a forbidden move, 404 for an unknown order', async () => {
    const moved = await control(sandbox, 'POST', 'orders/J1/state', { tradeState: 'SUCCESS' });
    expect(moved.status).toBe(200);
    expect((moved.json as SandboxOrder).tradeState).toBe('SUCCESS');
    expect((moved.json as SandboxOrder).timeEnd).toMatch(/^[0-9]{14}$/);
    const refused = await control(sandbox, 'POST', 'orders/J1/state', { tradeState: 'NOTPAY' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'TRANSITION_REFUSED' } });
    expect((await control(sandbox, 'POST', 'orders/NOPE/state', { tradeState: 'SUCCESS' })).status).toBe(404);
    expect((await control(sandbox, 'POST', 'orders/J1/state', { tradeState: 'PAID' })).status).toBe(400);
  });

  it('scripts through JSON run over scaled time', async () => {
    const created = await control(sandbox, 'POST', 'orders', {
      outTradeNo: 'J2',
      totalFee: 1,
      tradeType: 'JSAPI',
      script: [{ afterMs: 10_000, tradeState: 'SUCCESS' }],
    });
    expect(created.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { json } = await control(sandbox, 'GET', 'orders/J2');
    expect((json as SandboxOrder).tradeState).toBe('SUCCESS');
  });

  it('GET /sandbox/orders lists; GET /sandbox/orders/:id reads one, 404 when absent', async () => {
    const list = await control(sandbox, 'GET', 'orders');
    expect((list.json as SandboxOrder[]).map((o) => o.outTradeNo)).toEqual(['J1', 'J2']);
    expect((await control(sandbox, 'GET', 'orders/J1')).json).toMatchObject({ outTradeNo: 'J1' });
    expect((await control(sandbox, 'GET', `orders/J1?mchId=${defaultMerchant.mchId}`)).status).toBe(200);
    expect((await control(sandbox, 'GET', 'orders/NOPE')).status).toBe(404);
  });

  it('refuses bad specs and bad JSON with 400 and a code', async () => {
    const bad = await control(sandbox, 'POST', 'orders', { outTradeNo: 'J3', totalFee: -1, tradeType: 'NATIVE' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect((bad.json as { error: { message: string } }).error.message).toMatch(/totalFee/);
    expect((await control(sandbox, 'POST', 'orders', '{not json')).json).toMatchObject({ error: { code: 'BAD_JSON' } });
    expect((await control(sandbox, 'POST', 'orders', '[1]')).status).toBe(400);
    expect(
      (await control(sandbox, 'POST', 'orders', { outTradeNo: 'J1', totalFee: 1, tradeType: 'NATIVE' })).status,
    ).toBe(400);
  });

  it('PUT /sandbox/faults sets the rates; invalid ones are refused', async () => {
    expect((await control(sandbox, 'PUT', 'faults', { systemError: 1 })).status).toBe(200);
    const answer = await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'J1' }));
    expect(answer.text).toContain('SYSTEMERROR');
    expect((await control(sandbox, 'PUT', 'faults', { systemError: 2 })).status).toBe(400);
    // The refused update left the previous rates in place; clearing them restores normal answers.
    expect((await control(sandbox, 'PUT', 'faults', {})).status).toBe(200);
    expect((await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'J1' }))).text).toContain('SUCCESS');
  });

  it('GET /sandbox/counters reads, DELETE resets; the control API itself is not counted', async () => {
    await control(sandbox, 'DELETE', 'counters');
    await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'J1' }));
    await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'J1' }));
    await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'J404' }));
    await post(sandbox, '/pay/closeorder', signedRequest({ out_trade_no: 'J404' }));
    const { json } = await control(sandbox, 'GET', 'counters');
    const counters = json as SandboxCounters;
    expect(counters.requests).toBe(4);
    expect(counters.byEndpoint).toEqual({ '/pay/orderquery': 3, '/pay/closeorder': 1 });
    expect(counters.byAnswer).toEqual({ SUCCESS: 2, ORDERNOTEXIST: 2 });
    expect(counters.queriesByOrder).toEqual({ J1: 2 });
    expect(sandbox.getOrder('J1')?.queries).toBe(2);
    const reset = await control(sandbox, 'DELETE', 'counters');
    expect((reset.json as SandboxCounters).requests).toBe(0);
    expect(sandbox.getOrder('J1')?.queries).toBe(0);
  });

  it('unknown resources are 404 and wrong methods 405', async () => {
    expect((await control(sandbox, 'GET', 'nothing')).status).toBe(404);
    expect((await control(sandbox, 'DELETE', 'orders')).status).toBe(405);
    expect((await control(sandbox, 'GET', 'faults')).status).toBe(405);
  });
});
