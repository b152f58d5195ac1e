import type { OrderQuery, OrderQueryClient, OrderQueryOutcome } from '@tradestate/protocol';
import { from, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createLimiter, type OrderWatch, schedules, watchOrders } from '../src/index.ts';
import { ScriptedClient, type Step, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

/** One scripted client per order, and the virtual time of every query. */
function perOrderClient(clock: VirtualClock, scripts: Record<string, readonly Step[]>) {
  const clients = new Map(Object.entries(scripts).map(([id, steps]) => [id, new ScriptedClient(steps)]));
  const times: { id: string; at: number }[] = [];
  const client: OrderQueryClient = {
    queryOrder(query, options) {
      const id = query.outTradeNo ?? '';
      times.push({ id, at: clock.now() });
      const scripted = clients.get(id);
      if (scripted === undefined) throw new Error(`no script for ${id}`);
      return scripted.queryOrder(query, options);
    },
  };
  return { client, times };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `O${i + 1}`);
const queries = (list: readonly string[]) => from(list.map((outTradeNo): OrderQuery => ({ outTradeNo })));

function lastPerOrder(frames: { notification: { kind: string; value?: unknown } }[]) {
  const last = new Map<string, OrderWatch>();
  for (const f of frames) {
    if (f.notification.kind !== 'N') continue;
    const w = f.notification.value as OrderWatch;
    last.set(w.query.outTradeNo ?? '', w);
  }
  return last;
}

/** One order `A` whose query is held in flight until released, watched with schedules.native. */
function watchHeldOrder(options: { deadline: number; notifications?: Subject<OrderQueryOutcome> }) {
  const clock = new VirtualClock();
  const held = new ScriptedClient([stateOutcome('A', 'NOTPAY')], { hold: true });
  const recording = clock.record(
    watchOrders(queries(['A']), {
      client: held,
      notifications: options.notifications,
      schedule: schedules.native,
      deadline: options.deadline,
      scheduler: clock.scheduler,
      jitter: { ratio: 0 },
    }),
  );
  return { clock, held, recording };
}

describe('watchOrders', () => {
  it('holds 20 watches under 5 queries per second and watches each to its end', async () => {
    const clock = new VirtualClock();
    const scripts = Object.fromEntries(
      ids(20).map((id, i) => [id, [stateOutcome(id, 'NOTPAY'), stateOutcome(id, i % 2 ? 'SUCCESS' : 'CLOSED')]]),
    );
    const { client, times } = perOrderClient(clock, scripts);
    const limiter = createLimiter({ ratePerSecond: 5, scheduler: clock.scheduler });
    const recording = clock.record(
      watchOrders(queries(ids(20)), {
        client,
        limiter,
        schedule: schedules.native,
        deadline: 120_000,
        scheduler: clock.scheduler,
        jitter: { ratio: 0 },
      }),
    );
    await clock.advanceTo(60_000);
    const ends = lastPerOrder(recording.frames);
    expect(ends.size).toBe(20);
    for (const [id, w] of ends) expect(w.end).toBe(Number(id.slice(1)) % 2 ? 'CLOSED' : 'SUCCESS');
    expect(times).toHaveLength(40);
    const sorted = times.map((t) => t.at).sort((a, b) => a - b);
    for (let i = 0; i + 5 < sorted.length; i++) expect(sorted[i + 5]! - sorted[i]!).toBeGreaterThanOrEqual(1000);
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });

  it('waits behind one shared timer, not one per order', async () => {
    const clock = new VirtualClock();
    const list = ids(500);
    const { client } = perOrderClient(clock, Object.fromEntries(list.map((id) => [id, [stateOutcome(id, 'NOTPAY')]])));
    const recording = clock.record(
      watchOrders(queries(list), {
        client,
        schedule: schedules.backend,
        deadline: 7_200_000,
        scheduler: clock.scheduler,
      }),
    );
    await clock.settle();
    const timers = clock.scheduler.actions.filter((a) => (a as unknown as { active: boolean }).active);
    expect(timers).toHaveLength(1);
    expect(lastPerOrder(recording.frames).size).toBe(500);
    recording.subscription.unsubscribe();
  });

  it('routes notifications to the order they name and ends it at once', async () => {
    const clock = new VirtualClock();
    const { client, times } = perOrderClient(clock, {
      A: [stateOutcome('A', 'NOTPAY')],
      B: [stateOutcome('B', 'NOTPAY')],
    });
    const notifications = new Subject<OrderQueryOutcome>();
    const recording = clock.record(
      watchOrders(queries(['A', 'B']), {
        client,
        notifications,
        schedule: schedules.native,
        deadline: 10_000,
        scheduler: clock.scheduler,
        jitter: { ratio: 0 },
      }),
    );
    await clock.advanceTo(3000);
    notifications.next(stateOutcome('B', 'SUCCESS'));
    notifications.next(stateOutcome('C', 'SUCCESS'));
    expect(lastPerOrder(recording.frames).get('B')).toMatchObject({ end: 'SUCCESS', attempts: 1 });
    expect(lastPerOrder(recording.frames).get('A')?.done).toBe(false);
    await clock.advanceTo(20_000);
    expect(lastPerOrder(recording.frames).get('A')).toMatchObject({ end: 'DEADLINE' });
    expect(times.filter((t) => t.id === 'B')).toHaveLength(1);
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });

  it('watches an order given twice only once', async () => {
    const clock = new VirtualClock();
    const { client, times } = perOrderClient(clock, { A: [stateOutcome('A', 'SUCCESS')] });
    const recording = clock.record(
      watchOrders(queries(['A', 'A']), {
        client,
        schedule: schedules.native,
        deadline: 10_000,
        scheduler: clock.scheduler,
      }),
    );
    await clock.advanceTo(5000);
    expect(times).toHaveLength(1);
    expect(recording.frames.filter((f) => f.notification.kind === 'C')).toHaveLength(1);
  });

  it('a notification during a query ends the watch and aborts that query', async () => {
    const notifications = new Subject<OrderQueryOutcome>();
    const { clock, held, recording } = watchHeldOrder({ deadline: 10_000, notifications });
    await clock.advanceTo(2500);
    expect(held.inFlight).toBe(1);
    notifications.next(stateOutcome('A', 'SUCCESS'));
    await clock.settle();
    expect(held.calls[0]?.signal?.aborted).toBe(true);
    expect(lastPerOrder(recording.frames).get('A')).toMatchObject({ end: 'SUCCESS', attempts: 1 });
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });

  it('unsubscribing aborts every query in flight', async () => {
    const { clock, held, recording } = watchHeldOrder({ deadline: 10_000 });
    await clock.advanceTo(2500);
    expect(held.inFlight).toBe(1);
    recording.subscription.unsubscribe();
    expect(held.calls[0]?.signal?.aborted).toBe(true);
  });

  it('cancels every watch when the signal aborts', async () => {
    const clock = new VirtualClock();
    const { client } = perOrderClient(clock, { A: [stateOutcome('A', 'NOTPAY')], B: [stateOutcome('B', 'NOTPAY')] });
    const controller = new AbortController();
    const recording = clock.record(
      watchOrders(queries(['A', 'B']), {
        client,
        signal: controller.signal,
        schedule: schedules.native,
        deadline: 60_000,
        scheduler: clock.scheduler,
      }),
    );
    await clock.advanceTo(5000);
    controller.abort();
    await clock.settle();
    expect([...lastPerOrder(recording.frames).values()].map((w) => w.end)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });

  it('a query still in flight at the deadline is aborted and the watch ends DEADLINE with a TIMEOUT', async () => {
    const { clock, held, recording } = watchHeldOrder({ deadline: 5000 });
    await clock.advanceTo(4999);
    expect(held.inFlight).toBe(1);
    expect(held.calls[0]?.signal?.aborted).toBe(false);
    await clock.advanceTo(10_000);
    expect(held.calls[0]?.signal?.aborted).toBe(true);
    expect(lastPerOrder(recording.frames).get('A')).toMatchObject({
      done: true,
      end: 'DEADLINE',
      error: { code: 'TIMEOUT', retryable: true },
    });
    const end = recording.frames.find((f) => (f.notification.value as OrderWatch | undefined)?.done === true);
    expect(end?.frame).toBe(5000);
  });

  it('the deadline also ends a watch still waiting for a limiter slot, without a query', async () => {
    const clock = new VirtualClock();
    const { client, times } = perOrderClient(clock, {
      A: [stateOutcome('A', 'NOTPAY')],
      B: [stateOutcome('B', 'NOTPAY')],
      C: [stateOutcome('C', 'NOTPAY')],
    });
    // All are due at 2 s (schedules.native), one query a second: B's and C's turns come after the deadline.
    const limiter = createLimiter({ ratePerSecond: 1, scheduler: clock.scheduler });
    const recording = clock.record(
      watchOrders(queries(['A', 'B', 'C']), {
        client,
        limiter,
        schedule: schedules.native,
        deadline: 2500,
        scheduler: clock.scheduler,
        jitter: { ratio: 0 },
      }),
    );
    await clock.advanceTo(20_000);
    const ends = lastPerOrder(recording.frames);
    for (const id of ['B', 'C']) {
      expect(ends.get(id)).toMatchObject({ end: 'DEADLINE', attempts: 1, error: { code: 'TIMEOUT' } });
    }
    expect(times).toEqual([{ id: 'A', at: 2000 }]);
    expect(ends.get('A')).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY', error: undefined });
    const endsAt = recording.frames.filter((f) => (f.notification.value as OrderWatch | undefined)?.done === true);
    expect(endsAt.map((f) => f.frame)).toEqual([2500, 2500, 2500]);
  });
});
