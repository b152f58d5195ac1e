import type {
  CloseOrderOutcome,
  CloseOrderRequest,
  OrderQuery,
  OrderQueryOutcome,
  QueryOptions,
  ReverseOrderOutcome,
} from '@tradestate/protocol';
import { InvalidArgumentError } from '@tradestate/protocol';
import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SettleClient } from '../src/engine/settle.ts';
import {
  createMemorySnapshotStore,
  type OrderWatch,
  queryKey,
  resumeWatches,
  schedules,
  type WatchNotification,
  type WatchOrderOptions,
  watchOrder,
  watchOrders,
} from '../src/index.ts';
import { DRIVERS, type Driver } from './drivers.ts';
import { errorOutcome, ScriptedClient, type Step, stateOutcome } from './fixtures.ts';
import { watchWithActor } from './live-actor.ts';
import { VirtualClock } from './virtual-time.ts';

type Settle<T> = T | Error | 'hang';

/**
 * A client whose close/reverse answers follow their own scripts, and whose queries follow a script until a call
 * changed the order: then they show it (CLOSED after a close, REVOKED after a reverse, SUCCESS after ORDERPAID).
 */
class SettlingClient implements SettleClient {
  readonly queries: number[] = [];
  readonly closes: number[] = [];
  readonly reverses: number[] = [];
  private readonly inner: ScriptedClient;
  private closeIndex = 0;
  private reverseIndex = 0;
  private settled: 'CLOSED' | 'REVOKED' | 'SUCCESS' | undefined;

  constructor(
    private readonly clock: VirtualClock,
    steps: readonly Step[],
    private readonly closeScript: readonly Settle<CloseOrderOutcome>[] = [{ kind: 'closed', fields: {} }],
    private readonly reverseScript: readonly Settle<ReverseOrderOutcome>[] = [{ kind: 'reversed', fields: {} }],
  ) {
    this.inner = new ScriptedClient(steps);
  }

  queryOrder(query: OrderQuery, options?: QueryOptions): Promise<OrderQueryOutcome> {
    this.queries.push(this.clock.now());
    if (this.settled !== undefined) return Promise.resolve(stateOutcome('S1', this.settled));
    return this.inner.queryOrder(query, options);
  }

  closeOrder(_request: CloseOrderRequest, options?: QueryOptions): Promise<CloseOrderOutcome> {
    this.closes.push(this.clock.now());
    const step = this.closeScript[Math.min(this.closeIndex++, this.closeScript.length - 1)];
    if (typeof step === 'object' && !(step instanceof Error)) {
      if (step.kind === 'closed') this.settled = 'CLOSED';
      else if (step.code === 'ORDERPAID') this.settled = 'SUCCESS';
    }
    return answer(step, options);
  }

  reverseOrder(_query: OrderQuery, options?: QueryOptions): Promise<ReverseOrderOutcome> {
    this.reverses.push(this.clock.now());
    const step = this.reverseScript[Math.min(this.reverseIndex++, this.reverseScript.length - 1)];
    if (typeof step === 'object' && !(step instanceof Error) && step.kind === 'reversed') this.settled = 'REVOKED';
    return answer(step, options);
  }
}

function answer<T>(step: Settle<T> | undefined, options?: QueryOptions): Promise<T> {
  if (step === 'hang') {
    return new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  }
  return step instanceof Error ? Promise.reject(step) : Promise.resolve(step as T);
}

const closeError = (code: string, retryable: boolean): CloseOrderOutcome => ({
  kind: 'error',
  code,
  message: `${code} said WeChat`,
  retryable,
  fields: {},
});

/** Starts a settling watch of `S1` on a driver; the deadline at 10 s, the order created at 0. */
function settleWatch(
  driver: Driver | 'actor',
  client: SettlingClient,
  clock: VirtualClock,
  extra: Partial<WatchOrderOptions> = {},
) {
  const query = { outTradeNo: 'S1' } as const;
  const common = {
    client,
    schedule: schedules.native,
    deadline: 10_000,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    atDeadline: 'close' as const,
    createdAt: 0,
    expect: { totalFee: 101 },
    ...extra,
  };
  const watch$ =
    driver === 'watchOrder'
      ? watchOrder({ ...common, query })
      : driver === 'actor'
        ? watchWithActor({ ...common, query })
        : watchOrders(of({ query }), common);
  const recording = clock.record(watch$);
  const watches = () =>
    recording.frames.filter((f) => f.notification.kind === 'N').map((f) => f.notification.value as OrderWatch);
  return { recording, watches, last: () => watches().at(-1) };
}

