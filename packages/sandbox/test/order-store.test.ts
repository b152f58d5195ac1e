import { afterEach, describe, expect, it } from 'vitest';
import { defaultMerchant, MerchantDirectory } from '../src/merchants.ts';
import type { OrderRecord } from '../src/order-record.ts';
import { OrderStore } from '../src/order-store.ts';

let store: OrderStore | undefined;
afterEach(() => store?.close());

describe('OrderStore: the paying step of a notifying order', () => {
  it('is applied on time even when the timer fires before the clock reaches the step', async () => {
    // A clock running at half speed makes every timer fire "early" by its reading, as Node's timers
    // sometimes do by a millisecond: the step must still be applied, not left for the next lookup.
    const started = Date.now();
    const slowClock = () => started + (Date.now() - started) / 2;
    const paid: OrderRecord[] = [];
    store = new OrderStore({
      directory: new MerchantDirectory([defaultMerchant]),
      seed: 1,
      timeScale: 1,
      onPaid: (record) => paid.push(record),
      log: () => {},
      now: slowClock,
    });
    store.create({
      outTradeNo: 'EARLY1',
      totalFee: 1,
      tradeType: 'NATIVE',
      notifyUrl: 'http://127.0.0.1:9/notify',
      script: [{ afterMs: 20, tradeState: 'SUCCESS' }],
    });
    const deadline = Date.now() + 2000;
    while (paid.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(paid.map((record) => record.outTradeNo)).toEqual(['EARLY1']);
    expect(slowClock()).toBeGreaterThanOrEqual(started + 20);
  });
});
