import type { Coupon } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { fromStoredOrder, sameStoredOrder, toStoredOrder } from '../src/definition/stored-order.ts';
import type { Anomaly, OrderContext } from '../src/definition/types.ts';
import { createPureStepper } from '../src/engine/pure-step.ts';
import { signatureMatches, toOrderWatch, writeSignature } from '../src/streams/emission.ts';
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

describe('sameStoredOrder', () => {
  it('tells equal orders from orders differing in any field, coupon or field count', () => {
    const base = orderFor('A1', { paidAt, transactionId: '4200000001', coupons: [coupon, { ...coupon, id: 'C2' }] });
    expect(sameStoredOrder(toStoredOrder(base), toStoredOrder({ ...base }))).toBe(true);
    expect(sameStoredOrder(toStoredOrder(base), JSON.parse(JSON.stringify(toStoredOrder(base))))).toBe(true);
    const different = [
      { ...base, totalFee: 2 },
      { ...base, paidAt: new Date(paidAt.getTime() + 1000) },
      { ...base, coupons: [coupon] },
      { ...base, coupons: [coupon, { ...coupon, id: 'C2', fee: 2 }] },
      { ...base, attach: 'extra' },
      { ...base, attach: undefined, openId: undefined },
    ];
    for (const other of different) {
      expect(sameStoredOrder(toStoredOrder(base), toStoredOrder(other))).toBe(false);
      expect(sameStoredOrder(toStoredOrder(other), toStoredOrder(base))).toBe(false);
    }
    expect(sameStoredOrder(undefined, toStoredOrder(base))).toBe(false);
    expect(sameStoredOrder(undefined, undefined)).toBe(true);
  });

  it('lets a watch keep its order object while answers repeat it, and take the new one when it changes', () => {
    const step = createPureStepper();
    const first = step.initial({ query: { outTradeNo: 'A1' }, startedAt: 0, deadlineAt: 60_000, firstQueryAt: 0 });
    let state = { value: first.value, context: first.context };
    const answer = (at: number, totalFee: number) => {
      state = step.advance(state, { type: 'DUE', at });
      state = step.advance(state, {
        type: 'ANSWER',
        outcome: { kind: 'order', tradeState: 'NOTPAY', order: toStoredOrder(orderFor('A1', { totalFee })) },
        at: at + 1,
        nextDelayMs: 1000,
      });
      return state.context.order;
    };
    const kept = answer(0, 100);
    expect(answer(1001, 100)).toBe(kept);
    expect(answer(2002, 100)).toBe(kept);
    const changed = answer(3003, 200);
    expect(changed).not.toBe(kept);
    expect(changed?.totalFee).toBe(200);
  });
});

describe('signatureMatches / writeSignature', () => {
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

  it('still matches when nothing a subscriber sees changed', () => {
    const first = writeSignature(undefined, { NOTPAY: 'waiting' }, context());
    // a new order object, a new due time and another substate are not visible changes
    expect(signatureMatches(first, { NOTPAY: 'querying' }, context({ dueAt: 5_000, consecutiveErrors: 0 }))).toBe(true);
  });

  it('stops matching on each visible change, and records what the emitted watch shows, in place', () => {
    const changes: [Parameters<typeof writeSignature>[1], Partial<OrderContext>][] = [
      [{ USERPAYING: 'waiting' }, { tradeState: 'USERPAYING' }],
      ['SUCCESS', { tradeState: 'SUCCESS' }],
      [{ NOTPAY: 'waiting' }, { attempts: 2 }],
      [{ NOTPAY: 'waiting' }, { lastOutcomeAt: 11 }],
      [{ NOTPAY: 'waiting' }, { anomalies: [anomaly] }],
      [{ NOTPAY: 'waiting' }, { error: { code: 'TIMEOUT', message: 'no answer', retryable: true } }],
    ];
    for (const [value, over] of changes) {
      const first = writeSignature(undefined, { NOTPAY: 'waiting' }, context());
      expect(signatureMatches(first, value, context(over))).toBe(false);
      const next = writeSignature(first, value, context(over));
      expect(next).toBe(first);
      expect(signatureMatches(next, value, context(over))).toBe(true);
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
