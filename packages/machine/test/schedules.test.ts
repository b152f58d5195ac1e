import { distinctUntilChanged, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type LastOutcome, type Schedule, schedules, seededRandom, watchOrder } from '../src/index.ts';
import { nextDelay } from '../src/schedules/schedules.ts';
import { errorOutcome, ScriptedClient, type Step, stateOutcome } from './fixtures.ts';
import { marbles, VirtualClock } from './virtual-time.ts';

const start: LastOutcome = { kind: 'start', tradeState: undefined, consecutiveErrors: 0, elapsedMs: 0 };

/** Watches one order on virtual time and records `attempts`, then the end, as they change. */
function runWatch(steps: readonly Step[], schedule: Schedule, deadline = 24 * 3600_000) {
  const clock = new VirtualClock();
  const client = new ScriptedClient(steps);
  const watch$ = watchOrder({
    client,
    query: { outTradeNo: 'S1' },
    schedule,
    deadline,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
  }).pipe(
    map((w) => (w.done ? w.end : w.attempts)),
    distinctUntilChanged(),
  );
  return { clock, client, recording: clock.record(watch$) };
}

/** Marble symbols for attempts 0, 1, 2…; `z` is kept for the end. */
const SYMBOLS = 'abcdefghijklmnopqrstuvwxyABCDEFGHIJ';
const attemptsValues = Object.fromEntries([...SYMBOLS].map((symbol, attempt) => [symbol, attempt] as const));

/** `a`, then one symbol per query `stepMs` apart, the last query's answer ending the watch (`z`) at once. */
function everyStep(queries: number, stepMs: number): string {
  let diagram = 'a';
  for (let i = 1; i <= queries; i++) {
    diagram += ` ${stepMs - 1}ms ${i === queries ? `(${SYMBOLS[i]}z|)` : SYMBOLS[i]}`;
  }
  return diagram;
}

describe('schedules as functions', () => {
  it('micropay queries 5 s apart, backs off after SYSTEMERROR and gives up at 45 s', () => {
    expect(schedules.micropay(0, start)).toBe(5000);
    expect(schedules.micropay(3, { ...start, kind: 'order', tradeState: 'USERPAYING', elapsedMs: 20_000 })).toBe(5000);
    expect(schedules.micropay(1, { ...start, kind: 'retryable-error', consecutiveErrors: 2, elapsedMs: 5000 })).toBe(
      10_000,
    );
    expect(schedules.micropay(8, { ...start, kind: 'order', tradeState: 'USERPAYING', elapsedMs: 40_001 })).toBeNull();
  });

  it('native polls every 2 s for 60 s and waits longer after errors', () => {
    expect(schedules.native(0, start)).toBe(2000);
    expect(schedules.native(1, { ...start, kind: 'retryable-error', consecutiveErrors: 1, elapsedMs: 2000 })).toBe(
      4000,
    );
    expect(schedules.native(2, { ...start, kind: 'retryable-error', consecutiveErrors: 5, elapsedMs: 6000 })).toBe(
      8000,
    );
    expect(schedules.native(29, { ...start, kind: 'order', tradeState: 'NOTPAY', elapsedMs: 58_001 })).toBeNull();
  });

  it('backend starts after one minute and widens its intervals, then gives up after 2 h', () => {
    const delays: (number | null)[] = [];
    let elapsedMs = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const delay = schedules.backend(attempt, { ...start, kind: attempt === 0 ? 'start' : 'order', elapsedMs });
      delays.push(delay);
      if (delay === null) break;
      elapsedMs += delay;
    }
    expect(delays).toEqual([60_000, 60_000, 180_000, 600_000, 1_200_000, 1_800_000, null]);
  });

  it('jitter stays within the ratio and is reproducible from a seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 200 }, () => nextDelay(schedules.native, 1, start, { ratio: 0.2, random }));
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    for (const delay of a) expect(delay).toBeGreaterThanOrEqual(1600);
    for (const delay of a) expect(delay).toBeLessThanOrEqual(2400);
    expect(new Set(a).size).toBeGreaterThan(50);
  });

  it('refuses a schedule that returns something other than a delay or null', () => {
    expect(() => nextDelay(() => -1, 0, start)).toThrow(RangeError);
    expect(() => nextDelay(() => Number.NaN, 0, start)).toThrow(RangeError);
  });
});

describe('schedules in virtual time (marbles)', () => {
  it('native: a query every 2 s, 30 queries, then DEADLINE at 60 s', async () => {
    const { clock, client, recording } = runWatch([stateOutcome('S1', 'NOTPAY')], schedules.native);
    await clock.advanceTo(120_000);
    expect(recording.frames).toEqual(marbles(everyStep(30, 2000), { ...attemptsValues, z: 'DEADLINE' }));
    expect(client.calls).toHaveLength(30);
  });

  it('micropay: 9 queries 5 s apart while USERPAYING, DEADLINE at 45 s', async () => {
    const { clock, recording } = runWatch([stateOutcome('S1', 'USERPAYING')], schedules.micropay);
    await clock.advanceTo(100_000);
    expect(recording.frames).toEqual(
      marbles('a 4999ms b 4999ms c 4999ms d 4999ms e 4999ms f 4999ms g 4999ms h 4999ms i 4999ms (jz|)', {
        ...attemptsValues,
        z: 'DEADLINE',
      }),
    );
  });

  it('backend: first query at 1 min, then 2, 5, 15, 35, 65 min, then DEADLINE', async () => {
    const { clock, recording } = runWatch([stateOutcome('S1', 'NOTPAY')], schedules.backend);
    await clock.advanceTo(3 * 3600_000);
    expect(recording.frames).toEqual(
      marbles('a 59999ms b 59999ms c 179999ms d 599999ms e 1199999ms f 1799999ms (gz|)', {
        ...attemptsValues,
        z: 'DEADLINE',
      }),
    );
  });

  it('retry with backoff: SYSTEMERROR twice (5 s, then 10 s), USERPAYING, then SUCCESS', async () => {
    const { clock, client, recording } = runWatch(
      [
        errorOutcome('SYSTEMERROR', true),
        errorOutcome('SYSTEMERROR', true),
        stateOutcome('S1', 'USERPAYING'),
        stateOutcome('S1', 'SUCCESS'),
      ],
      schedules.micropay,
    );
    await clock.advanceTo(60_000);
    expect(recording.frames).toEqual(
      marbles('a 4999ms b 4999ms c 9999ms d 4999ms (ez|)', { ...attemptsValues, z: 'SUCCESS' }),
    );
    expect(client.calls).toHaveLength(4);
  });

  it('the deadline cuts a schedule short', async () => {
    const { clock, recording } = runWatch([stateOutcome('S1', 'NOTPAY')], schedules.native, 5000);
    await clock.advanceTo(60_000);
    expect(recording.frames).toEqual(marbles('a 1999ms b 1999ms c 999ms (z|)', { ...attemptsValues, z: 'DEADLINE' }));
  });
});
