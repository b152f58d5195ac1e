import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import type { OrderQuery } from '@tradestate/protocol';
import Database from 'better-sqlite3';
import { from, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemorySnapshotStore,
  type OrderWatch,
  resumeWatches,
  type SnapshotStore,
  type StoredWatch,
  schedules,
  watchOrder,
  watchOrders,
} from '../src/index.ts';
import { ScriptedClient, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tradestate-machine-'));
  dirs.push(dir);
  return join(dir, 'watches.db');
}

const sample: StoredWatch = {
  updatedAt: 1234,
  snapshot: {
    status: 'active',
    value: { NOTPAY: 'waiting' },
    context: {
      query: { outTradeNo: 'S1' },
      startedAt: 0,
      deadlineAt: 60_000,
      dueAt: 4000,
      notFoundGraceMs: 30_000,
      followRefunds: false,
      attempts: 1,
      consecutiveErrors: 0,
      tradeState: 'NOTPAY',
      order: undefined,
      notFoundSince: undefined,
      lastOutcomeAt: 2000,
      anomalies: [{ kind: 'backwards', source: 'poll', at: 1500, from: 'USERPAYING', to: 'NOTPAY' }],
      error: undefined,
    },
  },
};

const stores: [string, () => SnapshotStore][] = [
  ['memory', () => createMemorySnapshotStore()],
  ['sqlite file', () => createSqliteSnapshotStore(tempDb())],
  ['sqlite db handle', () => createSqliteSnapshotStore(new Database(':memory:'), { table: 'my_watches' })],
];

describe.each(stores)('SnapshotStore: %s', (_name, create) => {
  it('round-trips get, set, list and delete', async () => {
    const store = create();
    expect(await store.get('out_trade_no:S1')).toBeUndefined();
    await store.set('out_trade_no:S1', sample);
    await store.set('out_trade_no:S2', { ...sample, updatedAt: 99 });
    expect(await store.get('out_trade_no:S1')).toEqual(sample);
    await store.set('out_trade_no:S1', { ...sample, updatedAt: 5678 });
    expect((await store.get('out_trade_no:S1'))?.updatedAt).toBe(5678);
    expect((await store.list()).map(([key]) => key)).toEqual(['out_trade_no:S1', 'out_trade_no:S2']);
    await store.delete('out_trade_no:S1');
    expect(await store.get('out_trade_no:S1')).toBeUndefined();
    expect(await store.list()).toHaveLength(1);
  });
});

describe('SQLite store', () => {
  it('survives closing and reopening the file', () => {
    const path = tempDb();
    const first = createSqliteSnapshotStore(path);
    first.set('out_trade_no:S1', sample);
    first.close();
    const second = createSqliteSnapshotStore(path);
    expect(second.get('out_trade_no:S1')).toEqual(sample);
    second.close();
  });

  it('refuses a table name that is not an identifier', () => {
    expect(() => createSqliteSnapshotStore(new Database(':memory:'), { table: 'x; DROP TABLE y' })).toThrow(RangeError);
  });
});

function lastPerOrder(frames: { notification: { kind: string; value?: unknown } }[]) {
  const last = new Map<string, OrderWatch>();
  for (const f of frames) {
    if (f.notification.kind === 'N') {
      const w = f.notification.value as OrderWatch;
      last.set(w.query.outTradeNo ?? '', w);
    }
  }
  return last;
}