describe.each(DRIVERS)('settling at the deadline (%s)', (driver) => {
  it('closes an unpaid order no sooner than 5 minutes after its creation, then a verified query confirms CLOSED', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')]);
    const watch = settleWatch(driver, client, clock);
    await clock.advanceTo(11_000);
    expect(watch.last()).toMatchObject({ done: false, tradeState: 'NOTPAY' });
    expect(client.closes).toEqual([]);
    await clock.advanceTo(400_000);
    expect(client.closes).toEqual([300_000]);
    expect(client.queries.at(-1)).toBe(300_000);
    expect(watch.last()).toMatchObject({ done: true, end: 'CLOSED', tradeState: 'CLOSED' });
    expect(watch.recording.frames.at(-1)?.notification.kind).toBe('C');
  });

  it('ends SUCCESS with the verified order when the close answers ORDERPAID and the query shows the payment', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')], [closeError('ORDERPAID', false)]);
    const watch = settleWatch(driver, client, clock, { createdAt: -1_000_000 });
    await clock.advanceTo(60_000);
    expect(client.closes).toEqual([10_000]);
    const last = watch.last();
    expect(last).toMatchObject({ done: true, end: 'SUCCESS', tradeState: 'SUCCESS' });
    if (last?.end === 'SUCCESS') expect(last.order.outTradeNo).toBe('S1');
  });

  it('retries a SYSTEMERROR close with a doubling pause, then confirms', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(
      clock,
      [stateOutcome('S1', 'NOTPAY')],
      [closeError('SYSTEMERROR', true), closeError('SYSTEMERROR', true), { kind: 'closed', fields: {} }],
    );
    const watch = settleWatch(driver, client, clock, { createdAt: -1_000_000 });
    await clock.advanceTo(60_000);
    expect(client.closes).toEqual([10_000, 12_000, 16_000]);
    expect(watch.last()).toMatchObject({ done: true, end: 'CLOSED' });
  });

  it('ends ERROR with the code of a close refusal that asking again cannot fix', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')], [closeError('TRADE_ERROR', false)]);
    const watch = settleWatch(driver, client, clock, { createdAt: -1_000_000 });
    await clock.advanceTo(60_000);
    expect(client.closes).toEqual([10_000]);
    expect(watch.last()).toMatchObject({ done: true, end: 'ERROR', error: { code: 'TRADE_ERROR', retryable: false } });
  });

  it('reverses a micropay, calling again 10 s after recall=Y, and ends REVOKED once the query confirms', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'USERPAYING')], undefined, [
      { kind: 'recall', fields: {} },
      { kind: 'reversed', fields: {} },
    ]);
    const watch = settleWatch(driver, client, clock, { atDeadline: 'reverse' });
    await clock.advanceTo(60_000);
    expect(client.reverses).toEqual([10_000, 20_000]);
    expect(client.closes).toEqual([]);
    expect(watch.last()).toMatchObject({ done: true, end: 'REVOKED', tradeState: 'REVOKED' });
  });

  it('a verified SUCCESS notification while waiting to close ends SUCCESS and no close is sent', async () => {
    const clock = new VirtualClock();
    const notifications = new Subject<WatchNotification>();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')]);
    const watch = settleWatch(driver, client, clock, { notifications });
    await clock.advanceTo(100_000);
    expect(watch.last()).toMatchObject({ done: false });
    notifications.next(stateOutcome('S1', 'SUCCESS'));
    await clock.advanceTo(400_000);
    expect(client.closes).toEqual([]);
    expect(watch.last()).toMatchObject({ done: true, end: 'SUCCESS' });
  });

  it('abandons a close that never answers as a retryable TIMEOUT and tries again', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')], ['hang', { kind: 'closed', fields: {} }]);
    const watch = settleWatch(driver, client, clock, { createdAt: -1_000_000 });
    await clock.advanceTo(100_000);
    expect(client.closes).toEqual([10_000, 42_000]);
    expect(watch.last()).toMatchObject({ done: true, end: 'CLOSED' });
  });

  it('without atDeadline ends DEADLINE and sends no close', async () => {
    const clock = new VirtualClock();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')]);
    const watch = settleWatch(driver, client, clock, { atDeadline: undefined });
    await clock.advanceTo(400_000);
    expect(client.closes).toEqual([]);
    expect(watch.last()).toMatchObject({ done: true, end: 'DEADLINE' });
  });
});

