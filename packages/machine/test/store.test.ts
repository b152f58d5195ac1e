import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import type { OrderQuery } from '@tradestate/protocol';
import Database from 'better-sqlite3';
import { from } from 'rxjs';
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
