import type { PersistedOrderSnapshot, SnapshotStore } from './snapshot-store.ts';

/**
 * Writes watch snapshots to a {@link SnapshotStore} in order. See {@link createPersister}.
 *
 * @example
 * ```ts
 * const persister: Persister = createPersister(store, console.error);
 * persister.write('out_trade_no:A1', snapshot, Date.now());
 * ```
 */
export interface Persister {
  /** Stores `snapshot` under `key`, or deletes the entry when `snapshot` is `undefined`. */
  write(key: string, snapshot: PersistedOrderSnapshot | undefined, at: number): void;
  /**
   * Runs any other write of the store (its notification inbox) in the same order as the snapshots: a
   * notification is dropped from the inbox only after the snapshot that took it.
   */
  run(write: (store: SnapshotStore) => void | Promise<void>): void;
  /** Whether every write so far has reached the store. */
  readonly idle: boolean;
  /** Resolves once every write so far has reached the store (or failed and been reported). */
  drained(): Promise<void>;
}

/**
 * A writer of watch snapshots to a {@link SnapshotStore}. A write reaches a synchronous store (memory,
 * SQLite) before `write` returns, so a watch that deletes its entry right after emitting its end leaves no
 * moment, not even a microtask, in which a crash would resume an order whose end was already delivered.
 * Writes to an asynchronous store are chained, so a `delete` never overtakes the `set` before it; while one
 * is pending, later writes (even to a store that happens to answer synchronously) queue behind it. Failures go
 * to `onError` (in a microtask, so a watch is never re-entered from inside its own step), never thrown.
 *
 * @example
 * ```ts
 * const persister = createPersister(store, (error) => console.error(error));
 * persister.write('out_trade_no:A1', snapshot, Date.now());
 * persister.write('out_trade_no:A1', undefined, Date.now()); // ended: forget it
 * await persister.drained();
 * ```
 */
export function createPersister(store: SnapshotStore | undefined, onError: (error: unknown) => void): Persister {
  /** The tail of the pending asynchronous writes; undefined when none is pending. */
  let tail: Promise<void> | undefined;
  const report = (error: unknown) => queueMicrotask(() => onError(error));
  const apply = (target: SnapshotStore, key: string, snapshot: PersistedOrderSnapshot | undefined, at: number) =>
    snapshot === undefined ? target.delete(key) : target.set(key, { snapshot, updatedAt: at });
  const follow = (pending: Promise<void>) => {
    const settled: Promise<void> = pending.then(
      () => {
        if (tail === settled) tail = undefined;
      },
      (error: unknown) => {
        if (tail === settled) tail = undefined;
        onError(error);
      },
    );
    tail = settled;
  };
  const run = (write: (target: SnapshotStore) => void | Promise<void>) => {
    if (store === undefined) return;
    if (tail !== undefined) {
      follow(tail.then(() => write(store)));
      return;
    }
    let result: void | Promise<void>;
    try {
      result = write(store);
    } catch (error) {
      report(error);
      return;
    }
    // A synchronous store returns nothing: the write is done.
    if (result !== undefined) follow(Promise.resolve(result));
  };
  return {
    write(key, snapshot, at) {
      if (store !== undefined) run((target) => apply(target, key, snapshot, at));
    },
    run,
    get idle() {
      return tail === undefined;
    },
    async drained() {
      while (tail !== undefined) await tail;
    },
  };
}
