import type { OrderQuery } from '@tradestate/protocol';
import { isUnverified, type NotificationInput, type WatchNotification } from '../definition/notification.ts';
import { queryKey, toWatchOutcome } from '../definition/outcome.ts';
import { fail } from '../streams/validate.ts';
import type { KeptNotification, NotificationInbox, SnapshotStore } from './snapshot-store.ts';

/**
 * A notification as the inbox keeps it, with its key: the {@link queryKey} of its `out_trade_no` (every payment
 * result names one), else of its `transaction_id`.
 *
 * @example
 * ```ts
 * const entry: InboxEntry = { key: 'out_trade_no:A1', kept };
 * ```
 * @internal
 */
export interface InboxEntry {
  readonly key: string;
  readonly kept: KeptNotification;
}

/**
 * The inbox entry of a verified notification, or `undefined` for what the inbox does not keep (an unverified
 * notification, a not-found or error outcome, an order naming neither id).
 *
 * @example
 * ```ts
 * toInboxEntry(notification, Date.now())?.key; // 'out_trade_no:A1'
 * ```
 * @internal
 */
export function toInboxEntry(notification: WatchNotification, at: number): InboxEntry | undefined {
  if (isUnverified(notification)) return undefined;
  const outcome = toWatchOutcome(notification);
  if (outcome.kind !== 'order') return undefined;
  const { outTradeNo, transactionId } = outcome.order;
  const query: OrderQuery | undefined =
    outTradeNo !== undefined ? { outTradeNo } : transactionId !== undefined ? { transactionId } : undefined;
  return query === undefined ? undefined : { key: queryKey(query), kept: { outcome, receivedAt: at } };
}

/** Whether a kept notification is about the order `query` names. */
function concerns(kept: KeptNotification, query: OrderQuery): boolean {
  const { order } = kept.outcome;
  return query.outTradeNo !== undefined
    ? order.outTradeNo === query.outTradeNo
    : order.transactionId === query.transactionId;
}

/**
 * What the inbox keeps about the order `query` names: by key for an `out_trade_no`; for a `transaction_id`, by
 * reading the whole inbox (notifications are kept under their `out_trade_no`, and an inbox is small).
 *
 * @example
 * ```ts
 * const entries = await keptFor(store.inbox, { outTradeNo: 'A1' });
 * ```
 * @internal
 */
export function keptFor(
  inbox: NotificationInbox,
  query: OrderQuery,
): readonly InboxEntry[] | Promise<readonly InboxEntry[]> {
  if (query.outTradeNo !== undefined) {
    const key = queryKey(query);
    return settled(inbox.get(key), (list) => list.map((kept) => ({ key, kept })));
  }
  return settled(inbox.list(), (list) =>
    list.filter(([, kept]) => concerns(kept, query)).map(([key, kept]) => ({ key, kept })),
  );
}

/** `map` over a value that may be a promise, synchronously when it is not (a synchronous store stays synchronous). */
export function settled<T, U>(value: T | PromiseLike<T>, map: (value: T) => U): U | Promise<U> {
  return isThenable(value) ? Promise.resolve(value).then(map) : map(value);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * Keeps a verified notification in the store's inbox (memory and SQLite stores have one) and resolves once it is
 * durably kept: from then on the notify route may answer SUCCESS to WeChat (which then stops resending), because
 * the payment is no longer only in this process's memory. Then hand the notification to the watches'
 * `notifications` stream as well: a live watch of the order believes it (through the same guards as a poll
 * answer) and drops it from the inbox; if none holds it, it stays kept until a watch of that order starts with
 * the store, or `resumeWatches` takes it (a late payment after a watch ended `DEADLINE` is thus not lost: see
 * `resumeWatches`). A duplicate is kept once.
 *
 * Only what the route verified belongs here (`decodeNotification`'s result, bound to the merchant and, where
 * the route knows it, the amount: a notification that outlived its watch meets no `expect` but the route's).
 * Throws `InvalidArgumentError` for a store without an inbox, or for what is not a verified order (an
 * {@link UnverifiedNotification}, a not-found or error outcome).
 *
 * @example
 * ```ts
 * app.post('/wechatpay/notify', async (req, res) => {
 *   const notification = decodeNotification(req.body, { key, expect: { mchId, appId } });
 *   await keepNotification(store, notification); // durable now
 *   notifications.next(notification);
 *   res.end(notificationReply(true));
 * });
 * ```
 */
export async function keepNotification(store: SnapshotStore, notification: NotificationInput): Promise<void> {
  const inbox = store?.inbox;
  if (inbox === undefined) {
    fail(
      'keepNotification',
      'the store must have an inbox (createMemorySnapshotStore, createSqliteSnapshotStore)',
      store,
    );
  }
  const order = (notification as { order?: unknown } | null | undefined)?.order;
  const entry =
    typeof order === 'object' && order !== null
      ? toInboxEntry(notification as WatchNotification, Date.now())
      : undefined;
  if (entry === undefined) {
    fail('keepNotification', 'only a verified notification about an order (with out_trade_no) is kept', notification);
  }
  await inbox.put(entry.key, entry.kept);
}
