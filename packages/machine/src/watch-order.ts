import type { OrderQuery } from '@tradestate/protocol';
import { asyncScheduler, Observable, ReplaySubject, share } from 'rxjs';
import { createActor, type InspectionEvent, type Snapshot, type Observer as XObserver } from 'xstate';
import { bindWatchDependencies } from './actors.ts';
import { type InboxEntry, keptFor, toInboxEntry } from './inbox.ts';
import { orderMachine } from './machine.ts';
import { toOrderWatch, watchChanged } from './order-watch.ts';
import {
  concernsOrder,
  isUnverified,
  queryKey,
  sameOrderQuery,
  toWatchOutcome,
  type WatchNotification,
} from './outcome.ts';
import { createPersister } from './persister.ts';
import type { PersistedOrderSnapshot } from './snapshot-store.ts';
import type { OrderEvent, OrderWatch } from './types.ts';
import { assertMethods, assertQuery } from './validate.ts';
import { assertWatchOptions, type WatchOptions, watchInput } from './watch-options.ts';

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
  /** Xstate inspection of the live actor (Stately's inspector format). */
  readonly inspect?: ((event: InspectionEvent) => void) | XObserver<InspectionEvent> | undefined;
  /** Resume from a snapshot a live watch persisted (`store.get(queryKey(query))?.snapshot`). */
  readonly snapshot?: PersistedOrderSnapshot | undefined;
}

/**
 * Watches one order to its end. Emits an {@link OrderWatch} at subscribe and on every change, completes
 * after the terminal emission (`done: true`, with `end`). One query in flight at a time; the next starts
 * after the previous answer, at the schedule's delay. Unsubscribing aborts the request in flight. The
 * stream is shared: subscribers at the same time share one actor and one query stream; late subscribers get
 * the latest watch first; when the last one leaves, polling stops (`share` with reset on ref-count zero).
 * A fatal answer (wrong key, NOAUTH, another order's answer, an amount other than `expect`) ends the watch with
 * `end: 'ERROR'` and `error`. The deadline holds even against a client that ignores its abort signal. Options
 * are checked at the call: a bad one throws `InvalidArgumentError`. With a `store` that has an inbox, the watch
 * takes the notifications kept there for its order when it starts.
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
  assertMethods(options.notifications, 'watchOrder', 'notifications', ['subscribe'], true);
  const source = new Observable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const key = queryKey(options.query);
    const persister = createPersister(options.store, (error) => subscriber.error(error));
    const inbox = options.store?.inbox;
    const inspect = options.inspect === undefined ? {} : { inspect: options.inspect };
    // xstate requires `input` with a snapshot too; a restored actor takes everything from the snapshot.
    const input = watchInput(options, { query: options.query }, scheduler);
    const actor =
      options.snapshot === undefined
        ? createActor(orderMachine, { input, ...inspect })
        : createActor(orderMachine, { input, snapshot: options.snapshot as unknown as Snapshot<unknown>, ...inspect });
    bindWatchDependencies(actor.system, {
      client: options.client,
      schedule: options.schedule,
      limiter: options.limiter,
      scheduler,
      jitter: options.jitter,
    });
    let last: OrderWatch | undefined;
    let completing = false;
    /** A kept notification the event being sent judges: dropped from the inbox after the step's own writes. */
    let releasing: InboxEntry | undefined;
    const release = () => {
      const entry = releasing;
      releasing = undefined;
      if (entry !== undefined && inbox !== undefined) persister.run(() => inbox.delete(entry.key, entry.kept));
    };
    const publish = () => {
      const snapshot = actor.getSnapshot();
      const watch = toOrderWatch(snapshot.value, snapshot.context);
      if (watchChanged(last, watch)) {
        last = watch;
        if (!watch.done)
          persister.write(key, actor.getPersistedSnapshot() as unknown as PersistedOrderSnapshot, scheduler.now());
        subscriber.next(watch);
        // Only now that the end has been delivered (the subscriber's `next` returned) may the entry go, and with a
        // synchronous store it is gone before anything else runs: a crash can neither lose nor repeat this end.
        if (watch.done) persister.write(key, undefined, scheduler.now());
      }
      release();
      if (watch.done && !completing) {
        completing = true;
        // A subscriber that closes the store on completion must find every write of this watch done.
        if (persister.idle) subscriber.complete();
        else void persister.drained().then(() => subscriber.complete());
      }
    };
    /** Sends an event that judges a notification; `entry` leaves the inbox once the watch has taken it. */
    const judge = (event: OrderEvent, entry: InboxEntry | undefined) => {
      if (actor.getSnapshot().status !== 'active') return;
      releasing = entry;
      actor.send(event);
      release();
    };
    const actorSubscription = actor.subscribe({ next: publish, error: (error) => subscriber.error(error) });
    const cancel = () => actor.send({ type: 'CANCEL', at: scheduler.now() });
    options.signal?.addEventListener('abort', cancel, { once: true });
    actor.start();
    publish();
    if (inbox !== undefined) {
      const takeAll = (entries: readonly InboxEntry[]) => {
        const wasActive = actor.getSnapshot().status === 'active';
        for (const entry of entries) {
          if (actor.getSnapshot().status === 'active') {
            judge({ type: 'NOTIFY', outcome: entry.kept.outcome, at: scheduler.now() }, entry);
          } else if (wasActive) {
            // Ended by one kept before it: the rest are about an order whose end has been delivered.
            releasing = entry;
            release();
          }
        }
      };
      try {
        const found = keptFor(inbox, options.query);
        if (Array.isArray(found)) takeAll(found);
        else void (found as Promise<readonly InboxEntry[]>).then(takeAll, (error: unknown) => subscriber.error(error));
      } catch (error) {
        subscriber.error(error);
      }
    }
    /** Whether an unverified notification names this order (by the query, or by the ids the order has shown). */
    const asksAboutThis = (query: OrderQuery) => {
      const order = actor.getSnapshot().context.order;
      const known = order?.transactionId === undefined ? undefined : { transactionId: order.transactionId };
      return sameOrderQuery(query, options.query) || (known !== undefined && sameOrderQuery(query, known));
    };
    // Subscribed after start so a notification already waiting is judged before the first poll answers.
    const notifications = options.notifications?.subscribe({
      next: (notification) => {
        const at = scheduler.now();
        if (isUnverified(notification)) {
          if (asksAboutThis(notification.query)) judge({ type: 'ASK', at }, undefined);
        } else if (concernsOrder(notification, options.query)) {
          // The notify route may have kept it (keepNotification): once judged here it leaves the inbox.
          const entry = inbox === undefined ? undefined : toInboxEntry(notification, at);
          judge({ type: 'NOTIFY', outcome: toWatchOutcome(notification), at }, entry);
        }
      },
    });
    if (options.signal?.aborted) cancel();
    return () => {
      options.signal?.removeEventListener('abort', cancel);
      notifications?.unsubscribe();
      actorSubscription.unsubscribe();
      actor.stop();
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
