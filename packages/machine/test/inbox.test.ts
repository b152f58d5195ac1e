import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import { InvalidArgumentError, type OrderQuery, type PaymentNotification } from '@tradestate/protocol';
import Database from 'better-sqlite3';
import { from, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { toWatchOutcome } from '../src/definition/outcome.ts';
import {
  createMemorySnapshotStore,
  type KeptNotification,
  keepNotification,
  type NotificationInbox,
  type OrderWatch,
  resumeWatches,
  type SnapshotStore,
  schedules,
  type WatchNotification,
  watchOrder,
  watchOrders,
} from '../src/index.ts';
import { orderFor, ScriptedClient, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tradestate-inbox-'));
  dirs.push(dir);
  return join(dir, 'watches.db');
}

/** A verified payment notification for `outTradeNo`, as `decodeNotification` returns it. */
function paid(outTradeNo: string, extra: { totalFee?: number; transactionId?: string } = {}): PaymentNotification {
  return {
    tradeState: 'SUCCESS',
    order: orderFor(outTradeNo, {
      transactionId: extra.transactionId ?? '4200000000000001',
      totalFee: extra.totalFee ?? 101,
      timeEnd: '20261201120000',
      paidAt: new Date('2026-12-01T04:00:00.000Z'),
    }),
    fields: {},
  };
}

function kept(outTradeNo: string, receivedAt: number, totalFee = 101): KeptNotification {
  const outcome = toWatchOutcome(paid(outTradeNo, { totalFee }));
  if (outcome.kind !== 'order') throw new Error('not an order');
  return { outcome, receivedAt };
}

function lastPerOrder(frames: { notification: { kind: string; value?: unknown } }[]) {
  const last = new Map<string, OrderWatch>();
  for (const f of frames) {
    if (f.notification.kind !== 'N') continue;
    const w = f.notification.value as OrderWatch;
    last.set(w.query.outTradeNo ?? w.query.transactionId ?? '', w);
  }
  return last;
}

const inboxes: [string, () => SnapshotStore & { readonly inbox: NotificationInbox }][] = [
  ['memory', () => createMemorySnapshotStore()],
  ['sqlite', () => createSqliteSnapshotStore(tempDb())],
];

describe.each(inboxes)('the notification inbox (%s)', (_name, create) => {
  it('keeps several notifications per order, each once, and drops exactly the one taken', async () => {
    const { inbox } = create();
    await inbox.put('out_trade_no:A', kept('A', 10));
    await inbox.put('out_trade_no:A', kept('A', 20)); // the same notification again (WeChat resends)
    await inbox.put('out_trade_no:A', kept('A', 30, 1)); // another one: a replay of another amount
    await inbox.put('out_trade_no:B', kept('B', 40));
    expect((await inbox.get('out_trade_no:A')).map((k) => [k.receivedAt, k.outcome.order.totalFee])).toEqual([
      [10, 101],
      [30, 1],
    ]);
    await inbox.delete('out_trade_no:A', kept('A', 99, 1));
    expect(await inbox.get('out_trade_no:A')).toEqual([kept('A', 10)]);
    expect((await inbox.list()).map(([key]) => key)).toEqual(['out_trade_no:A', 'out_trade_no:B']);
    expect(await inbox.get('out_trade_no:C')).toEqual([]);
  });

  it('keepNotification keeps a verified notification, resolving once it is kept', async () => {
    const store = create();
    await keepNotification(store, paid('K1'));
    const list = await store.inbox.list();
    expect(list).toHaveLength(1);
    expect(list[0]?.[0]).toBe('out_trade_no:K1');
    expect(list[0]?.[1].outcome).toMatchObject({ kind: 'order', tradeState: 'SUCCESS', order: { totalFee: 101 } });
  });

  it('watchOrders with the store keeps a notification no watch holds, before `next` returns', () => {
    const store = create();
    const clock = new VirtualClock();
    const notifications = new Subject<WatchNotification>();
    const client = new ScriptedClient([stateOutcome('A', 'NOTPAY')]);
    const run = clock.record(
      watchOrders(from([{ outTradeNo: 'A' }]), {
        client,
        store,
        notifications,
        schedule: schedules.native,
        deadline: 60_000,
        scheduler: clock.scheduler,
      }),
    );
    notifications.next(paid('NOBODY'));
    notifications.next({ kind: 'unverified', query: { outTradeNo: 'GHOST' } }); // never kept: nothing verified
    expect((store.inbox.list() as readonly (readonly [string, KeptNotification])[]).map(([key]) => key)).toEqual([
      'out_trade_no:NOBODY',
    ]);
    run.subscription.unsubscribe();
  });

  it.each(['watchOrder', 'watchOrders'] as const)(
    'a %s started with the store takes what the inbox kept for its order: SUCCESS with no query',
    async (driver) => {
      const store = create();
      await keepNotification(store, paid('E1'));
      await keepNotification(store, paid('OTHER'));
      const clock = new VirtualClock();
      const client = new ScriptedClient([stateOutcome('E1', 'NOTPAY')]);
      const common = { client, store, schedule: schedules.native, deadline: 60_000, scheduler: clock.scheduler };
      const run = clock.record(
        driver === 'watchOrder'
          ? watchOrder({ ...common, query: { outTradeNo: 'E1' } })
          : watchOrders(from([{ outTradeNo: 'E1' }]), common),
      );
      await clock.advanceTo(10_000);
      expect(lastPerOrder(run.frames).get('E1')).toMatchObject({ end: 'SUCCESS', attempts: 0 });
      expect(client.calls).toHaveLength(0);
      expect((await store.inbox.list()).map(([key]) => key)).toEqual(['out_trade_no:OTHER']);
      expect(await store.list()).toEqual([]);
    },
  );

  it.each(['watchOrder', 'watchOrders'] as const)(
    'a %s that believes a notification from its stream drops the copy the route kept',
    async (driver) => {
      const store = create();
      const clock = new VirtualClock();
      const notifications = new Subject<WatchNotification>();
      const client = new ScriptedClient([stateOutcome('F1', 'NOTPAY')]);
      const common = {
        client,
        store,
        notifications,
        schedule: schedules.native,
        deadline: 60_000,
        scheduler: clock.scheduler,
      };
      const run = clock.record(
        driver === 'watchOrder'
          ? watchOrder({ ...common, query: { outTradeNo: 'F1' } })
          : watchOrders(from([{ outTradeNo: 'F1' }]), common),
      );
      await clock.advanceTo(3000);
      // What a notify route does: keep it durably, then hand it to the watches.
      await keepNotification(store, paid('F1'));
      expect(await store.inbox.list()).toHaveLength(1);
      notifications.next(paid('F1'));
      expect(lastPerOrder(run.frames).get('F1')).toMatchObject({ end: 'SUCCESS' });
      await clock.settle();
      expect(await store.inbox.list()).toEqual([]);
      expect(await store.list()).toEqual([]);
    },
  );

  it('a late payment after a watch ended DEADLINE is kept and comes out of resumeWatches as SUCCESS', async () => {
    const store = create();
    const clock = new VirtualClock();
    const notifications = new Subject<WatchNotification>();
    const queries = new Subject<OrderQuery>();
    const client = new ScriptedClient([stateOutcome('LATE', 'NOTPAY')]);
    const options = { schedule: schedules.native, scheduler: clock.scheduler, jitter: { ratio: 0 } };
    const first = clock.record(watchOrders(queries, { ...options, client, store, notifications, deadline: 5000 }));
    queries.next({ outTradeNo: 'LATE' });
    await clock.advanceTo(6000);
    expect(lastPerOrder(first.frames).get('LATE')).toMatchObject({ end: 'DEADLINE' });
    notifications.next(paid('LATE', { transactionId: '4200000000000077' })); // the customer paid after all
    first.subscription.unsubscribe();

    const later = new ScriptedClient([]);
    const resumed = clock.record(resumeWatches(store, later, options));
    await clock.advanceTo(7000);
    const end = lastPerOrder(resumed.frames).get('LATE');
    expect(end).toMatchObject({ done: true, end: 'SUCCESS', attempts: 0 });
    expect(end?.order).toMatchObject({ transactionId: '4200000000000077', totalFee: 101 });
    expect(end?.order?.paidAt).toEqual(new Date('2026-12-01T04:00:00.000Z'));
    expect(later.calls).toHaveLength(0);
    expect(resumed.frames.at(-1)?.notification.kind).toBe('C');
    expect(await store.inbox.list()).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('resumeWatches hands a kept notification to the resumed watch of its order, through its expect', async () => {
    const store = create();
    const clock = new VirtualClock();
    const client = new ScriptedClient([stateOutcome('R1', 'NOTPAY')]);
    const options = { schedule: schedules.native, scheduler: clock.scheduler, jitter: { ratio: 0 } };
    const first = clock.record(
      watchOrders(from([{ query: { outTradeNo: 'R1' }, expect: { totalFee: 101 } }]), {
        ...options,
        client,
        store,
        deadline: 60_000,
      }),
    );
    await clock.advanceTo(2500);
    first.subscription.unsubscribe(); // the process stops while R1 waits
    await keepNotification(store, paid('R1', { totalFee: 1 })); // a wrong amount: not believed
    await keepNotification(store, paid('R1')); // the genuine one

    const resumed = clock.record(resumeWatches(store, new ScriptedClient([stateOutcome('R1', 'NOTPAY')]), options));
    await clock.advanceTo(3000);
    const end = lastPerOrder(resumed.frames).get('R1');
    expect(end).toMatchObject({ end: 'SUCCESS' });
    expect(end?.order?.totalFee).toBe(101);
    expect(end?.anomalies.map((a) => [a.kind, a.field])).toEqual([['mismatch', 'total_fee']]);
    expect(await store.inbox.list()).toEqual([]);
  });
});

/** The memory store behind promises, recording the order in which writes reach it. */
function asynchronous(inner = createMemorySnapshotStore()) {
  const writes: string[] = [];
  const later = <T>(what: string | undefined, run: () => T | PromiseLike<T>): Promise<T> =>
    new Promise<T>((resolve) =>
      setImmediate(() => {
        if (what !== undefined) writes.push(what);
        resolve(run());
      }),
    );
  const store: SnapshotStore & { readonly inbox: NotificationInbox } = {
    get: (key) => later(undefined, () => inner.get(key)),
    set: (key, entry) => later(`set ${key} ${JSON.stringify(entry.snapshot.value)}`, () => inner.set(key, entry)),
    delete: (key) => later(`delete ${key}`, () => inner.delete(key)),
    list: () => later(undefined, () => inner.list()),
    inbox: {
      put: (key, n) => later(`inbox put ${key}`, () => inner.inbox.put(key, n)),
      get: (key) => later(undefined, () => inner.inbox.get(key)),
      delete: (key, n) => later(`inbox delete ${key}`, () => inner.inbox.delete(key, n)),
      list: () => later(undefined, () => inner.inbox.list()),
    },
  };
  return { store, writes, inner };
}

describe.each(['watchOrder', 'watchOrders'] as const)('an asynchronous inbox (%s)', (driver) => {
  it('is read at the start, and what the watch took leaves it only after the watch’s own writes', async () => {
    const { store, writes, inner } = asynchronous();
    inner.inbox.put('out_trade_no:AS1', kept('AS1', 1));
    const client = new ScriptedClient([stateOutcome('AS1', 'NOTPAY')]);
    // Real timers: the store answers on later turns of the event loop; the first query would come at 2 s.
    const common = { client, store, schedule: schedules.native, deadline: 60_000 };
    const source =
      driver === 'watchOrder'
        ? watchOrder({ ...common, query: { outTradeNo: 'AS1' } })
        : watchOrders(from([{ outTradeNo: 'AS1' }]), common);
    const watches: OrderWatch[] = [];
    await new Promise<void>((resolve, reject) =>
      source.subscribe({ next: (w) => watches.push(w), error: reject, complete: resolve }),
    );
    expect(watches.at(-1)).toMatchObject({ end: 'SUCCESS', attempts: 0 });
    expect(client.calls).toHaveLength(0);
    // Completed only once every write was done, the inbox's last.
    expect(writes.at(-1)).toBe('inbox delete out_trade_no:AS1');
    expect(writes.indexOf('delete out_trade_no:AS1')).toBeLessThan(writes.indexOf('inbox delete out_trade_no:AS1'));
    expect(inner.inbox.list()).toEqual([]);
    expect(inner.list()).toEqual([]);
  });
});

describe('the SQLite inbox across a restart', () => {
  it('a notification kept by one process is a SUCCESS end in the next, and the inbox is then empty', async () => {
    const path = tempDb();
    const first = createSqliteSnapshotStore(path);
    await keepNotification(first, paid('S1', { transactionId: '4200000000000101' }));
    first.close();

    const second = createSqliteSnapshotStore(path);
    expect(second.inbox.list()).toHaveLength(1);
    const client = new ScriptedClient([]);
    const clock = new VirtualClock();
    const resumed = clock.record(
      resumeWatches(second, client, { schedule: schedules.native, scheduler: clock.scheduler }),
    );
    await clock.advanceTo(1000);
    expect(lastPerOrder(resumed.frames).get('S1')).toMatchObject({ end: 'SUCCESS', order: { totalFee: 101 } });
    second.close();

    const third = createSqliteSnapshotStore(path);
    expect(third.inbox.list()).toEqual([]);
    expect(third.list()).toEqual([]);
    third.close();
  });

  it('a stored watch and a notification kept for it, both written before a restart, end once as SUCCESS', async () => {
    const path = tempDb();
    const clock = new VirtualClock();
    const options = { schedule: schedules.backend, scheduler: clock.scheduler, jitter: { ratio: 0 } };
    const first = createSqliteSnapshotStore(path);
    const run = clock.record(
      watchOrders(from([{ outTradeNo: 'S2' }]), {
        ...options,
        client: new ScriptedClient([stateOutcome('S2', 'NOTPAY')]),
        store: first,
        deadline: 7_200_000,
      }),
    );
    await clock.advanceTo(61_000);
    run.subscription.unsubscribe();
    await keepNotification(first, paid('S2'));
    first.close();

    const second = createSqliteSnapshotStore(path);
    const client = new ScriptedClient([]);
    const resumed = clock.record(resumeWatches(second, client, options));
    await clock.advanceTo(62_000);
    const ends = resumed.frames.filter((f) => (f.notification.value as OrderWatch | undefined)?.done);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.notification.value).toMatchObject({ end: 'SUCCESS', attempts: 1 });
    expect(client.calls).toHaveLength(0);
    expect(second.list()).toEqual([]);
    expect(second.inbox.list()).toEqual([]);
    second.close();
  });

  it('opens a database written before the inbox existed, keeping its watches, and adds an empty inbox', () => {
    const path = tempDb();
    const old = new Database(path);
    old.exec(
      'CREATE TABLE tradestate_watches (key TEXT PRIMARY KEY, snapshot TEXT NOT NULL, updated_at INTEGER NOT NULL)',
    );
    const snapshot = { status: 'active', value: { NOTPAY: 'waiting' }, context: { query: { outTradeNo: 'O1' } } };
    old.prepare('INSERT INTO tradestate_watches VALUES (?, ?, ?)').run('out_trade_no:O1', JSON.stringify(snapshot), 5);
    old.close();
    const store = createSqliteSnapshotStore(path);
    expect(store.get('out_trade_no:O1')).toEqual({ snapshot, updatedAt: 5 });
    expect(store.inbox.list()).toEqual([]);
    store.inbox.put('out_trade_no:O1', kept('O1', 7));
    expect(store.inbox.get('out_trade_no:O1')).toEqual([kept('O1', 7)]);
    store.close();
  });
});

describe('keepNotification refuses what it cannot keep', () => {
  const storeWithoutInbox: SnapshotStore = { get: () => undefined, set: () => {}, delete: () => {}, list: () => [] };

  it.each<[string, SnapshotStore, unknown]>([
    ['a store without an inbox', storeWithoutInbox, paid('X')],
    ['an unverified notification', createMemorySnapshotStore(), { kind: 'unverified', query: { outTradeNo: 'X' } }],
    ['a not-found outcome', createMemorySnapshotStore(), { kind: 'not-found', message: 'no', fields: {} }],
    ['undefined', createMemorySnapshotStore(), undefined],
    ['an empty object', createMemorySnapshotStore(), {}],
  ])('%s', async (_name, store, notification) => {
    await expect(keepNotification(store, notification as PaymentNotification)).rejects.toThrow(InvalidArgumentError);
  });
});
