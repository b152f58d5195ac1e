import type { OrderQuery, OrderQueryClient } from '@tradestate/protocol';
import { asyncScheduler, Observable, ReplaySubject, type SchedulerLike, share } from 'rxjs';
import { createActor, type InspectionEvent, type Snapshot, type Observer as XObserver } from 'xstate';
import { bindWatchDependencies } from './actors.ts';
import type { Limiter } from './limiter.ts';
import { orderMachine } from './machine.ts';
import { toOrderWatch, watchChanged } from './order-watch.ts';
import { concernsOrder, type NotificationInput, queryKey, toWatchOutcome } from './outcome.ts';
import { createPersister } from './persister.ts';
import { type JitterOptions, nextDelay, type Schedule } from './schedules.ts';
import type { PersistedOrderSnapshot, SnapshotStore } from './snapshot-store.ts';
import type { OrderMachineInput, OrderWatch, WatchExpectation } from './types.ts';

/**
 * Options shared by `watchOrder` and `watchOrders`.
 *
 * @example
 * ```ts
 * const common: WatchOptions = { client, schedule: schedules.native, deadline: 60_000 };
 * ```
 */
export interface WatchOptions {
  readonly client: OrderQueryClient;
  readonly schedule: Schedule;
  /** Milliseconds after the watch starts, or an instant. */
  readonly deadline: number | Date;
  /** A limiter shared with other watches of the same merchant. */
  readonly limiter?: Limiter | undefined;
  /** Aborting ends the watch with `CANCELLED` (and aborts the query in flight). */
  readonly signal?: AbortSignal | undefined;
  /** The clock and timers; default rxjs's `asyncScheduler`. Pass a `TestScheduler` for virtual time. */
  readonly scheduler?: SchedulerLike | undefined;
  readonly jitter?: JitterOptions | undefined;
  /** How long ORDERNOTEXIST is tolerated before `NOT_FOUND`. Default 30 000 ms. */
  readonly notFoundGraceMs?: number | undefined;
  /** Keep watching after SUCCESS until REFUND or the deadline (which then ends `SUCCESS`). */
  readonly followRefunds?: boolean | undefined;
  /**
   * The amount the order must have been paid, bound on every channel (polls and notifications). For
   * `watchOrders`, a per-order `expect` given with the order takes precedence.
   */
  readonly expect?: WatchExpectation | undefined;
  /** Persist each change under `queryKey(query)`; the entry is deleted once the end has been emitted. */
  readonly store?: SnapshotStore | undefined;
}

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
  /** Verified notifications (or outcomes) about this order; others are ignored. A SUCCESS ends the watch at once. */
  readonly notifications?: Observable<NotificationInput> | undefined;
  /** Xstate inspection of the live actor (Stately's inspector format). */
  readonly inspect?: ((event: InspectionEvent) => void) | XObserver<InspectionEvent> | undefined;
  /** Resume from a snapshot a live watch persisted (`store.get(queryKey(query))?.snapshot`). */
  readonly snapshot?: PersistedOrderSnapshot | undefined;
}

/**
 * The machine input a watch starts with: times from the clock, the first query where the schedule puts it.
 *
 * @example
 * ```ts
 * const input = watchInput(options, options.query, asyncScheduler);
 * ```
 */
export function watchInput(options: WatchOptions, query: OrderQuery, scheduler: SchedulerLike): OrderMachineInput {
  const startedAt = scheduler.now();
  const deadlineAt = options.deadline instanceof Date ? options.deadline.getTime() : startedAt + options.deadline;
  const first = nextDelay(
    options.schedule,
    0,
    { kind: 'start', tradeState: undefined, consecutiveErrors: 0, elapsedMs: 0 },
    options.jitter,
  );
  return {
    query,
    startedAt,
    deadlineAt,
    firstQueryAt: first === null ? null : startedAt + first,
    notFoundGraceMs: options.notFoundGraceMs,
    followRefunds: options.followRefunds,
  };
}

/**
 * Watches one order to its end. Emits an {@link OrderWatch} at subscribe and on every change, completes
 * after the terminal emission (`done: true`, with `end`). One query in flight at a time; the next starts
 * after the previous answer, at the schedule's delay. Unsubscribing aborts the request in flight. The
 * stream is shared: subscribers at the same time share one actor and one query stream; late subscribers get
 * the latest watch first; when the last one leaves, polling stops (`share` with reset on ref-count zero).
 * A fatal answer (wrong key, NOAUTH, another order's answer) ends the watch with `end: 'ERROR'` and `error`.
 *
 * @example
 * ```ts
 * const client = createPayClient({ appId, mchId, key });
 * watchOrder({ client, query: { outTradeNo: 'A1' }, schedule: schedules.native, deadline: 60_000 })
 *   .subscribe((w) => {
 *     if (w.end === 'SUCCESS') ship(w.order);
 *     else if (w.done) console.log('no payment:', w.end);
 *   });
 * ```
 */
export function watchOrder(options: WatchOrderOptions): Observable<OrderWatch> {
  const source = new Observable<OrderWatch>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const key = queryKey(options.query);
    const persister = createPersister(options.store, (error) => subscriber.error(error));
    const inspect = options.inspect === undefined ? {} : { inspect: options.inspect };
    // xstate requires `input` with a snapshot too; a restored actor takes everything from the snapshot.
    const input = watchInput(options, options.query, scheduler);
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
      if (watch.done && !completing) {
        completing = true;
        // A subscriber that closes the store on completion must find every write of this watch done.
        if (persister.idle) subscriber.complete();
        else void persister.drained().then(() => subscriber.complete());
      }
    };
    const actorSubscription = actor.subscribe({ next: publish, error: (error) => subscriber.error(error) });
    const cancel = () => actor.send({ type: 'CANCEL', at: scheduler.now() });
    options.signal?.addEventListener('abort', cancel, { once: true });
    actor.start();
    publish();
    // Subscribed after start so a notification already waiting is judged before the first poll answers.
    const notifications = options.notifications?.subscribe({
      next: (notification) => {
        if (concernsOrder(notification, options.query)) {
          actor.send({ type: 'NOTIFY', outcome: toWatchOutcome(notification), at: scheduler.now() });
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
