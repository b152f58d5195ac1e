import type { Order, OrderQuery, OrderQueryOutcome, TradeState } from '@tradestate/protocol';

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
