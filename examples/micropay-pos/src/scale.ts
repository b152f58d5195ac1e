import type { Schedule } from '@tradestate/machine';

/**
 * Runs a schedule on a faster clock (0.01 = a hundred times faster): the schedule sees elapsed time as it would
 * really be, and its delays come back scaled. Lets the demo and the tests play WeChat's 45 s in half a second.
 *
 * @example
 * const fastMicropay = scaleSchedule(schedules.micropay, 0.01); // every 50 ms, giving up by 450 ms
 */
export function scaleSchedule(schedule: Schedule, factor: number): Schedule {
  return (attempt, last) => {
    const delay = schedule(attempt, { ...last, elapsedMs: last.elapsedMs / factor });
    return delay === null ? null : delay * factor;
  };
}
