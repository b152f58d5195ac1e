import type { OrderQuery } from '@tradestate/protocol';
import { asyncScheduler, Observable, ReplaySubject, share } from 'rxjs';
import { concernsOrder, isUnverified, sameOrderQuery, type WatchNotification } from '../definition/notification.ts';
import type { OrderWatch } from '../definition/types.ts';
import { WatchEngine } from '../engine/watch-engine.ts';
import { toInboxEntry } from '../stores/inbox.ts';
import type { PersistedOrderSnapshot } from '../stores/snapshot-store.ts';
import { assertMethods, assertQuery } from './validate.ts';
import { assertSettleable, assertWatchOptions, type WatchOptions, watchInput } from './watch-options.ts';

export { type WatchOptions, watchInput } from './watch-options.ts';

/**
 * Options of {@link watchOrder}.
 *
 * @example
 * ```ts
 * const options: WatchOrderOptions = { client, query: { outTradeNo: 'A1' }, schedule: schedules.native, deadline: 60_000 };
 * ```
 */
export interface WatchOrderOptions extends WatchOptions {
  readonly query: OrderQuery;
  /**
   * Notifications about this order; others are ignored. A verified one goes through the machine's guards (a
   * SUCCESS bound to `expect` ends the watch at once); an {@link UnverifiedNotification} only brings the next
   * query forward.
   */
  readonly notifications?: Observable<WatchNotification> | undefined;
  /** Resume from a snapshot a watch persisted (`store.get(queryKey(query))?.snapshot`). */
  readonly snapshot?: PersistedOrderSnapshot | undefined;
}

/**
 * Watches one order to its end. Emits an {@link OrderWatch} at subscribe and on every change, completes
 * after the terminal emission (`done: true`, with `end`). One query in flight at a time; the next starts
 * after the previous answer, at the schedule's delay. Unsubscribing aborts the request in flight. The
 * stream is shared: subscribers at the same time share one watch and one query stream; late subscribers get
 * the latest watch first; when the last one leaves, polling stops (`share` with reset on ref-count zero).
 * A fatal answer (wrong key, NOAUTH, another order's answer, an amount other than `expect`) ends the watch with
 * `end: 'ERROR'` and `error`. The deadline holds even against a client that ignores its abort signal. Options
 * are checked at the call: a bad one throws `InvalidArgumentError`. With a `store` that has an inbox, the watch
 * takes the notifications kept there for its order when it starts.
 *
 * It runs on the same engine as `watchOrders` (one order of it); for a live xstate actor of the same machine
 * (inspection, React), see `createOrderMachine` in `@tradestate/machine/xstate`.
 *
 * @example
 * ```ts
 * const client = createPayClient({ appId, mchId, key });
 * watchOrder({ client, query: { outTradeNo: 'A1' }, schedule: schedules.native, deadline: 60_000, expect: { totalFee: 100 } })
 *   .subscribe((w) => {
 *     if (w.end === 'SUCCESS') ship(w.order);
 *     else if (w.done) console.log('no payment:', w.end);
 *   });
 * ```
 */
export function watchOrder(options: WatchOrderOptions): Observable<OrderWatch> {
  assertWatchOptions(options, 'watchOrder', { client: true, deadline: true });
  assertQuery(options.query, 'watchOrder');
  assertSettleable(options, options.query, 'watchOrder');
  assertMethods(options.notifications, 'watchOrder', 'notifications', ['subscribe'], true);
  const source = new Observable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const inbox = options.store?.inbox;
    let held: { readonly transactionId?: string | undefined } | undefined;
    const engine = new WatchEngine(
      options,
      (watch) => {
        held = watch.order;
        subscriber.next(watch);
      },
      (error) => subscriber.error(error),
      () => {
        // A subscriber that closes the store on completion must find every write of this watch done.
        if (engine.persisted) subscriber.complete();
        else void engine.drained().then(() => subscriber.complete());
      },
    );
    /** Whether an unverified notification names this order (by the query, or by the ids the order has shown). */
    const asksAboutThis = (query: OrderQuery) => {
      const known = held?.transactionId === undefined ? undefined : { transactionId: held.transactionId };
      return sameOrderQuery(query, options.query) || (known !== undefined && sameOrderQuery(query, known));
    };
    const cancel = () => engine.cancelAll();
    options.signal?.addEventListener('abort', cancel, { once: true });
    if (options.snapshot === undefined) engine.start(watchInput(options, { query: options.query }, scheduler));
    else engine.resume(options.snapshot, true);
    // Subscribed after start so a notification already waiting is judged before the first poll answers.
    const notifications = options.notifications?.subscribe({
      next: (notification) => {
        if (isUnverified(notification)) {
          if (asksAboutThis(notification.query)) engine.notify({ kind: 'unverified', query: options.query });
        } else if (concernsOrder(notification, options.query)) {
          // The notify route may have kept it (keepNotification): once judged here it leaves the inbox.
          const entry = inbox === undefined ? undefined : toInboxEntry(notification, scheduler.now());
          engine.notify(notification, entry === undefined ? undefined : () => engine.forget(entry));
        }
      },
    });
    if (options.signal?.aborted) cancel();
    return () => {
      options.signal?.removeEventListener('abort', cancel);
      notifications?.unsubscribe();
      engine.stop();
    };
  });
  return source.pipe(
    share({
      connector: () => new ReplaySubject<OrderWatch>(1),
      resetOnError: true,
      resetOnComplete: false,
      resetOnRefCountZero: true,
    }),
  );
}
