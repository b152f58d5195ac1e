import type { Order } from '@tradestate/protocol';
import type { StoredOrder } from './types.ts';

/**
 * Converts an {@link Order} to its JSON-safe form for the machine's context, keeping only the fields that
 * are set: a watch holds its order for its whole life, and most of the 25 fields are usually absent.
 *
 * @example
 * ```ts
 * toStoredOrder(order).paidAt; // '2026-11-27T06:00:00.000Z'
 * ```
 */
export function toStoredOrder(order: Order): StoredOrder {
  const stored: Record<string, unknown> = { outTradeNo: order.outTradeNo, transactionId: order.transactionId };
  for (const name in order) {
    const value = order[name as keyof Order];
    if (value === undefined) continue;
    if (name === 'paidAt') stored.paidAt = (value as Date).toISOString();
    else if (name !== 'coupons' || (value as readonly unknown[]).length > 0) stored[name] = value;
  }
  return stored as StoredOrder;
}

/**
 * Whether two stored orders hold the same fields and values (coupons compared one by one). The machine keeps
 * the order it has when an answer repeats it: a watch's order then lives as long as the watch instead of
 * being replaced, and promoted to the old generation, by every poll.
 *
 * @example
 * ```ts
 * sameStoredOrder(toStoredOrder(order), toStoredOrder(order)); // true
 * ```
 */
export function sameStoredOrder(a: StoredOrder | undefined, b: StoredOrder | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let count = 0;
  for (const name in a) {
    count++;
    const x = a[name as keyof StoredOrder];
    const y = b[name as keyof StoredOrder];
    if (x === y) continue;
    if (name !== 'coupons' || !sameCoupons(x as StoredOrder['coupons'], y as StoredOrder['coupons'])) return false;
  }
  for (const _ in b) count--;
  return count === 0;
}

function sameCoupons(a: StoredOrder['coupons'], b: StoredOrder['coupons']): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.id !== y.id || x.type !== y.type || x.fee !== y.fee) return false;
  }
  return true;
}

/**
 * Converts a stored order back to a complete {@link Order} (`paidAt` a `Date` again, every absent field
 * `undefined`, `coupons` an empty list when absent), whether it came from {@link toStoredOrder} or from a
 * persisted snapshot.
 *
 * @example
 * ```ts
 * fromStoredOrder(snapshot.context.order!).paidAt instanceof Date; // true when paid
 * ```
 */
export function fromStoredOrder(order: StoredOrder): Order {
  return {
    appId: order.appId,
    mchId: order.mchId,
    subAppId: order.subAppId,
    subMchId: order.subMchId,
    deviceInfo: order.deviceInfo,
    openId: order.openId,
    isSubscribe: order.isSubscribe,
    subOpenId: order.subOpenId,
    subIsSubscribe: order.subIsSubscribe,
    tradeType: order.tradeType,
    bankType: order.bankType,
    totalFee: order.totalFee,
    settlementTotalFee: order.settlementTotalFee,
    feeType: order.feeType,
    cashFee: order.cashFee,
    cashFeeType: order.cashFeeType,
    couponFee: order.couponFee,
    couponCount: order.couponCount,
    coupons: order.coupons ?? [],
    transactionId: order.transactionId,
    outTradeNo: order.outTradeNo,
    attach: order.attach,
    timeEnd: order.timeEnd,
    paidAt: order.paidAt === undefined ? undefined : new Date(order.paidAt),
    tradeStateDesc: order.tradeStateDesc,
  };
}
