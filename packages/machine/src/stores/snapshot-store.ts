import type { StateValue } from 'xstate';
import type { OrderContext, WatchOutcome } from '../definition/types.ts';

/**
 * A persisted {@link orderMachine} snapshot: what `actor.getPersistedSnapshot()` returns (a live actor's also
 * lists its invoked children) or what `watchOrders` keeps. JSON-safe; holds no key, client or signed string.
 *
 * @example
 * ```ts
 * const saved = actor.getPersistedSnapshot() as PersistedOrderSnapshot;
 * saved.context.tradeState;
 * ```
 */
export interface PersistedOrderSnapshot {
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  readonly value: StateValue;
  readonly context: OrderContext;
  readonly [key: string]: unknown;
}

/**
 * One stored watch.
 *
 * @example
 * ```ts
 * const entry: StoredWatch = { snapshot, updatedAt: Date.now() };
 * ```
 */
export interface StoredWatch {
  readonly snapshot: PersistedOrderSnapshot;
  /** When it was written (epoch ms of the watch's clock). */
  readonly updatedAt: number;
}

/**
 * A verified notification kept in a store's inbox because no watch held its order when it came.
 *
 * @example
 * ```ts
 * const kept: KeptNotification = { outcome: toWatchOutcome(notification), receivedAt: Date.now() };
 * ```
 */
export interface KeptNotification {
  /** What the notification said, in the machine's JSON-safe form: an order outcome (a payment result). */
  readonly outcome: Extract<WatchOutcome, { kind: 'order' }>;
  /** When it was first kept (epoch ms). */
  readonly receivedAt: number;
}

/**
 * The notification inbox of a store: verified notifications for orders no watch held, keyed by the
 * {@link queryKey} of their `out_trade_no`, kept until a watch of that order (`watchOrder`, `watchOrders` with
 * the store, or `resumeWatches`) takes them. One order may have several (a duplicate is kept once: a
 * notification is identified by what it says, not when it came). Methods may be synchronous or return promises;
 * a synchronous one has reached durable storage when it returns.
 *
 * @example
 * ```ts
 * await store.inbox?.put('out_trade_no:A1', kept);
 * for (const [key, kept] of await store.inbox!.list()) console.log(key, kept.outcome.tradeState);
 * ```
 */
export interface NotificationInbox {
  /** Keeps `notification` under `key`; the same notification again is a no-op. */
  put(key: string, notification: KeptNotification): void | Promise<void>;
  /** The notifications kept under `key`, oldest first. */
  get(key: string): readonly KeptNotification[] | Promise<readonly KeptNotification[]>;
  /** Drops this one notification (the same outcome) from under `key`. */
  delete(key: string, notification: KeptNotification): void | Promise<void>;
  /** Every kept notification with its key. */
  list():
    | ReadonlyArray<readonly [string, KeptNotification]>
    | Promise<ReadonlyArray<readonly [string, KeptNotification]>>;
}

/**
 * Where watches persist their snapshots so that a restarted process resumes them (`resumeWatches`). Keys
 * are {@link queryKey}s. Methods may be synchronous or return promises. `inbox` (optional, so a store of
 * snapshots alone still is one) keeps notifications no watch held: see {@link NotificationInbox}.
 *
 * @example
 * ```ts
 * const store: SnapshotStore = createMemorySnapshotStore();
 * await store.set('out_trade_no:A1', { snapshot, updatedAt: Date.now() });
 * for (const [key, entry] of await store.list()) console.log(key, entry.snapshot.value);
 * ```
 */
export interface SnapshotStore {
  get(key: string): StoredWatch | undefined | Promise<StoredWatch | undefined>;
  set(key: string, entry: StoredWatch): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  list(): ReadonlyArray<readonly [string, StoredWatch]> | Promise<ReadonlyArray<readonly [string, StoredWatch]>>;
  readonly inbox?: NotificationInbox | undefined;
}

/**
 * The identity of a kept notification: what it says. Two deliveries of one notification are one entry.
 *
 * @example
 * ```ts
 * notificationId(kept) === notificationId({ ...kept, receivedAt: later }); // true
 * ```
 * @internal
 */
export function notificationId(notification: KeptNotification): string {
  return JSON.stringify(notification.outcome);
}

/**
 * An in-memory {@link SnapshotStore} with a notification inbox (tests, or a process that only needs
 * `resumeWatches` across a reconnect: nothing here survives the process, so a notify route must not rely on it
 * to answer SUCCESS across a crash). Entries go through JSON on the way in, exactly as a durable store would, so
 * nothing non-serialisable hides in a snapshot.
 *
 * @example
 * ```ts
 * const store = createMemorySnapshotStore();
 * watchOrders(pending$, { client, schedule: schedules.backend, deadline: 7_200_000, store });
 * ```
 */
export function createMemorySnapshotStore(): SnapshotStore & { readonly inbox: NotificationInbox } {
  const entries = new Map<string, string>();
  /** Per key, each kept notification by its id (its outcome's JSON), with when it was first kept. */
  const kept = new Map<string, Map<string, number>>();
  const toKept = (id: string, receivedAt: number): KeptNotification => ({
    outcome: JSON.parse(id) as KeptNotification['outcome'],
    receivedAt,
  });
  const inbox: NotificationInbox = {
    put: (key, notification) => {
      const id = notificationId(notification);
      let forKey = kept.get(key);
      if (forKey === undefined) {
        forKey = new Map();
        kept.set(key, forKey);
      }
      if (!forKey.has(id)) forKey.set(id, notification.receivedAt);
    },
    get: (key) => [...(kept.get(key) ?? [])].map(([id, at]) => toKept(id, at)),
    delete: (key, notification) => {
      const forKey = kept.get(key);
      forKey?.delete(notificationId(notification));
      if (forKey?.size === 0) kept.delete(key);
    },
    list: () => [...kept].flatMap(([key, forKey]) => [...forKey].map(([id, at]) => [key, toKept(id, at)] as const)),
  };
  return {
    inbox,
    get: (key) => {
      const json = entries.get(key);
      return json === undefined ? undefined : (JSON.parse(json) as StoredWatch);
    },
    set: (key, entry) => {
      entries.set(key, JSON.stringify(entry));
    },
    delete: (key) => {
      entries.delete(key);
    },
    list: () => [...entries].map(([key, json]) => [key, JSON.parse(json) as StoredWatch] as const),
  };
}
