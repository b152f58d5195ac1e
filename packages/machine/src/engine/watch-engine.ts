import type { OrderQuery } from '@tradestate/protocol';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { StateValue } from 'xstate';
import type { QueryActorDeps, QueryActorInput } from '../definition/actors.ts';
import { pureOrderMachine } from '../definition/machine.ts';
import { isUnverified, type WatchNotification } from '../definition/notification.ts';
import { queryKey, toWatchOutcome } from '../definition/outcome.ts';
import type { OrderContext, OrderEvent, OrderMachineInput, OrderWatch } from '../definition/types.ts';
import { type InboxEntry, keptFor, toInboxEntry } from '../stores/inbox.ts';
import { createPersister, type Persister } from '../stores/persister.ts';
import type { NotificationInbox, PersistedOrderSnapshot } from '../stores/snapshot-store.ts';
import {
  endOf,
  signatureMatches,
  stateNameOf,
  toOrderWatch,
  type WatchSignature,
  writeSignature,
} from '../streams/emission.ts';
import type { WatchOptions } from '../streams/watch-options.ts';
import { createPureStepper, type OrderState } from './pure-step.ts';
import { QUERY_DEADLINE, runQueryUnderSignal } from './run-query.ts';
import { runSettle } from './settle.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * One watched order: its {@link OrderState} (the snapshot's state value and context, not xstate's snapshot
 * object with its node list, tag set, children and methods: about as much again), which the stepper's
 * `advance` moves on; a snapshot is resolved from it only for a store. The pure machine (no invoked actors)
 * allows this.
 */
interface Entry extends OrderState {
  value: StateValue;
  context: OrderContext;
  /** What the last emitted watch showed, updated in place; `undefined` before the first emission. */
  last: WatchSignature | undefined;
  /** Aborts the query in flight; set only while one is. */
  inFlight: AbortController | undefined;
  /** Resumed from a store and not stepped since: a call it was making when the process stopped is lost. */
  restored: boolean;
}

/**
 * Drives many watches with {@link pureOrderMachine}: each order's state is advanced by the machine's
 * transitions (`createPureStepper().advance`: xstate picks each transition, its effect on the configuration
 * is cached), all waits and deadlines share one timer ({@link TimerQueue}), and the only per-order live objects are
 * those of the query in flight. This is what `watchOrders` and `resumeWatches` run on.
 *
 * @example
 * ```ts
 * const engine = new WatchEngine(options, (watch) => console.log(watch), () => {});
 * engine.start({ outTradeNo: 'A1' });
 * ```
 */
