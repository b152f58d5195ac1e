import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderMachine } from '../src/definition/machine.ts';
import { TimerQueue } from '../src/engine/timer-queue.ts';
import { VirtualClock } from './virtual-time.ts';

describe('TimerQueue', () => {
  it('fires keys in due order on one timer, a reschedule superseding the earlier time', async () => {
    const clock = new VirtualClock();
    const fired: [string, number][] = [];
    const timers = new TimerQueue(clock.scheduler, (key, now) => fired.push([key, now]));
    timers.set('c', 300);
    timers.set('a', 100);
    timers.set('b', 200);
    timers.set('a', 250); // supersedes 100
    timers.set('d', 200);
    timers.delete('d');
    expect(timers.size).toBe(3);
    await clock.advanceTo(1000);
    expect(fired).toEqual([
      ['b', 200],
      ['a', 250],
      ['c', 300],
    ]);
    expect(timers.size).toBe(0);
  });

  it('keeps the heap bounded when far-off due times are superseded over and over, and still fires in order', async () => {
    const clock = new VirtualClock();
    const fired: [string, number][] = [];
    const timers = new TimerQueue(clock.scheduler, (key, now) => fired.push([key, now]));
    const keys = Array.from({ length: 600 }, (_, i) => `k${i}`);
    // Each key: a deadline far ahead, superseded at once by its next due time, fifty times over (a watch's polls).
    for (let round = 0; round < 50; round++) {
      for (const [i, key] of keys.entries()) {
        timers.set(key, 1_000_000 + i);
        timers.set(key, 1000 + round * 10 + (i % 7));
      }
      expect(timers.held).toBeLessThanOrEqual(Math.max(1024, 2 * keys.length) + 2);
    }
    expect(timers.size).toBe(600);
    await clock.advanceTo(2_000_000);
    expect(fired).toHaveLength(600);
    const times = fired.map(([, at]) => at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(fired.map(([key]) => key)).size).toBe(600);
    expect(Math.min(...times)).toBe(1490);
    expect(Math.max(...times)).toBe(1496);
  });

  it('keys due at the same instant fire together; a key set while firing waits its turn', async () => {
    const clock = new VirtualClock();
    const fired: [string, number][] = [];
    const timers: TimerQueue = new TimerQueue(clock.scheduler, (key, now) => {
      fired.push([key, now]);
      if (key === 'x') timers.set('z', now + 50);
    });
    for (const key of ['x', 'y']) timers.set(key, 100);
    await clock.advanceTo(1000);
    expect(fired).toEqual([
      ['x', 100],
      ['y', 100],
      ['z', 150],
    ]);
  });

  it('a heap of many random times fires in sorted order', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const timers = new TimerQueue(clock.scheduler, (_key, now) => fired.push(now));
    const times = Array.from({ length: 300 }, (_, i) => (i * 7919) % 1000);
    for (const [i, at] of times.entries()) timers.set(`k${i}`, at);
    await clock.advanceTo(2000);
    expect(fired).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('orderMachine without a client', () => {
  it('ends ERROR with NO_CLIENT instead of hanging', async () => {
    const actor = createActor(orderMachine, {
      input: { query: { outTradeNo: 'N1' }, startedAt: Date.now(), deadlineAt: Date.now() + 1000 },
    });
    const done = new Promise((resolve) => actor.subscribe({ complete: () => resolve(actor.getSnapshot().output) }));
    actor.start();
    expect(await done).toMatchObject({ end: 'ERROR', error: { code: 'NO_CLIENT', retryable: false } });
  });
});
