import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import {
  createPayClient,
  decodeNotification,
  notificationReply,
  type OrderQueryClient,
  readNotificationHint,
} from '@tradestate/protocol';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keepNotification,
  type OrderWatch,
  resumeWatches,
  type Schedule,
  type SnapshotStore,
  type WatchNotification,
  type WatchOrderOptions,
  watchOrder,
  watchOrders,
} from '../src/index.ts';

/**
 * A second merchant of the same app, sharing the default merchant's key (as sub-merchants of one provider share
 * theirs): its notifications verify with our key, and only `mch_id` tells them apart.
 */
const sameKeyMerchant = { appId: defaultMerchant.appId, mchId: '10000200', key: defaultMerchant.key };
/** A merchant with a key of its own: its notifications do not verify with ours. */
const otherKeyMerchant = { appId: 'wx0000000000000003', mchId: '10000300', key: 'f'.repeat(32) };

let sandbox: Sandbox;
let client: OrderQueryClient;
let serial = 0;
const nextId = () => `TR${Date.now() % 100000}${++serial}`;

/**
 * The merchant's notify route, as a user writes it today: verify with the key (nothing else bound), and hand
 * the result to the watches; what does not verify but names an order (`readNotificationHint`) becomes an
 * unverified notification. With a store, the notification is kept before SUCCESS.
 */
let route: { url: string; close(): Promise<void> };
const notifications = new Subject<WatchNotification>();
let routeStore: SnapshotStore | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, merchants: [defaultMerchant, sameKeyMerchant, otherKeyMerchant] });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 1000 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const notification = decodeNotification(body, { key: defaultMerchant.key });
        if (routeStore !== undefined) await keepNotification(routeStore, notification);
        notifications.next(notification);
        res.end(notificationReply(true));
      } catch {
        const query = readNotificationHint(body);
        if (query !== undefined) notifications.next({ kind: 'unverified', query });
        res.end(notificationReply(false, 'invalid notification'));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  route = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
afterAll(async () => {
  await route.close();
  await sandbox.close();
});

/** Asks at once, then every `everyMs`. */
const firstNowThenEvery =
  (everyMs: number): Schedule =>
  (attempt) =>
    attempt === 0 ? 0 : everyMs;

function watch(outTradeNo: string, extra: Partial<WatchOrderOptions>) {
  const started = Date.now();
  return lastValueFrom(
    watchOrder({
      client,
      query: { outTradeNo },
      schedule: firstNowThenEvery(300),
      deadline: 6000,
      notifications,
      jitter: { ratio: 0 },
      ...extra,
    }).pipe(toArray()),
  ).then((watches) => ({ watches, last: watches.at(-1) as OrderWatch, elapsedMs: Date.now() - started }));
}

describe('end to end through the sandbox: the poll path binds the amount', () => {
  it('watchOrder: an answer of another amount ends ERROR MISMATCH (total_fee), keeping the order WeChat described', async () => {
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 500,
      tradeType: 'NATIVE',
      script: [{ afterMs: 100, tradeState: 'SUCCESS' }],
    });
    const { last, watches } = await watch(id, { expect: { totalFee: 600 } });
    expect(last).toMatchObject({ done: true, end: 'ERROR', error: { code: 'MISMATCH', field: 'total_fee' } });
    expect(last.order).toMatchObject({ outTradeNo: id, totalFee: 500 });
    expect(watches.some((w) => w.end === 'SUCCESS' || w.tradeState === 'SUCCESS')).toBe(false);
  });

  it('watchOrder: a paid answer in another currency ends ERROR MISMATCH (fee_type)', async () => {
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 500,
      feeType: 'USD',
      tradeType: 'NATIVE',
      initialState: 'NOTPAY',
      script: [{ afterMs: 50, tradeState: 'SUCCESS' }],
    });
    const { last } = await watch(id, { expect: { totalFee: 500 }, schedule: firstNowThenEvery(100) });
    expect(last).toMatchObject({ end: 'ERROR', error: { code: 'MISMATCH', field: 'fee_type' } });
    expect(last.order?.feeType).toBe('USD');
  });

  it('watchOrders: each order bound to its own amount, one right and one wrong', async () => {
    const right = nextId();
    const wrong = nextId();
    for (const id of [right, wrong]) {
      sandbox.createOrder({
        outTradeNo: id,
        totalFee: 700,
        tradeType: 'NATIVE',
        script: [{ afterMs: 100, tradeState: 'SUCCESS' }],
      });
    }
    const watches = await lastValueFrom(
      watchOrders(
        from([
          { query: { outTradeNo: right }, expect: { totalFee: 700 } },
          { query: { outTradeNo: wrong }, expect: { totalFee: 70 } },
        ]),
        { client, schedule: firstNowThenEvery(100), deadline: 5000 },
      ).pipe(toArray()),
    );
    const ends = new Map(watches.filter((w) => w.done).map((w) => [w.query.outTradeNo, w]));
    expect(ends.get(right)).toMatchObject({ end: 'SUCCESS', order: { totalFee: 700 } });
    expect(ends.get(wrong)).toMatchObject({ end: 'ERROR', error: { code: 'MISMATCH', field: 'total_fee' } });
  });
});

