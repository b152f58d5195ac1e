import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPayClient,
  decodeNotification,
  notificationReply,
  type OrderQueryClient,
  type PaymentNotification,
  type TradeState,
} from '@tradestate/protocol';
import { defaultMerchant, type FaultRates, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankOf } from '../src/definition/transitions.ts';
import {
  createLimiter,
  createMemorySnapshotStore,
  type OrderWatch,
  resumeWatches,
  type Schedule,
  type WatchOrderOptions,
  watchOrder,
  watchOrders,
} from '../src/index.ts';

/** Every fault the sandbox injects that a watch must ride out (latency, hangs, resets, bad bodies, busy answers). */
const FAULTS: FaultRates = {
  systemError: 0.1,
  frequencyLimited: 0.05,
  returnFail: 0.05,
  badSignature: 0.05,
  reset: 0.03,
  truncated: 0.03,
  html502: 0.03,
  hang: 0.02,
  latency: 0.1,
  latencyMs: 20,
};

/** Polls every 25 ms, 50 ms after a failure: the sandbox's scripts run in real (short) time. */
const fast: Schedule = (_attempt, last) => (last.kind === 'retryable-error' ? 50 : 25);

let sandbox: Sandbox;
let client: OrderQueryClient;
let orderNumber = 0;
const nextId = () => `IT${Date.now() % 100000}${++orderNumber}`;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7 });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 300 });
});
afterAll(async () => {
  await sandbox.close();
});

function watch(outTradeNo: string, extra: Partial<WatchOrderOptions> = {}): Promise<OrderWatch[]> {
  return lastValueFrom(
    watchOrder({
      client,
      query: { outTradeNo },
      schedule: fast,
      deadline: 5000,
      jitter: { ratio: 0.2 },
      ...extra,
    }).pipe(toArray()),
  );
}

function expectForwardOnly(watches: readonly OrderWatch[]) {
  for (let i = 1; i < watches.length; i++) {
    expect(rankOf(watches[i]!.tradeState)).toBeGreaterThanOrEqual(rankOf(watches[i - 1]!.tradeState));
  }
}

describe('watchOrder against the sandbox over HTTP, faults on', () => {
  beforeAll(() => sandbox.setFaults(FAULTS));

  it.each<[string, 'NATIVE' | 'MICROPAY', TradeState, TradeState]>([
    ['SUCCESS', 'NATIVE', 'NOTPAY', 'SUCCESS'],
    ['CLOSED', 'NATIVE', 'NOTPAY', 'CLOSED'],
    ['REVOKED', 'MICROPAY', 'USERPAYING', 'REVOKED'],
    ['PAYERROR', 'MICROPAY', 'USERPAYING', 'PAYERROR'],
  ])('ends %s', async (end, tradeType, initialState, finalState) => {
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 101,
      tradeType,
      initialState,
      script: [{ afterMs: 150, tradeState: finalState }],
    });
    const watches = await watch(id);
    const last = watches.at(-1)!;
    expect(last).toMatchObject({ done: true, end, tradeState: finalState });
    expect(last.order?.outTradeNo).toBe(id);
    expect(last.order?.totalFee).toBe(101);
    // With faults on, the early polls may all fail: the initial state is seen only if one got through.
    expect(watches.map((w) => w.tradeState).filter((s) => s !== undefined && s !== initialState)).toEqual(
      watches.map((w) => w.tradeState).filter((s) => s === finalState),
    );
    expectForwardOnly(watches);
  });

  it('ends REFUND after SUCCESS when asked to follow refunds', async () => {
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 200,
      tradeType: 'NATIVE',
      script: [
        { afterMs: 100, tradeState: 'SUCCESS' },
        { afterMs: 400, tradeState: 'REFUND' },
      ],
    });
    const watches = await watch(id, { followRefunds: true });
    expect(watches.map((w) => w.tradeState)).toContain('SUCCESS');
    expect(watches.at(-1)).toMatchObject({ end: 'REFUND', tradeState: 'REFUND' });
    expect(watches.find((w) => w.tradeState === 'SUCCESS')?.order?.paidAt).toBeInstanceOf(Date);
    expectForwardOnly(watches);
  });

  it('ends NOT_FOUND after the grace window when the order never appears', async () => {
    const watches = await watch(nextId(), { notFoundGraceMs: 200 });
    expect(watches.at(-1)).toMatchObject({ end: 'NOT_FOUND', tradeState: undefined });
  });

  it('ends DEADLINE when the order stays unpaid', async () => {
    const id = nextId();
    sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    const watches = await watch(id, { deadline: 400 });
    expect(watches.at(-1)).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY' });
  });

  it('ends ERROR at once with a wrong key, keeping the code and never the key', async () => {
    const id = nextId();
    sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    const wrongKey = 'ffffffffffffffffffffffffffffffff';
    const wrong = createPayClient({ ...defaultMerchant, key: wrongKey, baseURL: sandbox.url, timeoutMs: 300 });
    const watches = await watch(id, { client: wrong });
    const last = watches.at(-1)!;
    expect(last).toMatchObject({ done: true, end: 'ERROR', error: { retryable: false } });
    expect(last.attempts).toBeLessThan(10);
    expect(JSON.stringify(watches)).not.toContain(wrongKey);
    expect(JSON.stringify(watches)).not.toContain(defaultMerchant.key);
  });

  it('ends CANCELLED when the signal aborts', async () => {
    const id = nextId();
    sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    const watches = await watch(id, { signal: AbortSignal.timeout(200) });
    expect(watches.at(-1)).toMatchObject({ end: 'CANCELLED', tradeState: 'NOTPAY' });
  });
});

