import { schedules } from '@tradestate/machine';
import { buildXml, createPayClient, parseXml, sign } from '@tradestate/protocol';
import { defaultMerchant } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderBook } from '../src/order-book.ts';
import type { StatusEvent } from '../src/order-status.ts';
import { buildCheckoutServer } from '../src/server.ts';
import { startCheckout, statusEvents } from './checkout-harness.ts';

let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout({ deadlineMs: 60_000 });
});
afterAll(() => checkout.close());

async function placeOrder(): Promise<string> {
  const response = await fetch(`${checkout.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ totalFee: 1 }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { outTradeNo: string }).outTradeNo;
}

function notification(outTradeNo: string, key: string): string {
  const order = checkout.sandbox.getOrder(outTradeNo);
  const fields: Record<string, string> = {
    return_code: 'SUCCESS',
    result_code: 'SUCCESS',
    appid: defaultMerchant.appId,
    mch_id: defaultMerchant.mchId,
    nonce_str: 'n0nce',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    trade_type: 'NATIVE',
    bank_type: 'CMC',
    total_fee: '1',
    cash_fee: '1',
    transaction_id: order?.transactionId ?? '',
    out_trade_no: outTradeNo,
    time_end: '20261127120000',
  };
  return buildXml({ ...fields, sign: sign(fields, key) });
}

async function postNotification(body: string): Promise<Record<string, string>> {
  const response = await fetch(`${checkout.url}/wechatpay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  expect(response.status).toBe(200);
  return parseXml(await response.text());
}

describe('the checkout back end', () => {
  it('creates the order with WeChat (the sandbox), naming its own notify_url', async () => {
    const outTradeNo = await placeOrder();
    expect(outTradeNo).toMatch(/^WEB\d+[0-9a-f]{8}$/);
    expect(checkout.sandbox.getOrder(outTradeNo)).toMatchObject({
      tradeType: 'NATIVE',
      totalFee: 1,
      tradeState: 'NOTPAY',
      notifyUrl: `${checkout.url}/wechatpay/notify`,
    });
  });

  it('streams waiting, then paid as soon as the phone pays: the notification, not a poll, ends the watch', async () => {
    const outTradeNo = await placeOrder();
    const seen: StatusEvent[] = [];
    for await (const event of statusEvents(`${checkout.url}/orders/${outTradeNo}/events`)) {
      seen.push(event);
      if (seen.length === 1) {
        const paid = await fetch(`${checkout.url}/orders/${outTradeNo}/pay`, { method: 'POST' });
        expect(paid.status).toBe(202);
      }
    }
    expect(seen[0]).toMatchObject({ outTradeNo, status: 'waiting', done: false });
    expect(seen.at(-1)).toMatchObject({ outTradeNo, status: 'paid', tradeState: 'SUCCESS', done: true });
    expect(seen.at(-1)?.transactionId).toBe(checkout.sandbox.getOrder(outTradeNo)?.transactionId);
    // native polls every 2 s; the payment landed long before: no query was needed.
    expect(seen.at(-1)?.attempts).toBe(0);
    // The reply reaches the sandbox just after the watch has ended.
    await expect.poll(() => checkout.sandbox.getOrder(outTradeNo)?.notification?.acknowledged).toBe(true);
  });

  it('replays the final status to a page opened after the order ended', async () => {
    const outTradeNo = await placeOrder();
    await fetch(`${checkout.url}/orders/${outTradeNo}/pay`, { method: 'POST' });
    const first: StatusEvent[] = [];
    for await (const event of statusEvents(`${checkout.url}/orders/${outTradeNo}/events`)) first.push(event);
    const again: StatusEvent[] = [];
    for await (const event of statusEvents(`${checkout.url}/orders/${outTradeNo}/events`)) again.push(event);
    expect(first.at(-1)).toMatchObject({ status: 'paid', done: true });
    expect(again).toEqual([first.at(-1)]);
  });

  it('acknowledges a verified notification and refuses a forged one without believing it', async () => {
    const outTradeNo = await placeOrder();
    const controller = new AbortController();
    const events = statusEvents(`${checkout.url}/orders/${outTradeNo}/events`, controller.signal);
    expect((await events.next()).value).toMatchObject({ status: 'waiting' });

    const forged = await postNotification(notification(outTradeNo, 'f'.repeat(32)));
    expect(forged).toMatchObject({ return_code: 'FAIL' });
    const garbage = await postNotification('<xml><return_code>SUCCESS</return_code>');
    expect(garbage).toMatchObject({ return_code: 'FAIL' });

    const genuine = await postNotification(notification(outTradeNo, defaultMerchant.key));
    expect(genuine).toMatchObject({ return_code: 'SUCCESS' });
    const next = await events.next();
    expect(next.value).toMatchObject({ status: 'paid', tradeState: 'SUCCESS', done: true });
    controller.abort();
  });

  it('answers 404 for orders it did not create, and 400 for a bad amount', async () => {
    expect((await fetch(`${checkout.url}/orders/NOPE/events`)).status).toBe(404);
    expect((await fetch(`${checkout.url}/orders/NOPE/pay`, { method: 'POST' })).status).toBe(404);
    const bad = await fetch(`${checkout.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ totalFee: 0.5 }),
    });
    expect(bad.status).toBe(400);
  });

  it('serves the page and rxjs from node_modules', async () => {
    const page = await fetch(`${checkout.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/vendor/rxjs.umd.min.js');
    const rxjs = await fetch(`${checkout.url}/vendor/rxjs.umd.min.js`);
    expect(rxjs.status).toBe(200);
    expect(await rxjs.text()).toMatch(/rxjs/);
  });
});

describe('without a way to pay as the customer (production)', () => {
  it('has no pay route', async () => {
    const app = await buildCheckoutServer({
      book: new OrderBook({
        client: createPayClient({ ...defaultMerchant, baseURL: checkout.sandbox.url }),
        schedule: schedules.native,
        deadlineMs: 1000,
      }),
      payments: { createOrder: async (order) => checkout.sandbox.createOrder({ ...order, tradeType: 'NATIVE' }) },
      key: defaultMerchant.key,
      notifyUrl: 'https://shop.example/wechatpay/notify',
    });
    try {
      const created = await app.inject({ method: 'POST', url: '/orders', payload: { totalFee: 1 } });
      expect(created.statusCode).toBe(201);
      const { outTradeNo } = created.json<{ outTradeNo: string }>();
      expect(checkout.sandbox.getOrder(outTradeNo)?.notifyUrl).toBe('https://shop.example/wechatpay/notify');
      expect((await app.inject({ method: 'POST', url: `/orders/${outTradeNo}/pay` })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('an order nobody pays', () => {
  it('is closed with WeChat at its deadline, and the stream says closed', async () => {
    const short = await startCheckout({ deadlineMs: 300 });
    try {
      const response = await fetch(`${short.url}/orders`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      const { outTradeNo } = (await response.json()) as { outTradeNo: string };
      const seen: StatusEvent[] = [];
      for await (const event of statusEvents(`${short.url}/orders/${outTradeNo}/events`)) seen.push(event);
      expect(seen.at(-1)).toMatchObject({ status: 'closed', tradeState: 'CLOSED', done: true, end: 'CLOSED' });
      expect(short.sandbox.getOrder(outTradeNo)?.tradeState).toBe('CLOSED');
      expect(short.sandbox.counters().byEndpoint['/pay/closeorder']).toBe(1);
    } finally {
      await short.close();
    }
  });
});
