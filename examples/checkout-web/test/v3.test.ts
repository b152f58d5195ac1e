import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../src/order-status.ts';
import { placeOrder as placeOrderAt, startCheckout, statusEvents } from './checkout-harness.ts';

let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout({ deadlineMs: 60_000, api: 'v3' });
});
afterAll(() => checkout.close());

const placeOrder = (): Promise<string> => placeOrderAt(checkout.url);

async function untilDone(outTradeNo: string): Promise<StatusEvent[]> {
  const events: StatusEvent[] = [];
  for await (const event of statusEvents(`${checkout.url}/orders/${outTradeNo}/events`, AbortSignal.timeout(10_000))) {
    events.push(event);
    if (event.done) break;
  }
  return events;
}

describe('the checkout over APIv3 (one flag: api v3)', () => {
  it('queries over APIv3 and ends paid from the signed, encrypted v3 notification', async () => {
    const outTradeNo = await placeOrder();
    const done = untilDone(outTradeNo);
    expect((await fetch(`${checkout.url}/orders/${outTradeNo}/pay`, { method: 'POST' })).status).toBe(202);
    const events = await done;
    expect(events.at(-1)).toMatchObject({ outTradeNo, status: 'paid', done: true });
    // The sandbox records the acknowledgement once the 204 has come back: a moment after the page saw "paid".
    for (let i = 0; i < 200 && checkout.sandbox.getOrder(outTradeNo)?.notification?.acknowledged !== true; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(checkout.sandbox.getOrder(outTradeNo)?.notification).toMatchObject({ acknowledged: true, attempts: 1 });
    expect(checkout.sandbox.counters().byEndpoint['/pay/orderquery']).toBeUndefined();
  });

  it('closes an unpaid order at the deadline with the v3 close, confirmed by a v3 query', async () => {
    const short = await startCheckout({ deadlineMs: 300, api: 'v3' });
    try {
      const outTradeNo = await placeOrderAt(short.url);
      const events: StatusEvent[] = [];
      for await (const event of statusEvents(`${short.url}/orders/${outTradeNo}/events`, AbortSignal.timeout(10_000))) {
        events.push(event);
        if (event.done) break;
      }
      expect(events.at(-1)).toMatchObject({ outTradeNo, status: 'closed', done: true });
      const { byEndpoint } = short.sandbox.counters();
      expect(byEndpoint['/v3/pay/transactions/out-trade-no/{out_trade_no}/close']).toBe(1);
      expect(byEndpoint['/v3/pay/transactions/out-trade-no/{out_trade_no}']).toBeGreaterThan(0);
      expect(byEndpoint['/pay/closeorder']).toBeUndefined();
    } finally {
      await short.close();
    }
  });

  it('refuses a notification that is not signed by WeChat Pay with a FAIL body', async () => {
    const outTradeNo = await placeOrder();
    const response = await fetch(`${checkout.url}/wechatpay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'wechatpay-signature': 'WECHATPAY/SIGNTEST/QUJD' },
      body: JSON.stringify({ event_type: 'TRANSACTION.SUCCESS', resource: { out_trade_no: outTradeNo } }),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: 'FAIL', message: 'invalid notification' });
  });
});
