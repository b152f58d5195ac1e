import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Something that can be cancelled, as returned by {@link scheduleAt}.
 *
 * @example
 * ```ts
 * const c: Cancellable = scheduleAt(asyncScheduler, Date.now(), () => {});
 * c.unsubscribe();
 * ```
 */
export interface Cancellable {
  unsubscribe(): void;
}

/**
 * The longest delay a Node timer holds (2^31−1 ms, about 24.8 days). Node fires a longer one after 1 ms (with a
 * `TimeoutOverflowWarning`), which for a watch due in 30 days would be a wake-up every millisecond.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Schedules `work` at the instant `at` of `scheduler`'s clock. Timers may fire early by a millisecond; the
 * remainder is waited again so an event never claims a time before the one it was due at. A delay longer than
 * {@link MAX_TIMER_MS} is waited in pieces of at most that: a 30-day wait wakes twice, not 2.6 billion times.
 *
 * @example
 * ```ts
 * const timer = scheduleAt(asyncScheduler, Date.now() + 1000, () => console.log('due'));
 * timer.unsubscribe();
 * ```
 */
export function scheduleAt(scheduler: SchedulerLike, at: number, work: () => void): Cancellable {
  let current: Subscription;
  const arm = (): Subscription =>
    scheduler.schedule(
      () => {
        if (scheduler.now() < at) current = arm();
        else work();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - scheduler.now()))),
    );
  current = arm();
  return { unsubscribe: () => current.unsubscribe() };
}
