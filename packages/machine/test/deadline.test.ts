import type { OrderQueryClient, OrderQueryOutcome } from '@tradestate/protocol';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from '../src/engine/clock.ts';
import { type OrderWatch, type Schedule, watchOrder, watchOrders } from '../src/index.ts';
import { DRIVERS, startWatch } from './drivers.ts';
import { stateOutcome } from './fixtures.ts';

const DAY = 86_400_000;

/** A client that ignores its abort signal and never answers. */
class DeafClient implements OrderQueryClient {
  calls = 0;
  queryOrder(): Promise<OrderQueryOutcome> {
    this.calls++;
    return new Promise(() => {});
  }
}

describe.each(DRIVERS)('%s: the deadline holds against a client that ignores its signal', (driver) => {
  it('a query that never returns still ends the watch DEADLINE at its deadline, with a TIMEOUT', async () => {
    const { clock, last, recording } = startWatch(driver, [], { deadline: 5000, extra: { client: new DeafClient() } });
    await clock.advanceTo(60_000);
    expect(last()).toMatchObject({ done: true, end: 'DEADLINE', attempts: 1, error: { code: 'TIMEOUT' } });
    const end = recording.frames.find((f) => (f.notification.value as OrderWatch | undefined)?.done === true);
    expect(end?.frame).toBe(5000);
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
  });
});

describe('real time: the deaf client and the deadline', () => {
  it('watchOrder and watchOrders both end at a 150 ms deadline though the client never answers', async () => {
    const deaf = new DeafClient();
    const fast: Schedule = () => 10;
    const started = Date.now();
    const [one, many] = await Promise.all([
      lastValueFrom(watchOrder({ client: deaf, query: { outTradeNo: 'D1' }, schedule: fast, deadline: 150 })),
      lastValueFrom(watchOrders(from([{ outTradeNo: 'D2' }]), { client: deaf, schedule: fast, deadline: 150 })),
    ]);
    expect(one).toMatchObject({ end: 'DEADLINE', error: { code: 'TIMEOUT' } });
    expect(many).toMatchObject({ end: 'DEADLINE', error: { code: 'TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(deaf.calls).toBe(2);
  });
});

/** Counts the timers Node is asked for, and the warnings it prints, while `run` goes on. */
async function watchTimers(run: () => Promise<void>) {
  const delays: number[] = [];
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
  const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
  try {
    await run();
    for (const spy of [setIntervalSpy, setTimeoutSpy]) {
      for (const call of spy.mock.calls) delays.push(Number(call[1] ?? 0));
    }
  } finally {
    setIntervalSpy.mockRestore();
    setTimeoutSpy.mockRestore();
    // A warning is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
  }
  return { delays, warnings };
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Asks at once, then not for 25 days: every wait is longer than a Node timer holds. */
const everyTwentyFiveDays: Schedule = (attempt) => (attempt === 0 ? 0 : 25 * DAY);

describe('a 30-day watch does not spin (real timers)', () => {
  it.each<[string, (client: OrderQueryClient) => Observable<OrderWatch>]>([
    [
      'watchOrder',
      (client) =>
        watchOrder({ client, query: { outTradeNo: 'L1' }, schedule: everyTwentyFiveDays, deadline: 30 * DAY }),
    ],
    [
      'watchOrders',
      (client) =>
        watchOrders(from([{ outTradeNo: 'L2' }]), { client, schedule: everyTwentyFiveDays, deadline: 30 * DAY }),
    ],
    [
      'watchOrder with a Date deadline',
      (client) =>
        watchOrder({
          client,
          query: { outTradeNo: 'L3' },
          schedule: everyTwentyFiveDays,
          deadline: new Date(Date.now() + 30 * DAY),
        }),
    ],
  ])('%s sets no timer above 2^31−1 ms, and its wake-ups stay flat', async (_name, start) => {
    // The answer takes 50 ms, so the query's own deadline timer (30 days away) is armed meanwhile.
    const client: OrderQueryClient = {
      queryOrder: (query) =>
        new Promise((resolve) => setTimeout(() => resolve(stateOutcome(query.outTradeNo ?? '', 'NOTPAY')), 50)),
    };
    const seen: OrderWatch[] = [];
    const { delays, warnings } = await watchTimers(async () => {
      const subscription = start(client).subscribe((w) => seen.push(w));
      await new Promise((resolve) => setTimeout(resolve, 300));
      subscription.unsubscribe();
    });
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
    // The test's own two timeouts, the answer's, and a handful of the watch's: not one per millisecond.
    expect(delays.length).toBeLessThan(12);
    expect(seen.at(-1)).toMatchObject({ done: false, tradeState: 'NOTPAY', attempts: 1 });
  });
});

describe.each(DRIVERS)('%s: a 30-day watch in virtual time', (driver) => {
  it('wakes a few times over 30 days and ends exactly at its deadline', async () => {
    const { clock, client, last, recording } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      schedule: everyTwentyFiveDays,
      deadline: 30 * DAY,
    });
    const schedule = clock.scheduler.schedule.bind(clock.scheduler);
    let timers = 0;
    clock.scheduler.schedule = ((work: never, delay?: number, state?: never) => {
      timers++;
      expect(delay ?? 0).toBeLessThanOrEqual(MAX_TIMER_MS);
      return schedule(work, delay, state);
    }) as typeof clock.scheduler.schedule;
    await clock.advanceTo(31 * DAY);
    expect(client.times).toEqual([0, 25 * DAY]);
    expect(last()).toMatchObject({ end: 'DEADLINE', attempts: 2 });
    const end = recording.frames.find((f) => (f.notification.value as OrderWatch | undefined)?.done === true);
    expect(end?.frame).toBe(30 * DAY);
    expect(timers).toBeLessThan(12);
  });
});

describe('virtual time: ending at a deadline 30 days away after ignoring the signal', () => {
  it('a deaf client 29 days into a watch still ends it at 30 days', async () => {
    const steps = [stateOutcome('W1', 'NOTPAY')];
    for (const driver of DRIVERS) {
      let calls = 0;
      const deafAfterFirst: OrderQueryClient = {
        queryOrder: () => (++calls === 1 ? Promise.resolve(steps[0] as OrderQueryOutcome) : new Promise(() => {})),
      };
      const { clock, last } = startWatch(driver, [], {
        schedule: (attempt) => (attempt === 0 ? 0 : 29 * DAY),
        deadline: 30 * DAY,
        extra: { client: deafAfterFirst },
      });
      await clock.advanceTo(31 * DAY);
      expect(last(), driver).toMatchObject({ end: 'DEADLINE', attempts: 2, error: { code: 'TIMEOUT' } });
    }
  });
});
