import { InvalidArgumentError } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { type LastOutcome, schedules } from '../src/index.ts';
import { backoff, every, scaleSchedule, within } from '../src/schedules/schedules.ts';

const at = (elapsedMs: number, kind: LastOutcome['kind'] = 'order'): LastOutcome => ({
  kind,
  tradeState: 'NOTPAY',
  consecutiveErrors: kind === 'retryable-error' ? 1 : 0,
  elapsedMs,
});

describe('scaleSchedule', () => {
  it("plays a preset's cadence and its give-up point on a faster clock", () => {
    const fast = scaleSchedule(schedules.native, 0.1);
    expect(fast(1, at(0))).toBe(200); // every 2 s → every 200 ms
    expect(fast(1, at(5800))).toBe(200); // 58 s of story: still within the 60 s
    expect(fast(1, at(5900))).toBeNull(); // 59 s + 2 s would pass 60 s: give up
    expect(fast(1, at(0, 'retryable-error'))).toBe(400); // the longer wait after an error, scaled too
  });

  it('keeps the first delay of the micropay and backend presets', () => {
    expect(scaleSchedule(schedules.micropay, 0.01)(0, at(0, 'start'))).toBe(50);
    expect(scaleSchedule(schedules.backend, 0.1)(0, at(0, 'start'))).toBe(6000);
  });
});

describe('the schedule helpers users compose', () => {
  it('every, backoff and within compose into the native preset, delay for delay', () => {
    const composed = within(60_000, backoff(every(2000), { baseMs: 4000, maxMs: 8000 }));
    for (const elapsed of [0, 10_000, 57_000, 58_000, 59_000]) {
      for (const kind of ['start', 'order', 'retryable-error'] as const) {
        for (const errors of [1, 2, 3]) {
          const last = { ...at(elapsed, kind), consecutiveErrors: kind === 'retryable-error' ? errors : 0 };
          expect(composed(1, last), `${elapsed} ${kind} ${errors}`).toBe(schedules.native(1, last));
        }
      }
    }
  });

  it('refuses delays that are not milliseconds a timer can hold, and factors that are not positive', () => {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => every(bad)).toThrow(InvalidArgumentError);
      expect(() => within(bad, every(1))).toThrow(InvalidArgumentError);
      expect(() => backoff(every(1), { baseMs: bad, maxMs: 1 })).toThrow(InvalidArgumentError);
    }
    expect(() => scaleSchedule(schedules.native, 0)).toThrow(InvalidArgumentError);
  });

  it('a scaled preset keeps what it recommends at the deadline', () => {
    expect(scaleSchedule(schedules.micropay, 0.01).atDeadline).toBe('reverse');
    expect(scaleSchedule(schedules.native, 0.1).atDeadline).toBe('close');
    expect(schedules.backend.atDeadline).toBe('close');
  });
});
