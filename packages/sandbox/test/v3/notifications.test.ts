import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeNotificationV3, notificationReplyV3, type PaymentNotification } from '@tradestate/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFY_RETRY_DELAYS_MS, type Sandbox, startSandbox } from '../../src/index.ts';
import { waitFor } from '../helpers.ts';

let sandbox: Sandbox | undefined;
let receiver: http.Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  sandbox = undefined;
  receiver = undefined;
});

/** A merchant's notify_url: decodes each v3 notification with the sandbox's keys, refusing the first `failures`. */
async function merchantEndpoint(failures: number) {
  const decoded: PaymentNotification[] = [];
  const arrivals: number[] = [];
  let refused = 0;
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push(Date.now());
      const v3 = sandbox?.v3;
      let reply = notificationReplyV3(false, 'not yet');
      try {
        if (v3 === undefined) throw new Error('no v3');
        const notification = decodeNotificationV3({ headers: req.headers, body: Buffer.concat(chunks) }, v3);
        if (refused < failures) refused++;
        else {
          decoded.push(notification);
          reply = notificationReplyV3(true);
        }
      } catch (err) {
        reply = notificationReplyV3(false, (err as Error).message, 400);
      }
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`, decoded, arrivals };
}

describe('APIv3 payment notifications', () => {
  it('are signed, encrypted with the APIv3 key and decoded into the paid order', async () => {
    sandbox = await startSandbox({ timeScale: 0.001 });
    const endpoint = await merchantEndpoint(0);
    sandbox.createOrder({
      outTradeNo: 'N1',
      totalFee: 321,
      tradeType: 'JSAPI',
      notifyUrl: endpoint.url,
      notifyApi: 'v3',
      script: [{ afterMs: 10, tradeState: 'SUCCESS' }],
    });
    await waitFor(() => sandbox?.getOrder('N1')?.notification?.acknowledged === true);
    expect(endpoint.decoded[0]?.order).toMatchObject({ outTradeNo: 'N1', totalFee: 321, mchId: sandbox.v3?.mchId });
    expect(sandbox.getOrder('N1')?.notification).toMatchObject({ attempts: 1, acknowledged: true, pending: false });
  });

  it("are resent on WeChat's schedule, re-signed each time, until a 2xx", async () => {
    sandbox = await startSandbox({ timeScale: 0.001 });
    const endpoint = await merchantEndpoint(3);
    sandbox.createOrder({
      outTradeNo: 'N2',
      totalFee: 1,
      tradeType: 'NATIVE',
      notifyUrl: endpoint.url,
      notifyApi: 'v3',
    });
    sandbox.setTradeState('N2', 'SUCCESS');
    await waitFor(() => sandbox?.getOrder('N2')?.notification?.acknowledged === true);
    expect(endpoint.arrivals).toHaveLength(4);
    const gaps = endpoint.arrivals.slice(1).map((at, n) => at - (endpoint.arrivals[n] as number));
    // 15 s, 15 s, 30 s scaled by 0.001: each gap at least the schedule's.
    for (const [n, gap] of gaps.entries()) {
      expect(gap).toBeGreaterThanOrEqual((NOTIFY_RETRY_DELAYS_MS[n] as number) * 0.001 - 1);
    }
    expect(sandbox.counters().notifications).toMatchObject({ sent: 4, acknowledged: 1, failed: 3 });
  });

  it('stay v2 XML for orders made without notifyApi v3', async () => {
    sandbox = await startSandbox({ timeScale: 0.001 });
    const endpoint = await merchantEndpoint(0);
    sandbox.createOrder({
      outTradeNo: 'N3',
      totalFee: 1,
      tradeType: 'NATIVE',
      notifyUrl: endpoint.url,
      initialState: 'SUCCESS',
    });
    await waitFor(() => sandbox?.getOrder('N3')?.notification?.lastError !== undefined);
    expect(endpoint.decoded).toHaveLength(0);
    expect(sandbox.getOrder('N3')?.notification?.lastError).toMatch(/HTTP 400/);
  });
});
