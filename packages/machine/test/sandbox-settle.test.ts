import { createPayClient, type PayClient } from '@tradestate/protocol';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OrderWatch, type Schedule, type WatchOrderOptions, watchOrder } from '../src/index.ts';

/** Polls every 25 ms, 50 ms after a failure: the sandbox's scripts run in real (short) time. */
const fast: Schedule = (_attempt, last) => (last.kind === 'retryable-error' ? 50 : 25);
/** Settling at the scale of these tests: the close waits 400 ms after creation, retries after 20 ms. */
const timing = { closeAfterMs: 400, retryMs: 20, maxRetryMs: 200, recallPauseMs: 50, callTimeoutMs: 1000 };

let sandbox: Sandbox;
let client: PayClient;
let orderNumber = 0;
const nextId = () => `ST${Date.now() % 100000}${++orderNumber}`;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11 });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 500 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setFaults({}));

/** A client that records when each close reached the sandbox. */
function recording(inner: PayClient) {
  const closes: number[] = [];
  const wrapped: PayClient = {
    ...inner,
    closeOrder: (request, options) => {
      closes.push(Date.now());
      return inner.closeOrder(request, options);
    },
  };
  return { client: wrapped, closes };
}

function settle(outTradeNo: string, extra: Partial<WatchOrderOptions> = {}): Promise<OrderWatch[]> {
  return lastValueFrom(
    watchOrder({
      client,
      query: { outTradeNo },
      schedule: fast,
      deadline: 200,
      jitter: { ratio: 0 },
      atDeadline: 'close',
      settleTiming: timing,
      ...extra,
    }).pipe(toArray()),
  );
}

describe('settling at the deadline through the sandbox, over HTTP', () => {
  it('closes an unpaid NATIVE order, no sooner than closeAfterMs after its creation, and a query confirms CLOSED', async () => {
    const outTradeNo = nextId();
    const createdAt = Date.now();
    // Old enough for the sandbox's own five-minute rule: what is tested is the watch's wait (closeAfterMs).
    sandbox.createOrder({ outTradeNo, totalFee: 101, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const { client: spy, closes } = recording(client);
    const watches = await settle(outTradeNo, { client: spy, createdAt });
    expect(watches.at(-1)).toMatchObject({ done: true, end: 'CLOSED', tradeState: 'CLOSED' });
    expect(closes).toHaveLength(1);
    expect((closes[0] as number) - createdAt).toBeGreaterThanOrEqual(400);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('CLOSED');
    // While it waited for the close it said so.
    expect(watches.some((w) => !w.done && w.settle?.action === 'close')).toBe(true);
  });

  it('ends SUCCESS when the payment lands after the last query but before the close (ORDERPAID)', async () => {
    const outTradeNo = nextId();
    sandbox.createOrder({
      outTradeNo,
      totalFee: 101,
      tradeType: 'NATIVE',
      script: [{ afterMs: 300, tradeState: 'SUCCESS' }],
    });
    const watches = await settle(outTradeNo, { createdAt: Date.now() });
    const last = watches.at(-1);
    expect(last).toMatchObject({ done: true, end: 'SUCCESS', tradeState: 'SUCCESS', paid: true });
    if (last?.end === 'SUCCESS') expect(last.order.outTradeNo).toBe(outTradeNo);
    expect(watches.filter((w) => w.paid)).toHaveLength(1);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('SUCCESS');
  });

  it('reverses a micropay still waiting for the password, and a query confirms REVOKED', async () => {
    const outTradeNo = nextId();
    sandbox.createOrder({ outTradeNo, totalFee: 1500, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    const watches = await settle(outTradeNo, { atDeadline: 'reverse' });
    expect(watches.at(-1)).toMatchObject({ done: true, end: 'REVOKED', settle: { action: 'reverse', calls: 1 } });
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('REVOKED');
  });

  it('rides out SYSTEMERROR answers to the close, retrying, and still ends CLOSED', async () => {
    const outTradeNo = nextId();
    // Old enough for the sandbox's own five-minute rule: what is tested is the watch's wait (closeAfterMs).
    sandbox.createOrder({ outTradeNo, totalFee: 101, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    sandbox.setFaults({ systemError: 0.4 });
    const before = sandbox.counters().byEndpoint['/pay/closeorder'] ?? 0;
    const watches = await settle(outTradeNo, {
      createdAt: Date.now() - 1000,
      settleTiming: { ...timing, maxAttempts: 20 },
    });
    expect(watches.at(-1)).toMatchObject({ done: true, end: 'CLOSED' });
    expect(sandbox.counters().faultsInjected.systemError).toBeGreaterThan(0);
    expect((sandbox.counters().byEndpoint['/pay/closeorder'] ?? 0) - before).toBeGreaterThanOrEqual(1);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('CLOSED');
  });

  it('takes ORDERCLOSED (closed already, by another process) as done, and a query confirms CLOSED', async () => {
    const outTradeNo = nextId();
    // Old enough for the sandbox's own five-minute rule: what is tested is the watch's wait (closeAfterMs).
    sandbox.createOrder({ outTradeNo, totalFee: 101, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const answers: string[] = [];
    const racing: PayClient = {
      ...client,
      // Another process closed it first: this watch's own close is answered ORDERCLOSED.
      closeOrder: async (request, options) => {
        await client.closeOrder(request, options);
        const outcome = await client.closeOrder(request, options);
        answers.push(outcome.kind === 'error' ? outcome.code : outcome.kind);
        return outcome;
      },
    };
    const watches = await settle(outTradeNo, { client: racing, createdAt: Date.now() - 1000 });
    expect(answers).toEqual(['ORDERCLOSED']);
    expect(watches.at(-1)).toMatchObject({ done: true, end: 'CLOSED', tradeState: 'CLOSED' });
  });
});