describe('watchOrder against the sandbox: stale answers and notifications', () => {
  it('ignores stale (older) answers: recorded as anomalies, never a move backwards', async () => {
    sandbox.setFaults({ staleState: 0.5 });
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 1,
      tradeType: 'MICROPAY',
      script: [
        { afterMs: 50, tradeState: 'USERPAYING' },
        { afterMs: 700, tradeState: 'SUCCESS' },
      ],
    });
    const watches = await watch(id);
    sandbox.setFaults({});
    expectForwardOnly(watches);
    const last = watches.at(-1)!;
    expect(last).toMatchObject({ end: 'SUCCESS' });
    expect(last.anomalies.some((a) => a.kind === 'backwards' && a.from === 'USERPAYING' && a.to === 'NOTPAY')).toBe(
      true,
    );
  });

  it('a notification that arrives before the first poll ends the watch with no query', async () => {
    sandbox.setFaults({});
    const notifications = new Subject<PaymentNotification>();
    const receiver = await listen((_req, body, reply) => {
      notifications.next(decodeNotification(body, { key: defaultMerchant.key }));
      reply(notificationReply(true));
    });
    try {
      const id = nextId();
      sandbox.createOrder({
        outTradeNo: id,
        totalFee: 1,
        tradeType: 'NATIVE',
        notifyUrl: `${receiver.url}/notify`,
        script: [{ afterMs: 10, tradeState: 'SUCCESS' }],
      });
      const firstPollLate: Schedule = (attempt) => (attempt === 0 ? 3000 : 25);
      const watches = await watch(id, { notifications, schedule: firstPollLate });
      expect(watches.at(-1)).toMatchObject({ end: 'SUCCESS', attempts: 0 });
      expect(watches.at(-1)?.order?.transactionId).toMatch(/^\d+$/);
      expect(sandbox.counters().queriesByOrder[id] ?? 0).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});

describe('against the sandbox: restore, limiter, abort', () => {
  it('resumes a watch from its persisted snapshot after a "restart"', async () => {
    sandbox.setFaults({});
    const id = nextId();
    sandbox.createOrder({
      outTradeNo: id,
      totalFee: 1,
      tradeType: 'NATIVE',
      script: [{ afterMs: 500, tradeState: 'SUCCESS' }],
    });
    const store = createMemorySnapshotStore();
    const first: OrderWatch[] = [];
    const subscription = watchOrder({
      client,
      query: { outTradeNo: id },
      schedule: fast,
      deadline: 5000,
      store,
    }).subscribe((w) => first.push(w));
    await new Promise((resolve) => setTimeout(resolve, 150));
    subscription.unsubscribe();
    expect(first.at(-1)?.tradeState).toBe('NOTPAY');
    expect(await store.list()).toHaveLength(1);

    const fresh = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 300 });
    const resumed = await lastValueFrom(resumeWatches(store, fresh, { schedule: fast }).pipe(toArray()));
    expect(resumed[0]?.tradeState).toBe('NOTPAY');
    expect(resumed.at(-1)).toMatchObject({ end: 'SUCCESS' });
    expect(resumed.at(-1)!.attempts).toBeGreaterThan(first.at(-1)!.attempts);
    expect(await store.list()).toEqual([]);
  });

  it('holds 20 watches under 5 queries per second, fairly (sandbox counters)', async () => {
    sandbox.setFaults({});
    const ids = Array.from({ length: 20 }, () => nextId());
    for (const id of ids) sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    sandbox.resetCounters();
    const limiter = createLimiter({ ratePerSecond: 5 });
    const ends = await lastValueFrom(
      watchOrders(from(ids.map((outTradeNo) => ({ outTradeNo }))), {
        client,
        limiter,
        schedule: fast,
        deadline: 4500,
      }).pipe(toArray()),
    );
    expect(ends.filter((w) => w.done)).toHaveLength(20);
    const counters = sandbox.counters();
    const perOrder = ids.map((id) => counters.queriesByOrder[id] ?? 0);
    // Any 1 s window holds at most 5 queries, so 4.5 s hold at most 5 windows' worth.
    expect(counters.byEndpoint['/pay/orderquery']).toBeLessThanOrEqual(25);
    expect(Math.min(...perOrder)).toBeGreaterThanOrEqual(1); // nobody starved
    expect(Math.max(...perOrder) - Math.min(...perOrder)).toBeLessThanOrEqual(1); // round-robin
  });
});

describe('unsubscribing aborts the request in flight (seen by the server)', () => {
  it('the connection is closed before the sandbox answers', async () => {
    // Every answer is held back 1.5 s: unsubscribing at the first request must close its connection first.
    const held = await startSandbox({ seed: 1, faults: { latency: 1, latencyMs: 1500 } });
    try {
      held.createOrder({ outTradeNo: 'HELD1', totalFee: 1, tradeType: 'NATIVE' });
      const slow = createPayClient({ ...defaultMerchant, baseURL: held.url, timeoutMs: 10_000 });
      const subscription = watchOrder({
        client: slow,
        query: { outTradeNo: 'HELD1' },
        schedule: fast,
        deadline: 20_000,
      }).subscribe();
      await until(() => held.counters().requests === 1);
      subscription.unsubscribe();
      await until(() => held.counters().abandoned === 1);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const counters = held.counters();
      expect(counters.abandoned).toBe(1);
      expect(counters.requests).toBe(1); // no further poll after unsubscribing
      expect(counters.byAnswer['NOTPAY'] ?? 0).toBe(0); // the held answer was never written
    } finally {
      await held.close();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A loopback HTTP server handing each request's body to `onRequest`. */
async function listen(
  onRequest: (req: IncomingMessage, body: string, reply: (xml: string) => void, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      onRequest(
        req,
        Buffer.concat(chunks).toString('utf8'),
        (xml) => {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(xml);
        },
        res,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
