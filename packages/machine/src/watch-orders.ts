import type { OrderQuery } from '@tradestate/protocol';
import { asyncScheduler, type Observable, Observable as RxObservable } from 'rxjs';
import type { NotificationInput } from './outcome.ts';
import type { PersistedOrderSnapshot } from './snapshot-store.ts';
import type { OrderWatch } from './types.ts';
import { WatchEngine } from './watch-engine.ts';
import { type WatchOptions, watchInput } from './watch-order.ts';

/**
 * Options of {@link watchOrders}.
 *
 * @example
 * ```ts
 * const options: WatchOrdersOptions = { client, schedule: schedules.backend, deadline: 7_200_000, limiter };
 * ```
 */
export interface WatchOrdersOptions extends WatchOptions {
  /** Verified notifications about any of the orders; each goes to the watch of the order it names. */
  readonly notifications?: Observable<NotificationInput> | undefined;
}

/**
 * Watches many orders at once, cheaply: each order is an {@link orderMachine} snapshot advanced by xstate's
 * pure `transition` (about half a kilobyte), all waits share one timer, and queries go through the shared
 * `limiter` when given. Emits every order's changes as they happen; completes when `queries$` has completed
 * and every watch has ended. An order already being watched is not added twice. Unsubscribing aborts every
 * query in flight.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ ratePerSecond: 20 });
 * watchOrders(from(unpaidOrderIds).pipe(map((outTradeNo) => ({ outTradeNo }))), {
 *   client, schedule: schedules.backend, deadline: 2 * 3600_000, limiter,
 * }).subscribe((w) => { if (w.done) markOrder(w.query, w.end); });
 * ```
 */
export function watchOrders(queries$: Observable<OrderQuery>, options: WatchOrdersOptions): Observable<OrderWatch> {
  return runWatches(queries$, [], options);
}

/**
 * `watchOrders` plus persisted snapshots to resume (only active ones are); what `resumeWatches` runs on.
 *
 * @example
 * ```ts
 * runWatches(undefined, storedSnapshots, { client, schedule: schedules.backend, deadline: 0 }).subscribe(log);
 * ```
 */
export function runWatches(
  queries$: Observable<OrderQuery> | undefined,
  restored: readonly PersistedOrderSnapshot[],
  options: WatchOrdersOptions,
): Observable<OrderWatch> {
  return new RxObservable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    let inputDone = queries$ === undefined;
    let completing = false;
    const finishIfIdle = () => {
      if (completing || !inputDone || engine.size > 0) return;
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
    const notifications = options.notifications?.subscribe({ next: (n) => engine.notify(n) });
    const cancel = () => engine.cancelAll();
    options.signal?.addEventListener('abort', cancel, { once: true });
    for (const snapshot of restored) {
      if (snapshot.status === 'active') engine.resume(snapshot);
    }
    const input = queries$?.subscribe({
      next: (query) => engine.start(watchInput(options, query, scheduler)),
      error: (error) => subscriber.error(error),
      complete: () => {
        inputDone = true;
        finishIfIdle();
      },
    });
    if (options.signal?.aborted) cancel();
    finishIfIdle();
    return () => {
      options.signal?.removeEventListener('abort', cancel);
      input?.unsubscribe();
      notifications?.unsubscribe();
      engine.stop();
    };
  });
}