describe.each(stores.slice(0, 2))('resumeWatches (%s)', (_name, create) => {
  it('resumes every stored watch after a restart: waits keep their due time, ended ones are gone', async () => {
    const store = create();
    const clock = new VirtualClock();
    const before = new ScriptedClient([stateOutcome('A', 'NOTPAY')]);
    const beforeB = new ScriptedClient([stateOutcome('B', 'SUCCESS')]);
    const client = {
      queryOrder: (q: OrderQuery, o?: { signal?: AbortSignal }) =>
        (q.outTradeNo === 'A' ? before : beforeB).queryOrder(q, o),
    };
    const options = { schedule: schedules.native, scheduler: clock.scheduler, jitter: { ratio: 0 } };
    const first = clock.record(
      watchOrders(from([{ outTradeNo: 'A' }, { outTradeNo: 'B' }]), { ...options, client, deadline: 30_000, store }),
    );
    await clock.advanceTo(3000);
    expect(lastPerOrder(first.frames).get('B')?.end).toBe('SUCCESS');
    first.subscription.unsubscribe(); // the process dies while A waits for its query at 4 s
    expect((await store.list()).map(([key]) => key)).toEqual(['out_trade_no:A']);

    const after = new ScriptedClient([stateOutcome('A', 'USERPAYING'), stateOutcome('A', 'SUCCESS')]);
    const resumed = clock.record(resumeWatches(store, after, options));
    await clock.advanceTo(3999);
    expect(after.calls).toHaveLength(0);
    expect(lastPerOrder(resumed.frames).get('A')).toMatchObject({ tradeState: 'NOTPAY', attempts: 1 });
    await clock.advanceTo(4000);
    expect(after.calls).toHaveLength(1);
    await clock.advanceTo(10_000);
    expect(lastPerOrder(resumed.frames).get('A')).toMatchObject({ end: 'SUCCESS', attempts: 3 });
    expect(resumed.frames.at(-1)?.notification.kind).toBe('C');
    expect(await store.list()).toEqual([]);
  });

  it('resumes a watch a live watchOrder persisted, even in the middle of its query', async () => {
    const store = create();
    const clock = new VirtualClock();
    const hung = new ScriptedClient([stateOutcome('L', 'NOTPAY')], { hold: true });
    const options = { schedule: schedules.native, scheduler: clock.scheduler, jitter: { ratio: 0 } };
    const live = clock.record(
      watchOrder({ ...options, client: hung, query: { outTradeNo: 'L' }, deadline: 30_000, store }),
    );
    await clock.advanceTo(2000);
    live.subscription.unsubscribe();
    const stored = await store.get('out_trade_no:L');
    expect(stored?.snapshot.value).toEqual({ UNKNOWN: 'querying' });

    const client = new ScriptedClient([stateOutcome('L', 'CLOSED')]);
    const resumed = clock.record(resumeWatches(store, client, options));
    await clock.advanceTo(2000);
    expect(client.calls).toHaveLength(1);
    expect(lastPerOrder(resumed.frames).get('L')).toMatchObject({ end: 'CLOSED' });
  });

  it('completes at once with an empty store', async () => {
    const clock = new VirtualClock();
    const resumed = clock.record(resumeWatches(create(), new ScriptedClient([]), { schedule: schedules.native }));
    await clock.settle();
    expect(resumed.frames.map((f) => f.notification.kind)).toEqual(['C']);
  });
});

/**
 * An asynchronous store whose writes reach the memory store only when the test releases them, one at a time,
 * so a test sees what a watch does while its writes are still on their way.
 */
class DeferredStore implements SnapshotStore {
  readonly inner = createMemorySnapshotStore();
  /** Every write as issued: `set key` or `delete key`. */
  readonly issued: string[] = [];
  /** The most writes ever pending at once. */
  mostPending = 0;
  private pending: (() => void)[] = [];

  get waiting(): number {
    return this.pending.length;
  }

  get(key: string) {
    return this.inner.get(key);
  }

  list() {
    return this.inner.list();
  }

  set(key: string, entry: StoredWatch): Promise<void> {
    return this.later(`set ${key}`, () => this.inner.set(key, entry));
  }

  delete(key: string): Promise<void> {
    return this.later(`delete ${key}`, () => this.inner.delete(key));
  }

  /** Lets the oldest pending write reach the store; false when none was pending. */
  releaseOne(): boolean {
    const next = this.pending.shift();
    next?.();
    return next !== undefined;
  }

