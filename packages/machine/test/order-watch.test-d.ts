import type { Order } from '@tradestate/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import type { OrderWatch, WatchEnd, WatchError, WatchErrorCode } from '../src/index.ts';

declare const w: OrderWatch;
declare function ship(order: Order): void;

describe('OrderWatch narrows under strict', () => {
  it('end SUCCESS or REFUND carries the order, not undefined', () => {
    if (w.end === 'SUCCESS') {
      expectTypeOf(w.order).toEqualTypeOf<Order>();
      ship(w.order);
    }
    if (w.end === 'REFUND') expectTypeOf(w.order).toEqualTypeOf<Order>();
  });

  it('done narrows end: watching has none, done has one', () => {
    if (w.done) expectTypeOf(w.end).toEqualTypeOf<WatchEnd>();
    else expectTypeOf(w.end).toEqualTypeOf<undefined>();
  });

  it('paid narrows to a verified order to ship', () => {
    if (w.paid) ship(w.order);
    // @ts-expect-error an order that may be undefined cannot be shipped without narrowing
    ship(w.order);
  });

  it('ERROR carries its error; DEADLINE its reason', () => {
    if (w.end === 'ERROR') expectTypeOf(w.error).toEqualTypeOf<WatchError>();
    if (w.end === 'DEADLINE') expectTypeOf(w.reason).toEqualTypeOf<'NO_ANSWER' | 'UNPAID'>();
    // @ts-expect-error only a DEADLINE end has a reason
    if (w.end === 'CLOSED') void w.reason;
  });

  it('the error code is a union of known codes that still accepts an unknown err_code', () => {
    expectTypeOf<'MISMATCH'>().toExtend<WatchErrorCode>();
    expectTypeOf<'SYSTEMERROR'>().toExtend<WatchErrorCode>();
    expectTypeOf<'SETTLE_UNCONFIRMED'>().toExtend<WatchErrorCode>();
    expectTypeOf<WatchError['code']>().toEqualTypeOf<WatchErrorCode>();
  });
});
