import { generateKeyPairSync } from 'node:crypto';
import type { PayClientV3, TradeState } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The machine is imported from its sources: it depends on the sandbox for its own tests, so a dependency back
// would make a cycle. It is used unchanged: the v3 client is just another PayClient.
import { rankOf } from '../../../machine/src/definition/transitions.ts';
import { type OrderWatch, type Schedule, type WatchOrderOptions, watchOrder } from '../../../machine/src/index.ts';
import { type FaultRates, type Sandbox, startSandbox } from '../../src/index.ts';
import { v3Client } from '../v3/helpers.ts';

/** Every fault a v3 watch must ride out: the shared ones and the v3-only stale timestamps and SIGNTEST probes. */
const FAULTS: FaultRates = {
  systemError: 0.08,
  frequencyLimited: 0.05,
  badSignature: 0.05,
  staleState: 0.02,
  reset: 0.03,
  truncated: 0.03,
  html502: 0.03,
  hang: 0.02,
  latency: 0.1,
  latencyMs: 20,
};

const fast: Schedule = (_attempt, last) => (last.kind === 'retryable-error' ? 50 : 25);

let sandbox: Sandbox;
let client: PayClientV3;
let orderNumber = 0;
const nextId = () => `V3W${Date.now() % 100000}${++orderNumber}`;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11 });
  client = v3Client(sandbox, { timeoutMs: 300 });
});
afterAll(() => sandbox.close());

/** Every emission of a watch until it completes (bounded by the watch's own deadline). */
function watch(outTradeNo: string, extra: Partial<WatchOrderOptions> = {}): Promise<OrderWatch[]> {
  const seen: OrderWatch[] = [];
  return new Promise((resolve, reject) => {
    watchOrder({ client, query: { outTradeNo }, schedule: fast, deadline: 5000, ...extra }).subscribe({
      next: (w) => seen.push(w),
      error: reject,
      complete: () => resolve(seen),
    });
  });
}

function expectForwardOnly(watches: readonly OrderWatch[]) {
  for (let i = 1; i < watches.length; i++) {
    expect(rankOf((watches[i] as OrderWatch).tradeState)).toBeGreaterThanOrEqual(
      rankOf((watches[i - 1] as OrderWatch).tradeState),
    );
  }
}

describe('watchOrder with the v3 client through the sandbox, faults on', () => {
  beforeAll(() => {
    sandbox.setFaults(FAULTS);
    sandbox.setV3Faults({ staleTimestamp: 0.04, signTest: 0.04 });
  });

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
    const watches = await watch(id, { expect: { totalFee: 101 } });
    const last = watches.at(-1) as OrderWatch;
    expect(last).toMatchObject({ done: true, end, tradeState: finalState });
    expect(last.order?.outTradeNo).toBe(id);
    expect(last.order?.totalFee).toBe(101);
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

  it('ends NOT_FOUND only after the grace window of unsigned ORDER_NOT_EXIST answers', async () => {
    const started = Date.now();
    const watches = await watch(nextId(), { notFoundGraceMs: 300 });
    expect(watches.at(-1)).toMatchObject({ end: 'NOT_FOUND', tradeState: undefined });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('never ends NOT_FOUND once the order has been seen: a later ORDER_NOT_EXIST is an anomaly', async () => {
    sandbox.setFaults({});
    sandbox.setV3Faults({});
    try {
      const id = nextId();
      sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE', mchId: undefined });
      const other = v3Client(sandbox, { timeoutMs: 300 });
      let calls = 0;
      // After the first verified NOTPAY, every answer is the unsigned 404 the sandbox gives for another order.
      const flaky: PayClientV3 = {
        ...other,
        queryOrder: (query, options) => other.queryOrder(calls++ === 0 ? query : { outTradeNo: `${id}X` }, options),
      };
      const watches = await watch(id, { client: flaky, notFoundGraceMs: 100, deadline: 600 });
      expect(watches.at(-1)).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY' });
    } finally {
      sandbox.setFaults(FAULTS);
      sandbox.setV3Faults({ staleTimestamp: 0.04, signTest: 0.04 });
    }
  });

  it('ends DEADLINE when the order stays unpaid', async () => {
    const id = nextId();
    sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    const watches = await watch(id, { deadline: 400 });
    expect(watches.at(-1)).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY' });
  });

  it('ends ERROR at once when the merchant key is wrong (SIGN_ERROR), never showing the key', async () => {
    const id = nextId();
    sandbox.createOrder({ outTradeNo: id, totalFee: 1, tradeType: 'NATIVE' });
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const wrong = v3Client(sandbox, { privateKey: otherKey, timeoutMs: 300 });
    const watches = await watch(id, { client: wrong });
    const last = watches.at(-1) as OrderWatch;
    expect(last).toMatchObject({ done: true, end: 'ERROR' });
    expect(JSON.stringify(last)).toContain('SIGN_ERROR');
    expect(JSON.stringify(last)).not.toContain('PRIVATE KEY');
  });
});
