import { type OrderWatch, scaleSchedule, schedules } from '@tradestate/machine';
import { createPayClient, type PayClient, type TradeState } from '@tradestate/protocol';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChargeOptions, chargeAtCounter } from '../src/pos.ts';

// A hundredth of real time: the 45 s window lasts 450 ms, queries come every 50 ms.
const SPEED = 0.01;
let sandbox: Sandbox;
let client: PayClient;
let sequence = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', timeScale: SPEED });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setFaults({}));

/** A micropay that answered USERPAYING, then plays `script` (real-time ms, scaled by the sandbox). */
function scan(script: { afterMs: number; tradeState: TradeState }[]): string {
  sequence += 1;
  const outTradeNo = `POS${sequence}`;
  sandbox.createOrder({ outTradeNo, totalFee: 1500, tradeType: 'MICROPAY', initialState: 'USERPAYING', script });
  return outTradeNo;
}

function charge(outTradeNo: string, options: Partial<ChargeOptions> = {}) {
  return chargeAtCounter({
    client,
    outTradeNo,
    schedule: scaleSchedule(schedules.micropay, SPEED),
    windowMs: 45_000 * SPEED,
    reverseDelayMs: 5,
    ...options,
  });
}

describe('chargeAtCounter', () => {
  it('waits through USERPAYING while the customer types the password, then PAID', async () => {
    const outTradeNo = scan([{ afterMs: 12_000, tradeState: 'SUCCESS' }]);
    const seen: OrderWatch[] = [];
    const result = await charge(outTradeNo, { onChange: (watch) => seen.push(watch) });
    expect(result).toMatchObject({ result: 'PAID', timeline: ['USERPAYING', 'SUCCESS'], reverseCalls: 0 });
    expect(seen.some((watch) => watch.tradeState === 'USERPAYING' && !watch.done)).toBe(true);
    // Queried on the micropay cadence (5 s apart): a few queries, not a busy loop.
    expect(result.queries).toBe(sandbox.getOrder(outTradeNo)?.queries);
    expect(result.queries).toBeGreaterThanOrEqual(2);
    expect(result.queries).toBeLessThanOrEqual(4);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('SUCCESS');
  });

  it('DECLINED on PAYERROR, without reversing', async () => {
    const before = sandbox.counters().byEndpoint['/secapi/pay/reverse'] ?? 0;
    const outTradeNo = scan([{ afterMs: 9000, tradeState: 'PAYERROR' }]);
    const result = await charge(outTradeNo);
    expect(result).toMatchObject({ result: 'DECLINED', timeline: ['USERPAYING', 'PAYERROR'], end: 'PAYERROR' });
    expect(sandbox.counters().byEndpoint['/secapi/pay/reverse'] ?? 0).toBe(before);
  });

  it('reverses the order when the 45 s window closes unpaid, so it cannot be paid late', async () => {
    // The customer confirms at 60 s: too late. After the reversal the order must stay REVOKED.
    const outTradeNo = scan([{ afterMs: 60_000, tradeState: 'SUCCESS' }]);
    const result = await charge(outTradeNo);
    expect(result).toMatchObject({
      result: 'REVERSED',
      end: 'REVOKED',
      timeline: ['USERPAYING', 'REVERSED'],
      reverseCalls: 1,
    });
    // Within the window: the queries came before 45 s, at the 5 s cadence; then one confirmed the reversal.
    expect(result.queries).toBeGreaterThanOrEqual(4);
    expect(result.queries).toBeLessThanOrEqual(10);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('REVOKED');
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the customer's late confirmation
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('REVOKED');
  });

  it('still gets PAID through SYSTEMERROR answers, backing off and asking again', async () => {
    sandbox.setFaults({ systemError: 0.4 });
    const outTradeNo = scan([{ afterMs: 10_000, tradeState: 'SUCCESS' }]);
    const result = await charge(outTradeNo);
    expect(result.result).toBe('PAID');
    expect(sandbox.counters().faultsInjected.systemError).toBeGreaterThan(0);
  });

  it('NEEDS_ATTENTION when the reversal itself is refused (here: a wrong key for reverse)', async () => {
    const outTradeNo = scan([]);
    const wrongKey = createPayClient({ ...defaultMerchant, key: 'e'.repeat(32), baseURL: sandbox.url });
    const result = await charge(outTradeNo, { client: { ...client, reverseOrder: wrongKey.reverseOrder } });
    expect(result).toMatchObject({ result: 'NEEDS_ATTENTION', end: 'ERROR', reverseCalls: 1 });
    expect(result.timeline).toEqual(['USERPAYING']);
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('USERPAYING');
  });

  it('CANCELLED when WeChat says the order was already revoked', async () => {
    const outTradeNo = scan([{ afterMs: 6000, tradeState: 'REVOKED' }]);
    const result = await charge(outTradeNo);
    expect(result).toMatchObject({ result: 'CANCELLED', end: 'REVOKED', reverseCalls: 0 });
  });
});

describe('chargeAtCounter cancelled by the cashier', () => {
  it('stops querying and reverses the order', async () => {
    const outTradeNo = scan([{ afterMs: 30_000, tradeState: 'SUCCESS' }]);
    const controller = new AbortController();
    const result = await charge(outTradeNo, {
      signal: controller.signal,
      onChange: (watch) => {
        if (watch.tradeState === 'USERPAYING') controller.abort();
      },
    });
    // One query before the cashier cancelled, one that confirmed the reversal.
    expect(result).toMatchObject({ result: 'REVERSED', end: 'CANCELLED', reverseCalls: 1, queries: 2 });
    expect(sandbox.getOrder(outTradeNo)?.tradeState).toBe('REVOKED');
  });
});
