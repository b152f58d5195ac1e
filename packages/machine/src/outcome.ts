import type { Order, OrderQuery, OrderQueryOutcome, TradeState } from '@tradestate/protocol';
import { TradestateError } from '@tradestate/protocol';
import type { StoredOrder, WatchError, WatchOutcome } from './types.ts';

/**
 * A verified notification as `decodeNotification` returns it, or any {@link OrderQueryOutcome} learnt
 * elsewhere (a push from another service, a CloudPay callback). Only verified input belongs here.
 *
 * @example
 * ```ts
 * const n: NotificationInput = decodeNotification(body, { key });
 * ```
 */
export type NotificationInput =
  | OrderQueryOutcome
  | { readonly tradeState: TradeState; readonly order: Order; readonly fields?: Readonly<Record<string, string>> };

/**
 * A notification the notify route could not verify (a bad or missing sign, a body that is not a payment result)
 * but that names an order: not evidence of anything, only a reason to ask WeChat. Given to a watch's
 * `notifications`, it never changes a state; it brings the next query of the order it names forward (to now, but
 * no sooner than 1 s after the previous query started, and not at all while one is in flight), so a flood of
 * forged notifications costs at most one extra query a second per order. Payment switches do the same: a verified
 * webhook is an answer, an unverified one triggers a status sync. The protocol's `readNotificationHint(body)`
 * reads the `query` from such a body without trusting it.
 *
 * @example
 * ```ts
 * const hint: UnverifiedNotification = { kind: 'unverified', query: { outTradeNo: 'A1' } };
 * notifications.next(hint);
 * ```
 */
export interface UnverifiedNotification {
  readonly kind: 'unverified';
  readonly query: OrderQuery;
}

/**
 * What a watch's `notifications` stream carries: verified notifications and outcomes, which go through the
 * machine's guards, and {@link UnverifiedNotification}s, which only bring a query forward.
 *
 * @example
 * ```ts
 * const notifications = new Subject<WatchNotification>();
 * ```
 */
export type WatchNotification = NotificationInput | UnverifiedNotification;

/**
 * Whether a notification is an {@link UnverifiedNotification}.
 *
 * @example
 * ```ts
 * if (isUnverified(n)) console.log('asks about', n.query);
 * ```
 */
export function isUnverified(notification: WatchNotification): notification is UnverifiedNotification {
  return 'kind' in notification && notification.kind === 'unverified';
}

/**
 * Whether two order queries name the same order (by either id both carry).
 *
 * @example
 * ```ts
 * sameOrderQuery({ outTradeNo: 'A1' }, { outTradeNo: 'A1' }); // true
 * ```
 */
export function sameOrderQuery(a: OrderQuery, b: OrderQuery): boolean {
  return (
    (a.outTradeNo !== undefined && a.outTradeNo === b.outTradeNo) ||
    (a.transactionId !== undefined && a.transactionId === b.transactionId)
  );
}

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

/**
 * Converts a client outcome to the machine's JSON-safe {@link WatchOutcome}, dropping the raw fields.
 *
 * @example
 * ```ts
 * actor.send({ type: 'NOTIFY', outcome: toWatchOutcome(await client.queryOrder(q)), at: Date.now() });
 * ```
 */
export function toWatchOutcome(input: NotificationInput): WatchOutcome {
  if (!('kind' in input)) return { kind: 'order', tradeState: input.tradeState, order: toStoredOrder(input.order) };
  switch (input.kind) {
    case 'order':
      return { kind: 'order', tradeState: input.tradeState, order: toStoredOrder(input.order) };
    case 'not-found':
      return { kind: 'not-found', message: input.message };
    case 'error':
      return {
        kind: 'error',
        code: input.code,
        message: input.message,
        retryable: input.retryable,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.wechatMessage === undefined ? {} : { wechatMessage: input.wechatMessage }),
      };
  }
}

/**
 * Reduces anything a query threw to a {@link WatchError}: the stable code, the message (tradestate errors
 * never carry secrets in it) and whether to retry. Unknown throwables are retryable `UNEXPECTED` errors with
 * a generic message, so nothing of unknown origin is persisted.
 *
 * @example
 * ```ts
 * toWatchError(new TransportError('TIMEOUT', 'no answer')); // { code: 'TIMEOUT', message: 'no answer', retryable: true }
 * ```
 */
export function toWatchError(error: unknown): WatchError {
  if (error instanceof TradestateError) return { code: error.code, message: error.message, retryable: error.retryable };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'UNEXPECTED', message: `the client threw ${name}`, retryable: true };
}

/**
 * A stable string key for an order query, used by stores, limiters and `watchOrders` to tell orders apart.
 *
 * @example
 * ```ts
 * queryKey({ outTradeNo: 'A1' }); // 'out_trade_no:A1'
 * ```
 */
export function queryKey(query: OrderQuery): string {
  return query.outTradeNo !== undefined ? `out_trade_no:${query.outTradeNo}` : `transaction_id:${query.transactionId}`;
}

/**
 * Tells whether a verified notification or outcome is about the watched order (used to route one shared
 * notification stream to many watches).
 *
 * @example
 * ```ts
 * concernsOrder(notification, { outTradeNo: 'A1' });
 * ```
 */
export function concernsOrder(input: NotificationInput, query: OrderQuery): boolean {
  const order = 'kind' in input ? (input.kind === 'order' ? input.order : undefined) : input.order;
  if (order === undefined) return false;
  return query.outTradeNo !== undefined
    ? order.outTradeNo === query.outTradeNo
    : order.transactionId === query.transactionId;
}
