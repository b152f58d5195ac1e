import { schedules } from '@tradestate/machine';
import { createPayClient } from '@tradestate/protocol';
import { defaultMerchant } from '@tradestate/sandbox';
import { EMPTY, firstValueFrom, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderBook } from '../src/order-book.ts';
import type { StatusEvent } from '../src/order-status.ts';
import { buildCheckoutServer } from '../src/server.ts';
import {
  placeOrder as place,
  postNotification as post,
  signedNotification,
  startCheckout,
  statusEvents,
} from './checkout-harness.ts';

let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout({ deadlineMs: 60_000 });
});
afterAll(() => checkout.close());

const placeOrder = () => place(checkout.url);
const notification = (outTradeNo: string, key: string) => signedNotification(checkout.sandbox, outTradeNo, key);
const postNotification = (body: string) => post(checkout.url, body);

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

    // The forged one named a real order, so that order asked WeChat again (an extra "waiting" event may come):
    // nothing it said is believed, and only the genuine one ends the watch.
    const genuine = await postNotification(notification(outTradeNo, defaultMerchant.key));
    expect(genuine).toMatchObject({ return_code: 'SUCCESS' });
    const after: StatusEvent[] = [];
    for (let next = await events.next(); !next.done; next = await events.next()) {
      after.push(next.value);
      if (next.value.done) break;
    }
    expect(after.slice(0, -1).every((event) => event.status === 'waiting')).toBe(true);
    expect(after.at(-1)).toMatchObject({ status: 'paid', tradeState: 'SUCCESS', done: true });
    controller.abort();
  });

  it('answers 404 for orders it did not create', async () => {
    expect((await fetch(`${checkout.url}/orders/NOPE/events`)).status).toBe(404);
    expect((await fetch(`${checkout.url}/orders/NOPE/pay`, { method: 'POST' })).status).toBe(404);
  });

  it('charges the catalogue price, and refuses an order that names an amount or an unknown product', async () => {
    const created = await fetch(`${checkout.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'sticker' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ sku: 'sticker', totalFee: 1, feeType: 'CNY' });
    const before = checkout.sandbox.listOrders().length;
    for (const body of [
      { sku: 'sticker', totalFee: 100_000 },
      { sku: 'sticker', totalFee: 1 },
      { totalFee: 1 },
      { sku: 'sticker', feeType: 'USD' },
      { sku: 'nothing-like-it' },
      { sku: 42 },
      [{ sku: 'sticker' }],
      {},
    ]) {
      const refused = await fetch(`${checkout.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(refused.status).toBe(400);
    }
    const empty = await fetch(`${checkout.url}/orders`, { method: 'POST' });
    expect(empty.status).toBe(400);
    // Nothing was created with WeChat for any of them.
    expect(checkout.sandbox.listOrders()).toHaveLength(before);
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
    const book = new OrderBook({
      client: createPayClient({ ...defaultMerchant, baseURL: checkout.sandbox.url }),
      schedule: schedules.native,
      deadlineMs: 1000,
    });
    const app = await buildCheckoutServer({
      book,
      payments: { createOrder: async (order) => checkout.sandbox.createOrder({ ...order, tradeType: 'NATIVE' }) },
      merchant: defaultMerchant,
      notifyUrl: 'https://shop.example/wechatpay/notify',
    });
    try {
      const created = await app.inject({ method: 'POST', url: '/orders', payload: { sku: 'sticker' } });
      expect(created.statusCode).toBe(201);
      const { outTradeNo } = created.json<{ outTradeNo: string }>();
      expect(checkout.sandbox.getOrder(outTradeNo)?.notifyUrl).toBe('https://shop.example/wechatpay/notify');
      expect((await app.inject({ method: 'POST', url: `/orders/${outTradeNo}/pay` })).statusCode).toBe(404);
    } finally {
      await app.close();
      book.close();
    }
  });
});

describe('an order nobody pays', () => {
  it('is closed with WeChat at its deadline, and the stream says closed', async () => {
    const short = await startCheckout({ deadlineMs: 300 });
    try {
      const outTradeNo = await place(short.url);
      const seen: StatusEvent[] = [];
      for await (const event of statusEvents(`${short.url}/orders/${outTradeNo}/events`)) seen.push(event);
      expect(seen.at(-1)).toMatchObject({ status: 'closed', tradeState: 'CLOSED', done: true, end: 'CLOSED' });
      expect(short.sandbox.getOrder(outTradeNo)?.tradeState).toBe('CLOSED');
      expect(short.sandbox.counters().byEndpoint['/pay/closeorder']).toBe(1);
    } finally {
      await short.close();
    }
  });

  it('is closed at its deadline even when no page ever opened its status', async () => {
    const short = await startCheckout({ deadlineMs: 300 });
    try {
      const outTradeNo = await place(short.url);
      // No event stream is ever requested: the server's own watch closes the order and confirms it with a query.
      const latest = () => firstValueFrom(short.book.status$(outTradeNo) ?? EMPTY, { defaultValue: undefined });
      await expect.poll(async () => (await latest())?.done, { timeout: 5000, interval: 50 }).toBe(true);
      expect(short.sandbox.getOrder(outTradeNo)?.tradeState).toBe('CLOSED');
      expect(short.sandbox.counters().byEndpoint['/pay/closeorder']).toBe(1);
      // The watch ends once a verified query confirmed the close; a page opened afterwards is told that at once.
      const status$ = short.book.status$(outTradeNo);
      if (status$ !== undefined) await lastValueFrom(status$);
      const seen: StatusEvent[] = [];
      for await (const event of statusEvents(`${short.url}/orders/${outTradeNo}/events`)) seen.push(event);
      expect(seen).toEqual([expect.objectContaining({ status: 'closed', tradeState: 'CLOSED', done: true })]);
    } finally {
      await short.close();
    }
  });
});
