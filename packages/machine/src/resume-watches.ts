import type { OrderQueryClient } from '@tradestate/protocol';
import { from, type Observable, switchMap } from 'rxjs';
import type { SnapshotStore } from './snapshot-store.ts';
import type { OrderWatch } from './types.ts';
import type { WatchOptions } from './watch-order.ts';
import { runWatches, type WatchOrdersOptions } from './watch-orders.ts';

/**
 * Options of {@link resumeWatches}: those of `watchOrders` without the ones a stored watch already carries
 * (its query and deadline live in the snapshot).
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
 * wait keeps its due time, a query that was in flight is asked again, deadlines stay as they were), on one
 * merged stream, with the same store kept up to date. Stored watches that had already ended are skipped.
 *
 * @example
 * ```ts
 * const store = createSqliteSnapshotStore('watches.db');
 * resumeWatches(store, client, { schedule: schedules.backend, limiter }).subscribe((w) => {
 *   if (w.done) settle(w.query, w.end);
 * });
 * ```
 */
export function resumeWatches(
  store: SnapshotStore,
  client: OrderQueryClient,
  options: ResumeWatchesOptions,
): Observable<OrderWatch> {
  return from(Promise.resolve(store.list())).pipe(
    switchMap((entries) =>
      runWatches(
        undefined,
        entries.map(([, entry]) => entry.snapshot),
        // The deadline of a resumed watch is in its snapshot; this one only serves type completeness.
        { ...options, deadline: options.deadline ?? 0, client, store },
      ),
    ),
  );
}
