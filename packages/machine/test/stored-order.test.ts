import type { Coupon } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { toOrderWatch, watchSignature } from '../src/order-watch.ts';
import { fromStoredOrder, toStoredOrder } from '../src/outcome.ts';
import type { Anomaly, OrderContext } from '../src/types.ts';
import { orderFor } from './fixtures.ts';

const paidAt = new Date('2026-11-27T06:00:00.000Z');
const coupon: Coupon = { id: 'C1', type: 'CASH', fee: 1 };

describe('toStoredOrder / fromStoredOrder', () => {
  it('keeps only the fields that are set (plus the two identities), and an empty coupon list not at all', () => {
    const stored = toStoredOrder(orderFor('A1', { paidAt }));
    expect(Object.keys(stored).sort()).toEqual(
      [
        'appId',
        'feeType',
        'isSubscribe',
        'mchId',
        'openId',
        'outTradeNo',
        'paidAt',
        'totalFee',
        'tradeType',
        'transactionId',
      ].sort(),
    );
    expect(stored.paidAt).toBe('2026-11-27T06:00:00.000Z');
    expect(stored.isSubscribe).toBe(false);
    expect('coupons' in stored).toBe(false);
    expect(toStoredOrder(orderFor('A2', { coupons: [coupon] })).coupons).toEqual([coupon]);
  });

  it('gives back the complete Order, every key present, also from a JSON round trip of a persisted order', () => {
    const order = orderFor('A1', { paidAt, transactionId: '4200000001', coupons: [coupon] });
    for (const stored of [toStoredOrder(order), JSON.parse(JSON.stringify(toStoredOrder(order)))]) {
      const back = fromStoredOrder(stored);
      expect(back).toStrictEqual(order);
      expect(Object.keys(back).sort()).toEqual(Object.keys(order).sort());
    }
    const bare = fromStoredOrder(JSON.parse(JSON.stringify(toStoredOrder(orderFor('A3')))));
    expect(bare.coupons).toEqual([]);
    expect(bare.paidAt).toBeUndefined();
    expect('tradeStateDesc' in bare).toBe(true);
  });
});

describe('watchSignature', () => {
  const context = (over: Partial<OrderContext> = {}): OrderContext =>
    ({
      query: { outTradeNo: 'A1' },
      startedAt: 0,
      deadlineAt: 60_000,
      dueAt: 0,
      notFoundGraceMs: 0,
      followRefunds: false,
      attempts: 1,
      consecutiveErrors: 0,
      tradeState: 'NOTPAY',
      order: toStoredOrder(orderFor('A1')),
      notFoundSince: undefined,
      lastOutcomeAt: 10,
      anomalies: [],
      error: undefined,
      ...over,
    }) as OrderContext;
  const anomaly: Anomaly = { kind: 'backwards', source: 'poll', at: 20, from: 'SUCCESS', to: 'NOTPAY' };

  it('is the previous signature itself when nothing a subscriber sees changed', () => {
    const first = watchSignature({ NOTPAY: 'waiting' }, context(), undefined);
    // a new order object, a new due time and another substate are not visible changes
    const again = watchSignature({ NOTPAY: 'querying' }, context({ dueAt: 5_000, consecutiveErrors: 0 }), first);
    expect(again).toBe(first);
  });

  it('is a new signature on each visible change, with what the emitted watch shows', () => {
    const first = watchSignature({ NOTPAY: 'waiting' }, context(), undefined);
    const changes: [Parameters<typeof watchSignature>[0], Partial<OrderContext>][] = [
      [{ USERPAYING: 'waiting' }, { tradeState: 'USERPAYING' }],
      ['SUCCESS', { tradeState: 'SUCCESS' }],
      [{ NOTPAY: 'waiting' }, { attempts: 2 }],
      [{ NOTPAY: 'waiting' }, { lastOutcomeAt: 11 }],
      [{ NOTPAY: 'waiting' }, { anomalies: [anomaly] }],
      [{ NOTPAY: 'waiting' }, { error: { code: 'TIMEOUT', message: 'no answer', retryable: true } }],
    ];
    for (const [value, over] of changes) {
      const next = watchSignature(value, context(over), first);
      expect(next).not.toBe(first);
      const watch = toOrderWatch(value, context(over));
      expect(next).toEqual({
        tradeState: watch.tradeState,
        end: watch.end,
        attempts: watch.attempts,
        anomalyCount: watch.anomalies.length,
        lastAnomaly: watch.anomalies.at(-1),
        error: watch.error,
        lastOutcomeAt: watch.lastOutcomeAt,
      });
    }
  });
});