export class WatchEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly scheduler: SchedulerLike;
  private readonly timers: TimerQueue;
  private readonly persister: Persister;
  private readonly inbox: NotificationInbox | undefined;
  private readonly step = createPureStepper();
  /** What every query of this engine runs with, built once rather than spread per query. */
  private readonly deps: QueryActorDeps & { readonly scheduler: SchedulerLike };
  private stopped = false;

  constructor(
    private readonly options: WatchOptions,
    private readonly emit: (watch: OrderWatch) => void,
    private readonly fail: (error: unknown) => void,
    /** Called after a watch ended: its end emitted and its entry's delete handed to the store. */
    private readonly ended?: () => void,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.deps = { ...options, scheduler: this.scheduler };
    // One timer queue holds every due time and, while an order is querying, its deadline.
    this.timers = new TimerQueue(this.scheduler, (key, now) => this.due(key, now));
    this.persister = createPersister(options.store, fail);
    this.inbox = options.store?.inbox;
  }

  /** Orders still watched. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether every snapshot write so far has reached the store (always, with a synchronous store). */
  get persisted(): boolean {
    return this.persister.idle;
  }

  /** Resolves once every snapshot write so far has reached the store. */
  drained(): Promise<void> {
    return this.persister.drained();
  }

  /** Whether a watch of the order under `key` ({@link queryKey}) is held. */
  holds(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts watching from a machine input; an order already watched is left as it is. With a store that has an
   * inbox, the new watch then takes what the inbox keeps for its order (unless `takeKept` is false: the caller
   * hands those over itself).
   */
  start(input: OrderMachineInput, takeKept = true): void {
    const key = queryKey(input.query);
    if (this.stopped || this.entries.has(key)) return;
    this.track(key, this.step.initialState(input));
    if (takeKept) this.takeKept(key, input.query);
  }

  /**
   * Resumes a persisted snapshot (from this engine or a live actor: only its state value and context count).
   * With `takeKept` and a store that has an inbox, the watch then takes what the inbox keeps for its order.
   */
  resume(persisted: { readonly value: StateValue; readonly context: OrderContext }, takeKept = false): void {
    const key = queryKey(persisted.context.query);
    if (this.stopped || this.entries.has(key)) return;
    this.track(key, pureOrderMachine.resolveState({ value: persisted.value, context: persisted.context }), true);
    if (takeKept) this.takeKept(key, persisted.context.query);
  }

  /** Hands the watch under `key` what the inbox keeps for its order. */
  private takeKept(key: string, query: OrderQuery): void {
    const inbox = this.inbox;
    if (inbox === undefined || !this.entries.has(key)) return;
    let found: readonly InboxEntry[] | Promise<readonly InboxEntry[]>;
    try {
      found = keptFor(inbox, query);
    } catch (error) {
      this.fail(error);
      return;
    }
    const judge = (entries: readonly InboxEntry[]) => {
      const wasHeld = this.entries.has(key);
      for (const entry of entries) {
        // Once one of them ended the watch, the rest are about an order whose end has been delivered.
        if (!this.take(entry) && wasHeld && !this.stopped) this.forget(entry);
      }
    };
    if (Array.isArray(found)) judge(found);
    else void (found as Promise<readonly InboxEntry[]>).then(judge, (error: unknown) => this.fail(error));
  }

  /**
   * Routes a notification to the watch of the order it names, if one is held, and tells whether one was: a
   * verified one goes through the machine's guards (`NOTIFY`), an unverified one only asks for a query (`ASK`).
   * `release` runs once the watch has durably judged it (its snapshot written), before an end it caused lets
   * the stream complete.
   */
  notify(notification: WatchNotification, release?: () => void): boolean {
    const at = this.scheduler.now();
    if (isUnverified(notification)) {
      return this.sendToHolders(keysOf(notification.query), { type: 'ASK', at }, release);
    }
    const order =
      'kind' in notification ? (notification.kind === 'order' ? notification.order : undefined) : notification.order;
    if (order === undefined) return false;
    return this.sendToHolders(keysOf(order), { type: 'NOTIFY', outcome: toWatchOutcome(notification), at }, release);
  }

  /**
   * A notification from the watches' stream: to the watch of its order, then out of the inbox (the notify route
   * may have kept it first, see `keepNotification`); when no watch holds it, into the inbox, so that it is not
   * lost (with a synchronous store, kept before this returns).
   */
  deliver(notification: WatchNotification): void {
    const inbox = this.inbox;
    const entry = inbox === undefined ? undefined : toInboxEntry(notification, this.scheduler.now());
    if (inbox === undefined || entry === undefined) {
      this.notify(notification);
      return;
    }
    const held = this.notify(notification, () => this.forget(entry));
    if (!held) this.persister.run(() => inbox.put(entry.key, entry.kept));
  }

  /**
   * Hands a kept notification to the watch of its order and drops it from the inbox once judged; false, and it
   * stays kept, when no watch holds its order.
   */
  take(entry: InboxEntry): boolean {
    const { outcome } = entry.kept;
    const event: OrderEvent = { type: 'NOTIFY', outcome, at: this.scheduler.now() };
    return this.sendToHolders(keysOf(outcome.order), event, () => this.forget(entry));
  }

  /** Drops a kept notification from the inbox (after the step's own writes: see `persister.run`). */
  forget(entry: InboxEntry): void {
    const inbox = this.inbox;
    if (inbox !== undefined) this.persister.run(() => inbox.delete(entry.key, entry.kept));
  }

  /** Sends `event` to each held watch among `keys`; `release` runs after the last of them judged it. */
  private sendToHolders(keys: readonly string[], event: OrderEvent, release: (() => void) | undefined): boolean {
    const held = keys.filter((key) => this.entries.has(key));
    for (let i = 0; i < held.length; i++) {
      this.send(held[i] as string, event, i === held.length - 1 ? release : undefined);
    }
    return held.length > 0;
  }

  /** Ends every watch with `CANCELLED`. */
  cancelAll(): void {
    const at = this.scheduler.now();
    for (const key of [...this.entries.keys()]) this.send(key, { type: 'CANCEL', at });
  }

  /** Stops driving: aborts queries in flight, drops the timer. Snapshots already stored stay stored. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) entry.inFlight?.abort();
    this.entries.clear();
    this.timers.clear();
  }

  private track(key: string, state: OrderState, restored = false): void {
    const entry: Entry = { value: state.value, context: state.context, last: undefined, inFlight: undefined, restored };
    this.entries.set(key, entry);
    this.settle(key, entry);
  }

  /** A due time came: a waiting order queries; a querying one has reached its deadline mid-query. */
  private due(key: string, now: number): void {
    const inFlight = this.entries.get(key)?.inFlight;
    if (inFlight !== undefined) inFlight.abort(QUERY_DEADLINE);
    else this.send(key, { type: 'DUE', at: now });
  }

  private send(key: string, event: OrderEvent, release?: () => void): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.stopped) return;
    const next = this.step.advance(entry, event);
    if (next === entry) {
      release?.();
      return;
    }
    entry.value = next.value;
    entry.context = next.context;
    this.settle(key, entry, release);
  }

  /**
   * After every step: emit a change, persist, and start whatever the new state needs (a wait or a query).
   * `release` (a kept notification this step judged) runs after the step's own writes.
   */
  private settle(key: string, entry: Entry, release?: () => void): void {
    const { value, context } = entry;
    const state = stateNameOf(value);
    const done = endOf(state) !== undefined;
    // A long-lived entry keeps only this small signature, not the last OrderWatch with its Order copy; the
    // watch itself is built only when it is emitted.
    const changed = entry.last === undefined || !signatureMatches(entry.last, value, context);
    const now = this.scheduler.now();
    const step = done || typeof value !== 'object' ? undefined : value[state];
    // A query (polling, or confirming a settle) or a close/reverse in flight: one call at a time, whichever.
    const busy = step === 'querying' || step === 'calling' || step === 'confirming';
    const calling = step === 'calling';
    if (!busy && entry.inFlight !== undefined) {
      entry.inFlight.abort();
      entry.inFlight = undefined;
    }
    // A close or reverse this process did not send (the snapshot was resumed in `calling`) has lost its answer.
    const lost = calling && entry.restored && entry.inFlight === undefined;
    entry.restored = false;
    if (done) {
      this.entries.delete(key);
      this.timers.delete(key);
    } else if (state === 'SETTLING') {
      const settle = context.settle;
      this.timers.set(key, (busy ? settle?.callBy : settle?.dueAt) ?? now);
      if (busy && !lost && entry.inFlight === undefined) {
        if (calling) this.settleCall(key, entry);
        else this.query(key, entry, settle?.callBy ?? now);
      }
    } else if (busy) {
      // The deadline aborts the query in flight (see `due`), so no query needs a timer of its own.
      this.timers.set(key, context.deadlineAt);
      if (entry.inFlight === undefined) this.query(key, entry, context.deadlineAt);
    } else {
      const { dueAt, deadlineAt } = context;
      this.timers.set(key, Math.min(dueAt ?? deadlineAt, deadlineAt));
    }
    if (changed) {
      const watch = toOrderWatch(value, context, entry.last);
      entry.last = writeSignature(entry.last, value, context);
      // Only a store needs the persisted form; building it costs as much as a transition.
      if (!watch.done && this.options.store !== undefined) {
        const snapshot = pureOrderMachine.resolveState({ value, context });
        this.persister.write(
          key,
          pureOrderMachine.getPersistedSnapshot(snapshot) as unknown as PersistedOrderSnapshot,
          now,
        );
      }
      this.emit(watch);
      // Only once the end has been delivered may its entry go; a synchronous store has dropped it before
      // control returns to the event loop, so a crash can neither lose nor repeat this end.
      if (watch.done) this.persister.write(key, undefined, now);
    }
    release?.();
    if (done) this.ended?.();
    else if (lost) this.send(key, { type: 'SETTLE_LOST', at: now });
  }

  /** Closes or reverses the order of a settling watch; the answer comes back as `SETTLED`. */
  private settleCall(key: string, entry: Entry): void {
    const controller = new AbortController();
    entry.inFlight = controller;
    const { query, settle } = entry.context;
    runSettle(this.deps, query, settle?.action ?? 'close', controller.signal).then(
      (event) => {
        if (entry.inFlight !== controller) return;
        entry.inFlight = undefined;
        if (event !== undefined) this.send(key, event);
      },
      (error) => this.fail(error),
    );
  }

  private query(key: string, entry: Entry, deadlineAt: number): void {
    const controller = new AbortController();
    entry.inFlight = controller;
    const { context } = entry;
    const input: QueryActorInput = {
      query: context.query,
      attempt: context.attempts,
      consecutiveErrors: context.consecutiveErrors,
      tradeState: context.tradeState,
      startedAt: context.startedAt,
      deadlineAt,
    };
    runQueryUnderSignal(this.deps, input, controller.signal).then(
      (event) => {
        if (entry.inFlight !== controller) return;
        entry.inFlight = undefined;
        if (event !== undefined) this.send(key, event);
      },
      (error) => this.fail(error),
    );
  }
}

/** The keys a watch of this order may be held under: by its `out_trade_no`, by its `transaction_id`. */
function keysOf(ids: { readonly outTradeNo?: string | undefined; readonly transactionId?: string | undefined }) {
  const keys: string[] = [];
  if (ids.outTradeNo !== undefined) keys.push(queryKey({ outTradeNo: ids.outTradeNo }));
  if (ids.transactionId !== undefined) keys.push(queryKey({ transactionId: ids.transactionId }));
  return keys;
}