describe('end to end through the sandbox: notifications are bound too, and a forged one is a reason to ask', () => {
  it.each(['watchOrder', 'watchOrders'] as const)(
    '%s: a genuine notification of another merchant (same key, same out_trade_no) is refused; the poll decides',
    async (driver) => {
      const id = nextId();
      // The genuine order is paid at 0.9 s; another merchant's order of the same number is paid, and notified, at 0.2 s.
      sandbox.createOrder({
        outTradeNo: id,
        totalFee: 500,
        tradeType: 'NATIVE',
        script: [{ afterMs: 900, tradeState: 'SUCCESS' }],
      });
      sandbox.createOrder({
        outTradeNo: id,
        mchId: sameKeyMerchant.mchId,
        totalFee: 500,
        tradeType: 'NATIVE',
        notifyUrl: route.url,
        script: [{ afterMs: 200, tradeState: 'SUCCESS' }],
      });
      const started = Date.now();
      const options = {
        client,
        schedule: firstNowThenEvery(3000),
        deadline: 6000,
        notifications,
        jitter: { ratio: 0 },
      };
      const request = { query: { outTradeNo: id }, expect: { totalFee: 500 } };
      const watches = await lastValueFrom(
        (driver === 'watchOrder' ? watchOrder({ ...options, ...request }) : watchOrders(from([request]), options)).pipe(
          toArray(),
        ),
      );
      const last = watches.at(-1) as OrderWatch;
      expect(last).toMatchObject({ end: 'SUCCESS', order: { mchId: defaultMerchant.mchId, totalFee: 500 } });
      expect(last.anomalies).toEqual([
        expect.objectContaining({ kind: 'mismatch', field: 'mch_id', source: 'notification' }),
      ]);
      // Brought forward to 1 s after the first query (not the schedule's 3 s), where the genuine payment was seen.
      expect(Date.now() - started).toBeLessThan(2500);
      expect(sandbox.getOrder(id, { mchId: defaultMerchant.mchId })?.queries).toBe(2);
    },
  );

  it('watchOrder: a notification of another amount before the first poll is refused and asks at once', async () => {
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 500,
      tradeType: 'NATIVE',
      script: [{ afterMs: 600, tradeState: 'SUCCESS' }],
    });
    sandbox.createOrder({
      outTradeNo: id,
      mchId: sameKeyMerchant.mchId,
      totalFee: 1,
      tradeType: 'NATIVE',
      notifyUrl: route.url,
      script: [{ afterMs: 50, tradeState: 'SUCCESS' }],
    });
    const schedule: Schedule = (attempt) => (attempt === 0 ? 5000 : 800);
    const { last, watches, elapsedMs } = await watch(id, { expect: { totalFee: 500 }, schedule });
    expect(last).toMatchObject({ end: 'SUCCESS', order: { totalFee: 500 } });
    expect(last.anomalies[0]).toMatchObject({ kind: 'mismatch', field: 'total_fee', to: 'SUCCESS' });
    // The first query came with the notification, long before the schedule's 5 s.
    expect(elapsedMs).toBeLessThan(3500);
    expect(watches.some((w) => w.order?.totalFee === 1)).toBe(false);
  });

  it.each(['watchOrder', 'watchOrders'] as const)(
    '%s: a notification that does not verify brings the query forward and is believed in nothing',
    async (driver) => {
      const id = nextId();
      sandbox.createOrder({
        outTradeNo: id,
        totalFee: 500,
        tradeType: 'NATIVE',
        script: [{ afterMs: 900, tradeState: 'SUCCESS' }],
      });
      // Signed with another key: our route cannot verify it, and says only "someone claims A was paid".
      sandbox.createOrder({
        outTradeNo: id,
        mchId: otherKeyMerchant.mchId,
        totalFee: 500,
        tradeType: 'NATIVE',
        notifyUrl: route.url,
        script: [{ afterMs: 200, tradeState: 'SUCCESS' }],
      });
      const started = Date.now();
      const options = {
        client,
        schedule: firstNowThenEvery(3000),
        deadline: 6000,
        notifications,
        jitter: { ratio: 0 },
      };
      const watches = await lastValueFrom(
        (driver === 'watchOrder'
          ? watchOrder({ ...options, query: { outTradeNo: id }, expect: { totalFee: 500 } })
          : watchOrders(from([{ query: { outTradeNo: id }, expect: { totalFee: 500 } }]), options)
        ).pipe(toArray()),
      );
      const last = watches.at(-1) as OrderWatch;
      expect(last).toMatchObject({ end: 'SUCCESS', order: { mchId: defaultMerchant.mchId }, anomalies: [] });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(sandbox.getOrder(id, { mchId: defaultMerchant.mchId })?.queries).toBe(2);
    },
  );
});

describe('end to end through the sandbox: the inbox keeps a notification nobody watched', () => {
  it('kept by the route in SQLite, it is a SUCCESS end after a restart, through resumeWatches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestate-trust-'));
    const path = join(dir, 'watches.db');
    try {
      const store = createSqliteSnapshotStore(path);
      routeStore = store;
      const id = nextId();
      sandbox.createOrder({
        outTradeNo: id,
        totalFee: 800,
        tradeType: 'NATIVE',
        notifyUrl: route.url,
        script: [{ afterMs: 20, tradeState: 'SUCCESS' }],
      });
      const started = Date.now();
      while (sandbox.getOrder(id)?.notification?.acknowledged !== true) {
        if (Date.now() - started > 5000) throw new Error('the notification was not acknowledged');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      routeStore = undefined;
      store.close();

      const reopened = createSqliteSnapshotStore(path);
      const resumed = await lastValueFrom(
        resumeWatches(reopened, client, { schedule: firstNowThenEvery(100) }).pipe(toArray()),
      );
      expect(resumed.at(-1)).toMatchObject({ end: 'SUCCESS', attempts: 0, order: { outTradeNo: id, totalFee: 800 } });
      expect(resumed.at(-1)?.order?.transactionId).toBe(sandbox.getOrder(id)?.transactionId);
      expect(reopened.inbox.list()).toEqual([]);
      reopened.close();
    } finally {
      routeStore = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
