import { InvalidArgumentError, TRADE_STATES, type TradeState } from '@tradestate/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox, TransitionRefusedError, UnknownOrderError } from '../src/index.ts';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.close());

let n = 0;
function orderIn(state: TradeState, tradeType: 'NATIVE' | 'MICROPAY'): string {
  const outTradeNo = `T${++n}`;
  const paths: Record<TradeState, TradeState[]> = {
    NOTPAY: [],
    SUCCESS: ['SUCCESS'],
    REFUND: ['SUCCESS', 'REFUND'],
    CLOSED: ['CLOSED'],
    ACCEPT: ['ACCEPT'],
    USERPAYING: ['USERPAYING'],
    PAYERROR: ['USERPAYING', 'PAYERROR'],
    REVOKED: ['USERPAYING', 'REVOKED'],
  };
  sandbox.createOrder({ outTradeNo, totalFee: 1, tradeType });
  for (const step of paths[state]) sandbox.setTradeState(outTradeNo, step);
  return outTradeNo;
}

// What WeChat allows, written out as a table independent of the implementation's.
const ALLOWED: Record<'NATIVE' | 'MICROPAY', Partial<Record<TradeState, TradeState[]>>> = {
  NATIVE: {
    NOTPAY: ['SUCCESS', 'CLOSED', 'ACCEPT'],
    ACCEPT: ['SUCCESS', 'CLOSED'],
    SUCCESS: ['REFUND'],
    REFUND: [],
    CLOSED: [],
  },
  MICROPAY: {
    NOTPAY: ['SUCCESS', 'CLOSED', 'ACCEPT', 'USERPAYING', 'PAYERROR', 'REVOKED'],
    USERPAYING: ['SUCCESS', 'PAYERROR', 'REVOKED'],
    ACCEPT: ['SUCCESS', 'CLOSED'],
    SUCCESS: ['REFUND', 'REVOKED'],
    PAYERROR: ['REVOKED'],
    REFUND: [],
    CLOSED: [],
    REVOKED: [],
  },
};

describe('only the transitions WeChat makes', () => {
  for (const tradeType of ['NATIVE', 'MICROPAY'] as const) {
    for (const [from, allowed] of Object.entries(ALLOWED[tradeType]) as [TradeState, TradeState[]][]) {
      it(`${tradeType} from ${from}`, () => {
        for (const to of TRADE_STATES) {
          if (to === from) continue;
          const id = orderIn(from, tradeType);
          if (allowed.includes(to)) {
            expect(sandbox.setTradeState(id, to).tradeState).toBe(to);
          } else {
            expect(() => sandbox.setTradeState(id, to), `${from} -> ${to}`).toThrow(TransitionRefusedError);
            expect(sandbox.getOrder(id)?.tradeState).toBe(from);
          }
        }
      });
    }
  }

  it('setting the current state again is a no-op, not a new history entry', () => {
    const id = orderIn('SUCCESS', 'NATIVE');
    const order = sandbox.setTradeState(id, 'SUCCESS');
    expect(order.history.map((h) => h.tradeState)).toEqual(['NOTPAY', 'SUCCESS']);
  });

  it('a refused transition is an InvalidArgumentError that names the states', () => {
    const id = orderIn('SUCCESS', 'NATIVE');
    try {
      sandbox.setTradeState(id, 'NOTPAY');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(/SUCCESS to NOTPAY/);
    }
  });

  it('an unknown order is an UnknownOrderError', () => {
    expect(() => sandbox.setTradeState('NOPE', 'SUCCESS')).toThrow(UnknownOrderError);
    expect(sandbox.getOrder('NOPE')).toBeUndefined();
  });
});

describe('createOrder checks its spec', () => {
  const base = { outTradeNo: 'OK1', totalFee: 1, tradeType: 'NATIVE' as const };
  const bad: [string, object][] = [
    ['outTradeNo', { outTradeNo: 'has space' }],
    ['outTradeNo', { outTradeNo: 'x'.repeat(33) }],
    ['totalFee', { totalFee: 0 }],
    ['totalFee', { totalFee: 1.5 }],
    ['totalFee', { totalFee: '1' }],
    ['tradeType', { tradeType: 'CARD' }],
    ['merchant', { mchId: '999' }],
    ['sub-merchant', { subMchId: '1900000110' }],
    ['subAppId', { subAppId: 'wx1' }],
    ['coupons', { coupons: [{ fee: 2 }] }],
    ['coupons', { coupons: [{ fee: 0 }] }],
    ['notifyUrl', { notifyUrl: 'ftp://x/y' }],
    ['notifyUrl', { notifyUrl: 'not a url' }],
    ['start', { initialState: 'REFUND' }],
    ['start', { initialState: 'USERPAYING' }],
    [
      'script',
      {
        script: [
          { afterMs: 10, tradeState: 'SUCCESS' },
          { afterMs: 5, tradeState: 'REFUND' },
        ],
      },
    ],
    [
      'script',
      {
        script: [
          { afterMs: 10, tradeState: 'SUCCESS' },
          { afterMs: 20, tradeState: 'NOTPAY' },
        ],
      },
    ],
    ['script', { script: [{ afterMs: 10, tradeState: 'REVOKED' }] }],
    ['script', { script: [{ afterMs: 10, tradeState: 'PAID' }] }],
    ['feeType', { feeType: 'yuan' }],
    ['attach', { attach: 'a'.repeat(128) }],
  ];
  for (const [what, override] of bad) {
    it(`refuses a bad ${what}: ${JSON.stringify(override).slice(0, 60)}`, () => {
      expect(() => sandbox.createOrder({ ...base, ...override } as never)).toThrow(InvalidArgumentError);
      expect(sandbox.listOrders()).toEqual([]);
    });
  }

  it('refuses a duplicate outTradeNo for the same merchant', () => {
    sandbox.createOrder(base);
    expect(() => sandbox.createOrder(base)).toThrow(/already exists/);
  });

  it('accepts a MICROPAY order starting in USERPAYING and a scripted path to REVOKED', () => {
    const order = sandbox.createOrder({
      outTradeNo: 'MP1',
      totalFee: 1,
      tradeType: 'MICROPAY',
      initialState: 'USERPAYING',
      script: [
        { afterMs: 1000, tradeState: 'PAYERROR' },
        { afterMs: 2000, tradeState: 'REVOKED' },
      ],
    });
    expect(order.tradeState).toBe('USERPAYING');
    expect(order.pendingScript.map((s) => s.tradeState)).toEqual(['PAYERROR', 'REVOKED']);
  });
});
