import type { CloudPayLike } from '@tradestate/protocol';
import { type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsPaidHandler, type IsPaidEvent } from '../src/handler.ts';
import { createFakeCloud } from '../src/local-cloud.ts';

const provider = { appId: 'wx8888888888888888', mchId: '1900000109', key: 'c'.repeat(32) };
const SUB_MCH_ID = '1900000110';
const FAST = () => 40; // while waiting, ask every 40 ms instead of every 2 s

let sandbox: Sandbox;
let cloud: ReturnType<typeof createFakeCloud>;
beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    merchants: [{ ...provider, subMerchants: [{ subMchId: SUB_MCH_ID }] }],
  });
  cloud = createFakeCloud(sandbox.url, provider);
});
afterAll(() => sandbox.close());

function order(outTradeNo: string, extra: Partial<Parameters<Sandbox['createOrder']>[0]> = {}) {
  return sandbox.createOrder({
    outTradeNo,
    totalFee: 2500,
    tradeType: 'JSAPI',
    mchId: provider.mchId,
    subMchId: SUB_MCH_ID,
    ...extra,
  });
}

describe('the isOrderPaid cloud function', () => {
  it('answers paid from one query, with the amount, transaction and payment time', async () => {
    const created = order('MP-PAID', { initialState: 'SUCCESS' });
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID });
    const answer = await main({ outTradeNo: 'MP-PAID' }, {});
    expect(answer).toMatchObject({
      paid: true,
      tradeState: 'SUCCESS',
      end: 'SUCCESS',
      totalFee: 2500,
      transactionId: created.transactionId,
      queries: 1,
    });
    expect(answer.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(answer.error).toBeUndefined();
  });

  it('answers not paid (yet) from one query when not asked to wait', async () => {
    order('MP-OPEN');
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID });
    const before = cloud.calls();
    const answer = await main({ outTradeNo: 'MP-OPEN' });
    expect(answer).toMatchObject({ paid: false, tradeState: 'NOTPAY', end: 'DEADLINE', queries: 1 });
    expect(cloud.calls() - before).toBe(1);
  });

  it('waits for a payment landing within waitMs', async () => {
    order('MP-LATER', { script: [{ afterMs: 150, tradeState: 'SUCCESS' }] });
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID, schedule: FAST });
    const answer = await main({ outTradeNo: 'MP-LATER', waitMs: 3000 });
    expect(answer).toMatchObject({ paid: true, tradeState: 'SUCCESS', end: 'SUCCESS' });
    expect(answer.queries).toBeGreaterThan(1);
  });

  it('never waits longer than maxWaitMs, whatever the Mini Program asks', async () => {
    order('MP-NEVER');
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID, schedule: FAST, maxWaitMs: 250 });
    const started = Date.now();
    const answer = await main({ outTradeNo: 'MP-NEVER', waitMs: 60_000 });
    expect(answer).toMatchObject({ paid: false, tradeState: 'NOTPAY', end: 'DEADLINE' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers an order WeChat does not know as not paid, not found', async () => {
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID });
    const answer = await main({ outTradeNo: 'MP-NOWHERE' });
    expect(answer).toMatchObject({ paid: false, tradeState: undefined, end: 'NOT_FOUND' });
  });

  it.each<[IsPaidEvent, string]>([
    [{}, 'a missing outTradeNo'],
    [{ outTradeNo: 'has spaces' }, 'a malformed outTradeNo'],
    [{ outTradeNo: 'MP-PAID', waitMs: -1 }, 'a negative waitMs'],
    [{ outTradeNo: 'MP-PAID', waitMs: '5s' }, 'a waitMs that is not a number'],
  ])('refuses %j (%s) without asking WeChat', async (event, _why) => {
    const main = createIsPaidHandler(cloud, { subMchId: SUB_MCH_ID });
    const before = cloud.calls();
    const answer = await main(event);
    expect(answer).toMatchObject({ paid: false, end: 'ERROR', error: 'INVALID_ARGUMENT', queries: 0 });
    expect(cloud.calls()).toBe(before);
  });

  it('reports a failing cloud call as unanswered, never as paid', async () => {
    const broken: CloudPayLike = {
      cloudPay: {
        queryOrder: () => Promise.reject(new Error('cloudPay.queryOrder:fail -501000 timeout')),
      },
    };
    const main = createIsPaidHandler(broken, { subMchId: SUB_MCH_ID });
    const answer = await main({ outTradeNo: 'MP-PAID' });
    expect(answer).toMatchObject({ paid: false, tradeState: undefined, error: 'NETWORK' });
  });
});
