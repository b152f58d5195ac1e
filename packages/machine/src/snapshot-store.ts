import type { StateValue } from 'xstate';
import type { OrderContext } from './types.ts';

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
 * Where watches persist their snapshots so that a restarted process resumes them (`resumeWatches`). Keys
 * are {@link queryKey}s. Methods may be synchronous or return promises.
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
}

/**
 * An in-memory {@link SnapshotStore} (tests, or a process that only needs `resumeWatches` across a
 * reconnect). Entries go through JSON on the way in, exactly as a durable store would, so nothing
 * non-serialisable hides in a snapshot.
 *
 * @example
 * ```ts
 * const store = createMemorySnapshotStore();
 * watchOrders(pending$, { client, schedule: schedules.backend, deadline: 7_200_000, store });
 * ```
 */
export function createMemorySnapshotStore(): SnapshotStore {
  const entries = new Map<string, string>();
  return {
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
