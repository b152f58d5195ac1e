import type { OrderQueryClient } from '@tradestate/protocol';
import { defer, type Observable, switchMap } from 'rxjs';
import type { OrderWatch } from '../definition/types.ts';
import type { InboxEntry } from '../stores/inbox.ts';
import type { SnapshotStore } from '../stores/snapshot-store.ts';
import { assertMethods } from './validate.ts';
import { assertWatchOptions, type WatchOptions } from './watch-options.ts';
import { runWatches, type WatchOrdersOptions } from './watch-orders.ts';

/**
 * Options of {@link resumeWatches}: those of `watchOrders` without the ones a stored watch already carries
 * (its query, deadline and `expect` live in the snapshot). `deadline` (default 0) and `expect` serve only the
 * watches started from kept notifications.
 *
 * @example
 * ```ts
 * const options: ResumeWatchesOptions = { schedule: schedules.backend, limiter };
 * ```
 */
export type ResumeWatchesOptions = Omit<WatchOrdersOptions, 'client' | 'store' | 'deadline'> &
  Partial<Pick<WatchOptions, 'deadline'>>;

/**
 * Resumes every watch a store holds, after a restart: each continues where its snapshot stopped (a pending
 * wait keeps its due time, a query that was in flight is asked again, deadlines and expectations stay as they
 * were), on one merged stream, with the same store kept up to date. Stored watches that had already ended are
 * skipped.
 *
 * It also empties the store's notification inbox: a kept notification for a resumed order is judged by that
 * watch (the same guards as ever); one for an order with no stored watch (it came while nothing watched the
 * order: a payment that landed after its watch ended `DEADLINE`, or before a restart) starts a watch of its own
 * from the notification, which ends at once with what it says: `end: 'SUCCESS'` with the verified `order` for a
 * payment result, on this same stream. Such a watch has no `expect` of its own (the watch that had one ended)
 * unless `options.expect` is given: check the amount at the notify route (`decodeNotification`'s `expect`) or
 * compare `w.order.totalFee` with the order before shipping. A non-final outcome kept that way (one learnt
 * elsewhere) is watched until `options.deadline` (default 0: it then ends `DEADLINE` at once). Each kept
 * notification is dropped from the inbox only after the watch that took it was written to the store.
 *
 * @example
 * ```ts
 * const store = createSqliteSnapshotStore('watches.db');
 * resumeWatches(store, client, { schedule: schedules.backend, limiter }).subscribe((w) => {
 *   if (w.done) settle(w.query, w.end, w.order); // a late payment arrives here as SUCCESS too
 * });
 * ```
 */
export function resumeWatches(
  store: SnapshotStore,
  client: OrderQueryClient,
  options: ResumeWatchesOptions,
): Observable<OrderWatch> {
  assertMethods(store, 'resumeWatches', 'store', ['get', 'set', 'delete', 'list']);
  assertWatchOptions({ ...options, client }, 'resumeWatches', { client: true, deadline: false });
  const inbox = store.inbox;
  const read = async () => {
    const entries = await store.list();
    const kept: InboxEntry[] = (await (inbox?.list() ?? [])).map(([key, notification]) => ({
      key,
      kept: notification,
    }));
    return { entries, kept };
  };
  return defer(read).pipe(
    switchMap(({ entries, kept }) =>
      runWatches(
        undefined,
        entries.map(([, entry]) => entry.snapshot),
        { ...options, deadline: options.deadline ?? 0, client, store },
        kept,
      ),
    ),
  );
}