describe('settling, checked and resumed', () => {
  it('refuses atDeadline at the call when the client cannot close or reverse, or the close has no out_trade_no', () => {
    const client = { queryOrder: new ScriptedClient([]).queryOrder };
    const base = { client, schedule: schedules.native, deadline: 1000, query: { outTradeNo: 'S1' } } as const;
    expect(() => watchOrder({ ...base, atDeadline: 'close' })).toThrow(InvalidArgumentError);
    expect(() => watchOrder({ ...base, atDeadline: 'reverse' })).toThrow(InvalidArgumentError);
    expect(() => watchOrders(of(), { ...base, atDeadline: 'close' })).toThrow(InvalidArgumentError);
    expect(() => watchOrder({ ...base, atDeadline: 'later' as never })).toThrow(InvalidArgumentError);
    const closer = { ...client, closeOrder: () => Promise.resolve({ kind: 'closed', fields: {} } as const) };
    expect(() =>
      watchOrder({ ...base, client: closer, query: { transactionId: '4200' }, atDeadline: 'close' }),
    ).toThrow(InvalidArgumentError);
    expect(() => watchOrder({ ...base, client: closer, atDeadline: 'close', createdAt: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => watchOrder({ ...base, atDeadline: 'none' })).not.toThrow();
  });

  it('a watch stopped while its close was in flight resumes with a query, never a blind second close', async () => {
    const clock = new VirtualClock();
    const store = createMemorySnapshotStore();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')], ['hang']);
    const first = settleWatch('watchOrder', client, clock, { createdAt: -1_000_000, store });
    await clock.advanceTo(10_500);
    expect(client.closes).toEqual([10_000]);
    const kept = await store.get(queryKey({ outTradeNo: 'S1' }));
    expect(kept?.snapshot.value).toEqual({ SETTLING: 'calling' });
    first.recording.subscription.unsubscribe();
    // Another process: its client shows the order closed (the first close went through).
    const next = new SettlingClient(clock, [stateOutcome('S1', 'CLOSED')]);
    const resumed: OrderWatch[] = [];
    resumeWatches(store, next, { schedule: schedules.native, scheduler: clock.scheduler }).subscribe((w) =>
      resumed.push(w),
    );
    await clock.advanceTo(20_000);
    expect(next.closes).toEqual([]);
    expect(next.queries).toEqual([10_500]);
    expect(resumed.at(-1)).toMatchObject({ done: true, end: 'CLOSED' });
    expect(resumed.filter((w) => w.done)).toHaveLength(1);
    expect(await store.list()).toEqual([]);
  });

  it('a watch resumed while waiting to close keeps its due time', async () => {
    const clock = new VirtualClock();
    const store = createMemorySnapshotStore();
    const client = new SettlingClient(clock, [stateOutcome('S1', 'NOTPAY')]);
    const first = settleWatch('watchOrder', client, clock, { store });
    await clock.advanceTo(50_000);
    first.recording.subscription.unsubscribe();
    const next = new SettlingClient(clock, [stateOutcome('S1', 'CLOSED')]);
    const resumed: OrderWatch[] = [];
    resumeWatches(store, next, { schedule: schedules.native, scheduler: clock.scheduler }).subscribe((w) =>
      resumed.push(w),
    );
    await clock.advanceTo(400_000);
    expect(next.closes).toEqual([300_000]);
    expect(resumed.at(-1)).toMatchObject({ done: true, end: 'CLOSED' });
  });

  it('the live actor of createOrderMachine settles exactly as the engine does', async () => {
    const scripts: [Step[], Settle<CloseOrderOutcome>[]][] = [
      [[stateOutcome('S1', 'NOTPAY'), stateOutcome('S1', 'CLOSED')], [{ kind: 'closed', fields: {} }]],
      [[stateOutcome('S1', 'NOTPAY')], [closeError('SYSTEMERROR', true)]],
      [[stateOutcome('S1', 'NOTPAY'), stateOutcome('S1', 'SUCCESS')], [closeError('ORDERPAID', false)]],
      [[errorOutcome('SYSTEMERROR', true)], ['hang', { kind: 'closed', fields: {} }]],
    ];
    for (const [steps, closes] of scripts) {
      const runs = [];
      for (const driver of ['watchOrder', 'actor'] as const) {
        const clock = new VirtualClock();
        const client = new SettlingClient(clock, steps, closes);
        const watch = settleWatch(driver, client, clock, { createdAt: -1_000_000 });
        await clock.advanceTo(600_000);
        runs.push({ frames: watch.recording.frames, closes: client.closes, queries: client.queries });
      }
      expect(runs[0]).toEqual(runs[1]);
    }
  });
});
