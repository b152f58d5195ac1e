import { TransportError } from '@tradestate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/index.ts';
import { VirtualClock } from './virtual-time.ts';

describe('createLimiter', () => {
  it('never grants more than the rate in any one-second window, and grants every request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 3000 }), key: fc.constantFrom('a', 'b', 'c', 'd') }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (rate, burstWish, arrivals) => {
          const clock = new VirtualClock();
          const limiter = createLimiter({ ratePerSecond: rate, burst: burstWish, scheduler: clock.scheduler });
          const grants: number[] = [];
          for (const { at, key } of arrivals) {
            clock.scheduler.schedule(() => {
              void limiter.acquire(key).then(() => grants.push(clock.now()));
            }, at);
          }
          await clock.advanceTo(3000 + Math.ceil((arrivals.length / rate) * 1000) + 1000);
          expect(grants).toHaveLength(arrivals.length);
          expect(limiter.pending).toBe(0);
          const sorted = [...grants].sort((x, y) => x - y);
          for (let i = 0; i + rate < sorted.length; i++) {
            expect(sorted[i + rate]! - sorted[i]!).toBeGreaterThanOrEqual(1000);
          }
          const burst = Math.min(rate, burstWish);
          const atOnce = Math.max(...[...new Set(sorted)].map((t) => sorted.filter((g) => g === t).length));
          expect(atOnce).toBeLessThanOrEqual(burst);
        },
      ),
      { numRuns: 60 },
    );
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
    expect(grants).toEqual([0, 250, 500, 750, 1000]);
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
    expect(times).toEqual({ x: 0, z: 1000 });
    await expect(limiter.acquire('w', AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses a rate that is not a positive integer', () => {
    expect(() => createLimiter({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => createLimiter({ ratePerSecond: 2.5 })).toThrow(RangeError);
  });
});
