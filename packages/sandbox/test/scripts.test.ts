import { createPayClient } from '@tradestate/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';
import { waitFor } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.close());

describe('order scripts over scaled time', () => {
  it('moves NOTPAY → SUCCESS → REFUND at afterMs × timeScale, seen by orderquery', async () => {
    // 1 ms of sandbox time per 100 ms of script: a 60 s script runs in 600 ms.
    sandbox = await startSandbox({ timeScale: 0.01 });
    const created = sandbox.createOrder({
      outTradeNo: 'S1',
      totalFee: 10,
      tradeType: 'NATIVE',
      script: [
        { afterMs: 5_000, tradeState: 'SUCCESS' },
        { afterMs: 20_000, tradeState: 'REFUND' },
      ],
    });
    const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
    const seen: string[] = [];
    const createdAt = Date.parse(created.createdAt);
    for (;;) {
      const outcome = await client.queryOrder({ outTradeNo: 'S1' });
      if (outcome.kind !== 'order' || typeof outcome.tradeState !== 'string') throw new Error('unexpected');
      if (seen.at(-1) !== outcome.tradeState) seen.push(outcome.tradeState);
      if (outcome.tradeState === 'REFUND') {
        // time_end is the scripted instant (to the second), not the instant of the query.
        const paidAt = outcome.order.paidAt?.getTime() ?? 0;
        expect(Math.abs(paidAt - (createdAt + 50))).toBeLessThan(1000);
        break;
      }
      if (Date.now() - createdAt > 5000) throw new Error('script did not run');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seen).toEqual(['NOTPAY', 'SUCCESS', 'REFUND']);
    const order = sandbox.getOrder('S1');
    expect(order?.history.map((h) => h.tradeState)).toEqual(['NOTPAY', 'SUCCESS', 'REFUND']);
    expect(Date.parse(order?.history[1]?.at ?? '') - createdAt).toBe(50);
    expect(Date.parse(order?.history[2]?.at ?? '') - createdAt).toBe(200);
    expect(order?.pendingScript).toEqual([]);
  });

  it('has not applied a step before it is due', async () => {
    sandbox = await startSandbox({ timeScale: 1 });
    sandbox.createOrder({
      outTradeNo: 'S2',
      totalFee: 1,
      tradeType: 'NATIVE',
      script: [{ afterMs: 60_000, tradeState: 'SUCCESS' }],
    });
    expect(sandbox.getOrder('S2')?.tradeState).toBe('NOTPAY');
    expect(sandbox.getOrder('S2')?.pendingScript).toHaveLength(1);
  });

  it('a hand-made change overtaking the script drops the steps that are no longer allowed', async () => {
    sandbox = await startSandbox({ timeScale: 0.001 });
    sandbox.createOrder({
      outTradeNo: 'S3',
      totalFee: 1,
      tradeType: 'NATIVE',
      script: [{ afterMs: 30_000, tradeState: 'SUCCESS' }],
    });
    sandbox.setTradeState('S3', 'CLOSED');
    await waitFor(() => sandbox?.getOrder('S3')?.pendingScript.length === 0);
    expect(sandbox.getOrder('S3')?.history.map((h) => h.tradeState)).toEqual(['NOTPAY', 'CLOSED']);
  });

  it('scales 10,000 scripted orders without a timer each (lazy evaluation on read)', async () => {
    sandbox = await startSandbox({ timeScale: 0.001 });
    for (let i = 0; i < 10_000; i++) {
      sandbox.createOrder({
        outTradeNo: `BULK${i}`,
        totalFee: 1 + (i % 100),
        tradeType: 'NATIVE',
        script: [{ afterMs: i % 2 === 0 ? 1000 : 3_600_000, tradeState: 'SUCCESS' }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const states = sandbox.listOrders().map((o) => o.tradeState);
    expect(states.filter((s) => s === 'SUCCESS')).toHaveLength(5000);
    expect(states.filter((s) => s === 'NOTPAY')).toHaveLength(5000);
  });
});
