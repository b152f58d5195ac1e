import { InvalidArgumentError, TransportError } from '@tradestate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/index.ts';
import { VirtualClock } from './virtual-time.ts';

/** The most instants in any window `[t, t + widthMs)`, for every `t`, not only aligned ones. */
function mostInAnyWindow(sorted: readonly number[], widthMs: number): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= widthMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

type LimiterEvent =
  | { readonly kind: 'enqueue'; readonly key: string; readonly id: number }
  | { readonly kind: 'grant'; readonly key: string; readonly id: number; readonly at: number }
  | { readonly kind: 'abort'; readonly key: string; readonly id: number };

/**
 * Round-robin between keys, checked on the event log: while a key has a waiter, no other key is served twice
 * before it is served once; and within a key, waiters are served in the order they came.
 */
function fairnessViolations(events: readonly LimiterEvent[]): string[] {
  const violations: string[] = [];
  const waiting = new Map<string, number>();
  const servedSince = new Map<string, Set<string>>();
  const queued = new Map<string, number[]>();
  for (const event of events) {
    const queue = queued.get(event.key) ?? [];
    queued.set(event.key, queue);
    if (event.kind === 'enqueue') {
      if (!waiting.get(event.key)) servedSince.set(event.key, new Set());
      waiting.set(event.key, (waiting.get(event.key) ?? 0) + 1);
      queue.push(event.id);
      continue;
    }
    waiting.set(event.key, (waiting.get(event.key) ?? 0) - 1);
    if (event.kind === 'abort') {
      queue.splice(queue.indexOf(event.id), 1);
      continue;
    }
    if (queue.shift() !== event.id) violations.push(`${event.key}: waiter ${event.id} served out of order`);
    servedSince.set(event.key, new Set());
    for (const [key, served] of servedSince) {
      if (key === event.key || !waiting.get(key)) continue;
      if (served.has(event.key)) violations.push(`${event.key} served twice while ${key} waited`);
      served.add(event.key);
    }
  }
  return violations;
}

