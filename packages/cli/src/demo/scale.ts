import type { Schedule } from '@tradestate/machine';

/**
 * Runs a schedule on a faster clock: the schedule sees elapsed time as the story would have it, and its delays
 * come back multiplied by `factor` (0.1 = ten times faster). The demo runs WeChat's real cadences this way.
 *
 * @example
 * ```ts
 * const fastNative = scaleSchedule(schedules.native, 0.1); // every 200 ms for 6 s
 * ```
 */
export function scaleSchedule(schedule: Schedule, factor: number): Schedule {
  return (attempt, last) => {
    const delay = schedule(attempt, { ...last, elapsedMs: last.elapsedMs / factor });
    return delay === null ? null : delay * factor;
  };
}
