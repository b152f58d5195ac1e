import { createPayClient } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001 });
});
afterAll(() => sandbox.close());

describe('many concurrent queries over keep-alive', () => {
  it('answers 1,000 queries, 100 at a time, each about the order asked and counted once', async () => {
    const orders = 200;
    for (let i = 0; i < orders; i++) {
      sandbox.createOrder({
        outTradeNo: `C${i}`,
        totalFee: 1 + i,
        tradeType: 'NATIVE',
        ...(i % 2 === 0 ? { script: [{ afterMs: 1000, tradeState: 'SUCCESS' as const }] } : {}),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
    let next = 0;
    const wrong: string[] = [];
    const worker = async () => {
      while (next < 1000) {
        const i = next++ % orders;
        const outcome = await client.queryOrder({ outTradeNo: `C${i}` });
        const expected = i % 2 === 0 ? 'SUCCESS' : 'NOTPAY';
        if (outcome.kind !== 'order' || outcome.tradeState !== expected || outcome.order.totalFee !== 1 + i) {
          wrong.push(`C${i}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    expect(wrong).toEqual([]);
    const counters = sandbox.counters();
    expect(counters.requests).toBe(1000);
    expect(counters.byAnswer).toEqual({ SUCCESS: 500, NOTPAY: 500 });
    expect(Object.values(counters.queriesByOrder).every((n) => n === 5)).toBe(true);
  });
});