  private later(what: string, apply: () => void): Promise<void> {
    this.issued.push(what);
    return new Promise<void>((resolve) => {
      this.pending.push(() => {
        apply();
        resolve();
      });
      this.mostPending = Math.max(this.mostPending, this.pending.length);
    });
  }
}

const kinds = (frames: { notification: { kind: string } }[]) => frames.map((f) => f.notification.kind);

describe('completion waits for the store', () => {
  const options = (clock: VirtualClock) => ({
    schedule: schedules.native,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    deadline: 30_000,
  });

  /** Releases the store's writes one by one; the stream must not complete while any is pending. */
  async function drainAndCheck(
    clock: VirtualClock,
    store: DeferredStore,
    frames: { notification: { kind: string } }[],
  ) {
    expect(store.waiting).toBeGreaterThan(0);
    while (store.releaseOne()) {
      await clock.settle();
      if (store.waiting > 0) expect(kinds(frames)).not.toContain('C');
    }
    expect(kinds(frames).at(-1)).toBe('C');
    expect(await store.list()).toEqual([]);
    // Chained: a write is issued only after the one before it reached the store, so a delete never overtakes.
    expect(store.mostPending).toBe(1);
  }

  it('watchOrders completes only after the last ended watch was deleted from an asynchronous store', async () => {
    const clock = new VirtualClock();
    const store = new DeferredStore();
    const client = new ScriptedClient([stateOutcome('P', 'SUCCESS')]);
    const run = clock.record(watchOrders(from([{ outTradeNo: 'P' }]), { ...options(clock), client, store }));
    await clock.advanceTo(5000);
    expect(lastPerOrder(run.frames).get('P')?.end).toBe('SUCCESS');
    expect(kinds(run.frames)).not.toContain('C');
    await drainAndCheck(clock, store, run.frames);
    expect(store.issued.at(-1)).toBe('delete out_trade_no:P');
  });

  it('watchOrder completes only after its entry was deleted from an asynchronous store', async () => {
    const clock = new VirtualClock();
    const store = new DeferredStore();
    const client = new ScriptedClient([stateOutcome('Q', 'CLOSED')]);
    const run = clock.record(watchOrder({ ...options(clock), client, query: { outTradeNo: 'Q' }, store }));
    await clock.advanceTo(5000);
    expect(run.frames.some((f) => (f.notification.value as OrderWatch | undefined)?.end === 'CLOSED')).toBe(true);
    expect(kinds(run.frames)).not.toContain('C');
    await drainAndCheck(clock, store, run.frames);
    expect(store.issued).toEqual(expect.arrayContaining(['set out_trade_no:Q']));
    expect(store.issued.at(-1)).toBe('delete out_trade_no:Q');
  });

  it('resumeWatches completes only after the resumed watch was deleted from an asynchronous store', async () => {
    const clock = new VirtualClock();
    const store = new DeferredStore();
    store.inner.set('out_trade_no:S1', sample);
    const client = new ScriptedClient([stateOutcome('S1', 'PAYERROR')]);
    const run = clock.record(resumeWatches(store, client, options(clock)));
    await clock.advanceTo(5000);
    expect(lastPerOrder(run.frames).get('S1')?.end).toBe('PAYERROR');
    expect(kinds(run.frames)).not.toContain('C');
    await drainAndCheck(clock, store, run.frames);
    expect(store.issued.at(-1)).toBe('delete out_trade_no:S1');
  });
});

