import type { OrderQuery } from '@tradestate/protocol';
import { asyncScheduler, type Observable, Observable as RxObservable } from 'rxjs';
import type { WatchNotification } from '../definition/notification.ts';
import type { OrderWatch } from '../definition/types.ts';
import { WatchEngine } from '../engine/watch-engine.ts';
import type { InboxEntry } from '../stores/inbox.ts';
import type { PersistedOrderSnapshot } from '../stores/snapshot-store.ts';
import { assertMethods } from './validate.ts';
import {
  assertWatchOptions,
  toWatchRequest,
  type WatchOptions,
  type WatchRequest,
  watchInput,
} from './watch-options.ts';

/**
 * Options of {@link watchOrders}.
 *
 * @example
 * ```ts
 * const options: WatchOrdersOptions = { client, schedule: schedules.backend, deadline: 7_200_000, limiter };
 * ```
 */
export interface WatchOrdersOptions extends WatchOptions {
  /**
   * Notifications about any of the orders; each goes to the watch of the order it names. Verified ones go through
   * the machine's guards; an {@link UnverifiedNotification} only brings that order's next query forward. With a
   * `store` that has an inbox, a verified one for an order no watch holds is kept there (see `keepNotification`):
   * so give one store's notifications to one `watchOrders` (several sharing a store and a stream would each keep
   * what another one holds, and `resumeWatches` would later end that order a second time).
   */
  readonly notifications?: Observable<WatchNotification> | undefined;
}

/**
 * Watches many orders at once, cheaply: each order is an {@link orderMachine} snapshot advanced by xstate's
 * pure `transition` (about half a kilobyte), all waits share one timer, and queries go through the shared
 * `limiter` when given. `queries$` emits bare queries or {@link WatchRequest}s (a query with its own `expect`
 * and `deadline`). Emits every order's changes as they happen; completes when `queries$` has completed and every
 * watch has ended. An order already being watched is not added twice. Unsubscribing aborts every query in
 * flight. Options are checked at the call (`InvalidArgumentError`); a request that is not valid errors the
 * stream with `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ ratePerSecond: 20 });
 * watchOrders(from(unpaid).pipe(map((o) => ({ query: { outTradeNo: o.id }, expect: { totalFee: o.fen } }))), {
 *   client, schedule: schedules.backend, deadline: 2 * 3600_000, limiter,
 * }).subscribe((w) => { if (w.done) markOrder(w.query, w.end); });
 * ```
 */
export function watchOrders(
  queries$: Observable<OrderQuery | WatchRequest>,
  options: WatchOrdersOptions,
): Observable<OrderWatch> {
  assertWatchOptions(options, 'watchOrders', { client: true, deadline: true });
  assertMethods(queries$, 'watchOrders', 'queries$', ['subscribe']);
  assertMethods(options.notifications, 'watchOrders', 'notifications', ['subscribe'], true);
  return runWatches(queries$, [], options);
}

/**
 * `watchOrders` plus persisted snapshots to resume (only active ones are) and kept notifications to hand over;
 * what `resumeWatches` runs on. A kept notification goes to the resumed watch of its order; for an order with
 * no watch, a watch is started from it (see `resumeWatches`).
 *
 * @example
 * ```ts
 * runWatches(undefined, storedSnapshots, { client, schedule: schedules.backend, deadline: 0 }, kept).subscribe(log);
 * ```
 * @internal
 */
export function runWatches(
  queries$: Observable<OrderQuery | WatchRequest> | undefined,
  restored: readonly PersistedOrderSnapshot[],
  options: WatchOrdersOptions,
  kept: readonly InboxEntry[] = [],
): Observable<OrderWatch> {
  return new RxObservable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    // Nothing completes while the restored watches and kept notifications are being set up: one of them may end at once.
    let settingUp = true;
    let inputDone = queries$ === undefined;
    let completing = false;
    const finishIfIdle = () => {
      if (settingUp || completing || !inputDone || engine.size > 0) return;
      completing = true;
      // A subscriber that closes the store on completion must find the last ended watch's entry deleted.
      if (engine.persisted) subscriber.complete();
      else void engine.drained().then(() => subscriber.complete());
    };
    const engine = new WatchEngine(
      options,
      (watch) => subscriber.next(watch),
      (error) => subscriber.error(error),
      finishIfIdle,
    );
    const notifications = options.notifications?.subscribe({ next: (n) => engine.deliver(n) });
    const cancel = () => engine.cancelAll();
    options.signal?.addEventListener('abort', cancel, { once: true });
    for (const snapshot of restored) {
      if (snapshot.status === 'active') engine.resume(snapshot);
    }
    for (const entry of kept) {
      if (engine.take(entry)) continue;
      // No watch holds this order: one is started from the notification (a late payment ends it at once).
      const { order } = entry.kept.outcome;
      const query: OrderQuery | undefined =
        order.outTradeNo !== undefined
          ? { outTradeNo: order.outTradeNo }
          : order.transactionId !== undefined
            ? { transactionId: order.transactionId }
            : undefined;
      if (query === undefined) continue;
      engine.start(watchInput(options, { query }, scheduler), false);
      engine.take(entry);
    }
    const input = queries$?.subscribe({
      next: (item) => {
        let request: WatchRequest;
        try {
          request = toWatchRequest(item, 'watchOrders', options);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        engine.start(watchInput(options, request, scheduler));
      },
      error: (error) => subscriber.error(error),
      complete: () => {
        inputDone = true;
        finishIfIdle();
      },
    });
    if (options.signal?.aborted) cancel();
    settingUp = false;
    finishIfIdle();
    return () => {
      options.signal?.removeEventListener('abort', cancel);
      input?.unsubscribe();
      notifications?.unsubscribe();
      engine.stop();
    };
  });
}
