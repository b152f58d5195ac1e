import type { OrderWatch } from '@tradestate/machine';
import { defaultMerchant } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogue } from '../src/catalogue.ts';
import { type StatusEvent, statusEventOf } from '../src/order-status.ts';
import { sandboxPayments } from '../src/sandbox-payments.ts';
import { placeOrder, postNotification, signedNotification, startCheckout, statusEvents } from './checkout-harness.ts';

// A 100-fen product: the amount every notification and answer about its orders must carry.
const catalogue = createCatalogue([
  { sku: 'sticker', name: 'tradestate sticker', totalFee: 1 },
  { sku: 'mug', name: 'tradestate mug', totalFee: 100 },
]);

let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout({ deadlineMs: 60_000, catalogue });
});
afterAll(() => checkout.close());

/** The status a page opening now would be shown first. */
async function currentStatus(url: string, outTradeNo: string): Promise<StatusEvent | undefined> {
  const controller = new AbortController();
  const events = statusEvents(`${url}/orders/${outTradeNo}/events`, controller.signal);
  const first = await events.next();
  controller.abort();
  return first.value as StatusEvent | undefined;
}

describe('a notification is believed only about the order the shop recorded, at its amount', () => {
  it('answers FAIL to a correctly signed notification of 1 fen for a 100-fen order, and the page never says paid', async () => {
    const outTradeNo = await placeOrder(checkout.url, 'mug');
    expect(checkout.sandbox.getOrder(outTradeNo)?.totalFee).toBe(100);
    const controller = new AbortController();
    const seen: StatusEvent[] = [];
    const watching = (async () => {
      for await (const event of statusEvents(`${checkout.url}/orders/${outTradeNo}/events`, controller.signal)) {
        seen.push(event);
      }
    })().catch(() => undefined);

    const key = defaultMerchant.key;
    const hostile: Array<[string, Record<string, string>]> = [
      ['1 fen', { total_fee: '1', cash_fee: '1' }],
      ['another currency', { fee_type: 'USD' }],
      ['another merchant', { mch_id: '1900000109' }],
      ['another app', { appid: 'wx0000000000000000' }],
    ];
    for (const [label, overrides] of hostile) {
      const reply = await postNotification(
        checkout.url,
        signedNotification(checkout.sandbox, outTradeNo, key, overrides),
      );
      expect(reply, label).toMatchObject({ return_code: 'FAIL' });
    }
    // Nothing was believed: still waiting, no paid event was streamed.
    expect(await currentStatus(checkout.url, outTradeNo)).toMatchObject({ status: 'waiting', done: false });
    expect(seen.map((event) => event.status)).not.toContain('paid');

    // The genuine amount is believed at once.
    const genuine = await postNotification(checkout.url, signedNotification(checkout.sandbox, outTradeNo, key));
    expect(genuine).toMatchObject({ return_code: 'SUCCESS' });
    await expect.poll(() => seen.at(-1)?.status).toBe('paid');
    controller.abort();
    await watching;
  });

  it('answers FAIL to a verified notification for an order it did not create, so WeChat resends it', async () => {
    const stranger = checkout.sandbox.createOrder({ outTradeNo: 'ELSEWHERE1', totalFee: 100, tradeType: 'NATIVE' });
    const reply = await postNotification(
      checkout.url,
      signedNotification(checkout.sandbox, stranger.outTradeNo, defaultMerchant.key),
    );
    expect(reply).toMatchObject({ return_code: 'FAIL' });
  });
});

describe('an answer about another amount', () => {
  // Lands with the machine's amount binding (watchOrder's `expect`): until then the watch believes the poll.
  it('ends the watch without "paid" when WeChat says the order was paid 1 fen instead of 100', async () => {
    // A gateway that created the order with WeChat for 1 fen while the shop recorded 100 (a bug, or tampering).
    const shortchanged = await startCheckout({
      deadlineMs: 20_000,
      catalogue,
      payments: (sandbox) => ({
        ...sandboxPayments(sandbox),
        createOrder: async (order) => sandbox.createOrder({ ...order, totalFee: 1, tradeType: 'NATIVE' }),
      }),
    });
    try {
      const outTradeNo = await placeOrder(shortchanged.url, 'mug');
      await fetch(`${shortchanged.url}/orders/${outTradeNo}/pay`, { method: 'POST' });
      // The sandbox's own, genuine notification says 1 fen: refused.
      await expect
        .poll(() => shortchanged.sandbox.getOrder(outTradeNo)?.notification?.attempts ?? 0, { timeout: 5000 })
        .toBeGreaterThan(0);
      expect(shortchanged.sandbox.getOrder(outTradeNo)?.notification?.acknowledged).toBe(false);
      const seen: StatusEvent[] = [];
      for await (const event of statusEvents(`${shortchanged.url}/orders/${outTradeNo}/events`)) seen.push(event);
      expect(seen.map((event) => event.status)).not.toContain('paid');
      expect(seen.at(-1)).toMatchObject({ done: true, end: 'ERROR', error: 'MISMATCH', status: 'unknown' });
    } finally {
      await shortchanged.close();
    }
  });

  it('is never shown as paid, even when the watch last heard SUCCESS before it ended ERROR', () => {
    const watch = {
      query: { outTradeNo: 'WEB1' },
      tradeState: 'SUCCESS',
      done: true,
      end: 'ERROR',
      attempts: 1,
      order: undefined,
      anomalies: [],
      error: { code: 'MISMATCH', message: 'total_fee does not match', retryable: false },
      lastOutcomeAt: 0,
    } as unknown as OrderWatch;
    expect(statusEventOf('WEB1', watch)).toEqual({
      outTradeNo: 'WEB1',
      status: 'unknown',
      attempts: 1,
      done: true,
      end: 'ERROR',
      error: 'MISMATCH',
    });
  });
});