describe('createLimiter', () => {
  it('over random arrivals and aborts: no sliding window holds more than the rate, the bucket bounds bursts, round-robin is kept, every live wait is granted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 3000 }),
            key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            abortAfter: fc.option(fc.integer({ min: 0, max: 1500 }), { freq: 4 }),
          }),
          { minLength: 1, maxLength: 50 },
        ),
        async (rate, burstWish, arrivals) => {
          const clock = new VirtualClock();
          const limiter = createLimiter({ ratePerSecond: rate, burst: burstWish, scheduler: clock.scheduler });
          const events: LimiterEvent[] = [];
          const rejections: unknown[] = [];
          arrivals.forEach(({ at, key, abortAfter }, id) => {
            clock.scheduler.schedule(() => {
              const controller = new AbortController();
              events.push({ kind: 'enqueue', key, id });
              limiter.acquire(key, controller.signal).then(
                () => events.push({ kind: 'grant', key, id, at: clock.now() }),
                (error: unknown) => {
                  events.push({ kind: 'abort', key, id });
                  rejections.push(error);
                },
              );
              if (abortAfter !== null) clock.scheduler.schedule(() => controller.abort(), abortAfter);
            }, at);
          });
          const lastArrival = Math.max(...arrivals.map((a) => a.at));
          const bound = lastArrival + Math.ceil(arrivals.length / rate) * 1001 + 1000;
          await clock.advanceTo(bound);

          const grants = events.flatMap((e) => (e.kind === 'grant' ? [e.at] : [])).sort((x, y) => x - y);
          expect(grants.length + rejections.length).toBe(arrivals.length);
          expect(limiter.pending).toBe(0);
          for (const error of rejections) expect(error).toMatchObject({ code: 'ABORTED' });
          // Every window of a second, wherever it starts, and even one a millisecond wider (a receiver whose
          // clock or delivery is a millisecond off), holds at most `rate` grants.
          expect(mostInAnyWindow(grants, 1000)).toBeLessThanOrEqual(rate);
          expect(mostInAnyWindow(grants, 1001)).toBeLessThanOrEqual(rate);
          // The token bucket: any stretch [first, last] holds at most burst + rate × its length.
          const burst = Math.min(rate, burstWish);
          for (let i = 0; i < grants.length; i++) {
            for (let j = i; j < grants.length; j++) {
              const allowed = burst + (((grants[j] as number) - (grants[i] as number)) * rate) / 1000;
              expect(j - i + 1).toBeLessThanOrEqual(allowed + 1e-9);
            }
          }
          expect(fairnessViolations(events)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the fairness check catches a key served twice while another waited', () => {
    expect(
      fairnessViolations([
        { kind: 'enqueue', key: 'a', id: 0 },
        { kind: 'enqueue', key: 'a', id: 1 },
        { kind: 'enqueue', key: 'b', id: 2 },
        { kind: 'grant', key: 'a', id: 0, at: 0 },
        { kind: 'grant', key: 'a', id: 1, at: 1 },
        { kind: 'grant', key: 'b', id: 2, at: 2 },
      ]),
    ).toEqual(['a served twice while b waited']);
    expect(mostInAnyWindow([0, 0, 999, 1000, 1999], 1000)).toBe(3);
  });

  it('is fair between keys: a newcomer is served next, not after a busy key drains', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 2, burst: 1, scheduler: clock.scheduler });
    const order: string[] = [];
    for (let i = 0; i < 10; i++) void limiter.acquire('busy').then(() => order.push(`busy${i}`));
    await clock.advanceTo(100);
    void limiter.acquire('newcomer').then(() => order.push('newcomer'));
    await clock.advanceTo(10_000);
    expect(order.indexOf('newcomer')).toBe(2); // busy0 at 0 ms, busy1 queued before it… then the newcomer
    expect(order.filter((o) => o.startsWith('busy'))).toEqual(Array.from({ length: 10 }, (_, i) => `busy${i}`));
  });

  it('spreads grants by the token bucket when burst is smaller than the rate', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 4, burst: 1, scheduler: clock.scheduler });
    const grants: number[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire(`k${i}`).then(() => grants.push(clock.now()));
    await clock.advanceTo(5000);
    // The fifth waits for the first to be a second old, plus the millisecond of delivery margin.
    expect(grants).toEqual([0, 250, 500, 750, 1001]);
  });

  it('saturated, a burst is followed by evenly spaced grants, never by a second burst a second later', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 4, burst: 4, scheduler: clock.scheduler });
    const grants: number[] = [];
    for (let i = 0; i < 12; i++) void limiter.acquire(`k${i}`).then(() => grants.push(clock.now()));
    await clock.advanceTo(5000);
    expect(grants).toEqual([0, 0, 0, 0, 1001, 1251, 1501, 1751, 2002, 2252, 2502, 2752]);
  });

  it('an aborted wait rejects with ABORTED and does not consume a slot', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 1, scheduler: clock.scheduler });
    const times: Record<string, number> = {};
    void limiter.acquire('x').then(() => (times.x = clock.now()));
    const controller = new AbortController();
    const y = limiter.acquire('y', controller.signal);
    void limiter.acquire('z').then(() => (times.z = clock.now()));
    controller.abort();
    await expect(y).rejects.toBeInstanceOf(TransportError);
    await expect(y).rejects.toMatchObject({ code: 'ABORTED' });
    await clock.advanceTo(5000);
    expect(times).toEqual({ x: 0, z: 1001 });
    await expect(limiter.acquire('w', AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('spreads grants 1000/rate ms apart by default', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 5, scheduler: clock.scheduler });
    const grants: number[] = [];
    for (let i = 0; i < 6; i++) void limiter.acquire(`k${i}`).then(() => grants.push(clock.now()));
    await clock.advanceTo(5000);
    expect(grants).toEqual([0, 200, 400, 600, 800, 1001]);
  });

  it('never grants inside the caller’s synchronous code, only from its timer', async () => {
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 10, burst: 10, scheduler: clock.scheduler });
    let granted = 0;
    for (let i = 0; i < 3; i++) void limiter.acquire(`k${i}`).then(() => granted++);
    await clock.settle();
    // A free slot is not handed out while the acquiring code still runs: it waits for the timer at `now`.
    expect(granted).toBe(0);
    expect(limiter.pending).toBe(3);
    await clock.advanceTo(0);
    expect(granted).toBe(3);
    expect(limiter.pending).toBe(0);
  });

  it('refuses a rate that is not a positive integer with an InvalidArgumentError naming it', () => {
    for (const ratePerSecond of [0, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createLimiter({ ratePerSecond })).toThrow(InvalidArgumentError);
      expect(() => createLimiter({ ratePerSecond })).toThrow(/ratePerSecond/);
    }
    expect(() => createLimiter({ ratePerSecond: '5' as unknown as number })).toThrow(InvalidArgumentError);
  });

  it('refuses a burst that is not a positive integer (NaN would stop limiting), and caps one above the rate', async () => {
    for (const burst of [Number.NaN, 0, -2, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => createLimiter({ ratePerSecond: 5, burst })).toThrow(InvalidArgumentError);
      expect(() => createLimiter({ ratePerSecond: 5, burst })).toThrow(/burst/);
    }
    const clock = new VirtualClock();
    const limiter = createLimiter({ ratePerSecond: 2, burst: 50, scheduler: clock.scheduler });
    let granted = 0;
    for (let i = 0; i < 10; i++) void limiter.acquire(`k${i}`).then(() => granted++);
    await clock.advanceTo(999);
    expect(granted).toBe(2);
  });
});