describe.each(stores.slice(0, 2))('a synchronous store around an end (%s)', (_name, create) => {
  /**
   * Subscribes and, when the end arrives, looks into the store twice: inside `next` (the entry must still be
   * there: an end not yet delivered is never lost) and in a microtask queued there, which runs as soon as the
   * code that delivered the end is done (the entry must be gone: a crash then cannot repeat the end).
   */
  function watchTheEnd(source: Observable<OrderWatch>, store: SnapshotStore, key: string) {
    const seen: { duringNext?: unknown; rightAfter?: unknown; completedWithEntry?: unknown } = {};
    const subscription = source.subscribe({
      next: (watch) => {
        if (!watch.done) return;
        seen.duringNext = store.get(key);
        queueMicrotask(() => {
          seen.rightAfter = store.get(key);
        });
      },
      complete: () => {
        seen.completedWithEntry = store.get(key);
      },
    });
    return { seen, subscription };
  }

  const options = (clock: VirtualClock) => ({
    schedule: schedules.native,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    deadline: 30_000,
  });

  it('watchOrders: kept while the end is delivered, gone before anything else runs, gone at completion', async () => {
    const clock = new VirtualClock();
    const store = create();
    const client = new ScriptedClient([stateOutcome('E', 'SUCCESS')]);
    const source = watchOrders(from([{ outTradeNo: 'E' }]), { ...options(clock), client, store });
    const { seen } = watchTheEnd(source, store, 'out_trade_no:E');
    await clock.advanceTo(5000);
    expect(seen.duringNext).toMatchObject({ snapshot: { context: { query: { outTradeNo: 'E' } } } });
    expect('rightAfter' in seen && seen.rightAfter === undefined).toBe(true);
    expect('completedWithEntry' in seen && seen.completedWithEntry === undefined).toBe(true);
  });

  it('watchOrder: kept while the end is delivered, gone before anything else runs, gone at completion', async () => {
    const clock = new VirtualClock();
    const store = create();
    const client = new ScriptedClient([stateOutcome('F', 'REVOKED')]);
    const source = watchOrder({ ...options(clock), client, query: { outTradeNo: 'F' }, store });
    const { seen } = watchTheEnd(source, store, 'out_trade_no:F');
    await clock.advanceTo(5000);
    expect(seen.duringNext).toMatchObject({ snapshot: { context: { query: { outTradeNo: 'F' } } } });
    expect('rightAfter' in seen && seen.rightAfter === undefined).toBe(true);
    expect('completedWithEntry' in seen && seen.completedWithEntry === undefined).toBe(true);
  });

  it('resumeWatches: kept while the end is delivered, gone before anything else runs, gone at completion', async () => {
    const clock = new VirtualClock();
    const store = create();
    store.set('out_trade_no:S1', sample);
    const client = new ScriptedClient([stateOutcome('S1', 'SUCCESS')]);
    const { seen } = watchTheEnd(resumeWatches(store, client, options(clock)), store, 'out_trade_no:S1');
    await clock.advanceTo(5000);
    expect(seen.duringNext).toMatchObject({ snapshot: { context: { query: { outTradeNo: 'S1' } } } });
    expect('rightAfter' in seen && seen.rightAfter === undefined).toBe(true);
    expect('completedWithEntry' in seen && seen.completedWithEntry === undefined).toBe(true);
  });
});

describe('a failing store', () => {
  const broken = (how: 'throws' | 'rejects'): SnapshotStore => {
    const fail = () => {
      const error = new Error(`disk full (${how})`);
      if (how === 'throws') throw error;
      return Promise.reject(error);
    };
    return { get: () => undefined, list: () => [], set: fail, delete: fail };
  };

  it.each(['throws', 'rejects'] as const)('that %s errors watchOrders and watchOrder with its error', async (how) => {
    const clock = new VirtualClock();
    const options = { schedule: schedules.native, scheduler: clock.scheduler, deadline: 30_000 };
    const client = new ScriptedClient([stateOutcome('X', 'NOTPAY')]);
    const many = clock.record(watchOrders(from([{ outTradeNo: 'X' }]), { ...options, client, store: broken(how) }));
    const one = clock.record(watchOrder({ ...options, client, query: { outTradeNo: 'Y' }, store: broken(how) }));
    await clock.advanceTo(100);
    for (const run of [many, one]) {
      const last = run.frames.at(-1)?.notification;
      expect(last?.kind).toBe('E');
      expect((last?.error as Error | undefined)?.message).toBe(`disk full (${how})`);
    }
  });
});
