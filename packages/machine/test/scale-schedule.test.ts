import { describe, expect, it } from 'vitest';
import { type LastOutcome, schedules } from '../src/index.ts';
import { scaleSchedule } from '../src/schedules.ts';

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
