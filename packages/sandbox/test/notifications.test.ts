import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeNotification, notificationReply, type PaymentNotification } from '@tradestate/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMerchant, NOTIFY_RETRY_DELAYS_MS, type Sandbox, startSandbox } from '../src/index.ts';
import { waitFor } from './helpers.ts';

interface Receiver {
  url: string;
  attempts: { at: number; notification: PaymentNotification | Error }[];
  close(): Promise<void>;
}

/** A merchant's notify endpoint on 127.0.0.1 that answers attempt N with `reply(N)`. */
async function receiver(reply: (attempt: number) => { status: number; body: string }): Promise<Receiver> {
  const attempts: Receiver['attempts'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let notification: PaymentNotification | Error;
      try {
        notification = decodeNotification(Buffer.concat(chunks), { key: defaultMerchant.key });
      } catch (err) {
        notification = err as Error;
      }
      attempts.push({ at: Date.now(), notification });
      const { status, body } = reply(attempts.length);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let sandbox: Sandbox | undefined;
let merchant: Receiver | undefined;
afterEach(async () => {
  await sandbox?.close();
  await merchant?.close();
});

describe('payment notifications', () => {
  it('retries on WeChat’s (scaled) schedule until acknowledged: fail, fail, then SUCCESS', async () => {
    merchant = await receiver((n) =>
      n === 1
        ? { status: 500, body: 'oops' }
        : n === 2
          ? { status: 200, body: notificationReply(false, 'busy') }
          : { status: 200, body: notificationReply(true) },
    );
    const timeScale = 0.002; // 15 s → 30 ms
    sandbox = await startSandbox({ timeScale });
    sandbox.createOrder({
      outTradeNo: 'N1',
      totalFee: 120,
      tradeType: 'JSAPI',
      attach: 'a&b',
      coupons: [{ id: 'CPN', type: 'CASH', fee: 20 }],
      notifyUrl: merchant.url,
      script: [{ afterMs: 1000, tradeState: 'SUCCESS' }],
    });
    await waitFor(() => sandbox?.getOrder('N1')?.notification?.acknowledged === true);
    const attempts = merchant.attempts;
    expect(attempts).toHaveLength(3);
    for (const { notification } of attempts) {
      if (notification instanceof Error) throw notification;
      expect(notification.tradeState).toBe('SUCCESS');
      expect(notification.order.outTradeNo).toBe('N1');
      expect(notification.order.totalFee).toBe(120);
      expect(notification.order.cashFee).toBe(100);
      expect(notification.order.coupons).toEqual([{ id: 'CPN', type: 'CASH', fee: 20 }]);
      expect(notification.order.attach).toBe('a&b');
      expect(notification.order.transactionId).toBe(sandbox.getOrder('N1')?.transactionId);
    }
    // The waits between attempts are at least the scaled schedule: 15 s, then 15 s.
    const gap1 = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    const gap2 = (attempts[2]?.at ?? 0) - (attempts[1]?.at ?? 0);
    expect(gap1).toBeGreaterThanOrEqual((NOTIFY_RETRY_DELAYS_MS[0] ?? 0) * timeScale - 2);
    expect(gap2).toBeGreaterThanOrEqual((NOTIFY_RETRY_DELAYS_MS[1] ?? 0) * timeScale - 2);
    expect(sandbox.counters().notifications).toEqual({ sent: 3, acknowledged: 1, failed: 2 });
    expect(sandbox.getOrder('N1')?.notification).toEqual({ attempts: 3, acknowledged: true, pending: false });
  });

  it('the schedule is WeChat’s: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h', () => {
    const m = 60_000;
    const h = 60 * m;
    expect(NOTIFY_RETRY_DELAYS_MS).toEqual([
      15_000,
      15_000,
      30_000,
      3 * m,
      10 * m,
      20 * m,
      30 * m,
      30 * m,
      30 * m,
      60 * m,
      3 * h,
      3 * h,
      3 * h,
      6 * h,
      6 * h,
    ]);
  });

  it('gives up after the 16th attempt when never acknowledged', async () => {
    merchant = await receiver(() => ({ status: 200, body: '<xml><return_code>FAIL</return_code></xml>' }));
    sandbox = await startSandbox({ timeScale: 1e-6 }); // the whole 24 h schedule in ~90 ms
    sandbox.createOrder({ outTradeNo: 'N2', totalFee: 1, tradeType: 'NATIVE', notifyUrl: merchant.url });
    sandbox.setTradeState('N2', 'SUCCESS');
    await waitFor(() => sandbox?.getOrder('N2')?.notification?.pending === false);
    expect(merchant.attempts).toHaveLength(NOTIFY_RETRY_DELAYS_MS.length + 1);
    expect(sandbox.getOrder('N2')?.notification).toMatchObject({ attempts: 16, acknowledged: false, pending: false });
    expect(sandbox.getOrder('N2')?.notification?.lastError).toMatch(/FAIL/);
    expect(sandbox.counters().notifications).toEqual({ sent: 16, acknowledged: 0, failed: 16 });
  });

  it('an unreachable notify_url counts as failed attempts, and close() cancels the retries', async () => {
    const dead = await receiver(() => ({ status: 200, body: notificationReply(true) }));
    const url = dead.url;
    await dead.close();
    sandbox = await startSandbox({ timeScale: 1 });
    sandbox.createOrder({
      outTradeNo: 'N3',
      totalFee: 1,
      tradeType: 'NATIVE',
      notifyUrl: url,
      initialState: 'SUCCESS',
    });
    await waitFor(
      () =>
        (sandbox?.getOrder('N3')?.notification?.attempts ?? 0) >= 1 && sandbox?.counters().notifications.failed === 1,
    );
    expect(sandbox.getOrder('N3')?.notification).toMatchObject({ acknowledged: false, pending: true });
    expect(sandbox.getOrder('N3')?.notification?.lastError).toMatch(/request error/);
    // The next attempt is 15 s away; close() must not wait for it.
    await sandbox.close();
    sandbox = undefined;
  });

  it('no notification for an order without notify_url, nor for states other than SUCCESS', async () => {
    merchant = await receiver(() => ({ status: 200, body: notificationReply(true) }));
    sandbox = await startSandbox({ timeScale: 0.001 });
    sandbox.createOrder({ outTradeNo: 'N4', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    sandbox.createOrder({ outTradeNo: 'N5', totalFee: 1, tradeType: 'NATIVE', notifyUrl: merchant.url });
    sandbox.setTradeState('N5', 'CLOSED');
    sandbox.createOrder({ outTradeNo: 'N6', totalFee: 1, tradeType: 'NATIVE', notifyUrl: merchant.url });
    sandbox.setTradeState('N6', 'SUCCESS');
    await waitFor(() => sandbox?.getOrder('N6')?.notification?.acknowledged === true);
    expect(merchant.attempts.map((a) => (a.notification as PaymentNotification).order.outTradeNo)).toEqual(['N6']);
    expect(sandbox.getOrder('N4')?.notification).toBeUndefined();
    expect(sandbox.getOrder('N5')?.notification).toBeUndefined();
  });
});
